//! How many articles start at or before a passage, read straight from the
//! bytes of the column that marks article starts.
//!
//! Every posting a search reads is turned into its article by this count
//! (see [`crate::search::articles`]). tantivy answers it through its
//! optional index, whose general path (a block lookup, a slice per call, a
//! mini-block decoded from bytes) costs about 75 instructions; a search
//! for three common words asks it 150,000 times. The index is a list of
//! blocks of 65,536 documents, each dense (a 64-bit word and a running
//! count per 64 documents) or sparse (the sorted positions), so the count
//! is a table lookup and one bit count, which is what this module does.
//!
//! The layout read here is tantivy-columnar 0.27's (the version
//! `Cargo.lock` pins); what is read is checked against tantivy's own answer
//! when opened, and anything unexpected leaves the count to tantivy.

use tantivy::columnar::column_index::{OptionalIndex, Set};
use tantivy::directory::OwnedBytes;
use tantivy::DocId;

/// Documents per block of the optional index.
const BLOCK_DOCS: u32 = 1 << 16;
/// Bytes of a dense block: per 64 documents, their bits (8 bytes) and how
/// many are set in the block before them (2 bytes).
const MINI_BYTES: usize = 10;
const DENSE_BYTES: usize = (BLOCK_DOCS as usize / 64) * MINI_BYTES;
/// A block with fewer values than this is stored sparse (a `u16` each).
const DENSE_FROM: u32 = (DENSE_BYTES / 2) as u32;
/// The cardinality code of an optional column's index.
const OPTIONAL: u8 = 1;

/// The article starts of one segment, countable by document.
pub struct StartRanks {
    /// The blocks' data.
    data: OwnedBytes,
    /// Blocks by number; those after the last listed hold no start.
    blocks: Box<[Block]>,
    total: u32,
}

#[derive(Debug, Clone, Copy)]
struct Block {
    /// Starts in the blocks before.
    before: u32,
    /// Where its data begins.
    at: u32,
    kind: Kind,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Empty,
    Dense,
    Sparse(u16),
}

impl StartRanks {
    /// Reads the index of a `u64` column from its bytes (`column`, as
    /// tantivy stores it: index, values, the index's length), if it is laid
    /// out as expected and counts as `index` does.
    pub fn open(column: OwnedBytes, index: &OptionalIndex) -> Option<StartRanks> {
        let ranks = StartRanks::parse(column)?;
        let agrees = ranks.total == index.num_non_nulls()
            && probes(index.num_docs()).all(|doc| ranks.upto(doc) == index.rank(doc + 1));
        agrees.then_some(ranks)
    }

    fn parse(column: OwnedBytes) -> Option<StartRanks> {
        let bytes = column.as_slice();
        let index_len =
            u32::from_le_bytes(bytes.get(bytes.len().checked_sub(4)?..)?.try_into().ok()?);
        let index = bytes.get(..index_len as usize)?;
        let (&cardinality, index) = index.split_first()?;
        if cardinality != OPTIONAL {
            return None;
        }
        // [number of documents (VInt)] [block data] [block metas] [their count]
        let (rest, count) = index.split_at(index.len().checked_sub(2)?);
        let count = u16::from_le_bytes(count.try_into().ok()?) as usize;
        let (rest, metas) = rest.split_at(rest.len().checked_sub(count * 4)?);
        let mut blocks = Vec::new();
        let (mut before, mut at) = (0u32, 0u32);
        for meta in metas.chunks_exact(4) {
            let id = u16::from_le_bytes([meta[0], meta[1]]) as usize;
            let values = u32::from(u16::from_le_bytes([meta[2], meta[3]])) + 1;
            if id < blocks.len() {
                return None;
            }
            blocks.resize(
                id,
                Block {
                    before,
                    at,
                    kind: Kind::Empty,
                },
            );
            let (kind, len) = if values < DENSE_FROM {
                (Kind::Sparse(values as u16), values * 2)
            } else {
                (Kind::Dense, DENSE_BYTES as u32)
            };
            blocks.push(Block { before, at, kind });
            before += values;
            at += len;
        }
        // The index's bytes begin after the cardinality code.
        let offset = 1 + rest.len().checked_sub(at as usize)?;
        Some(StartRanks {
            data: column.slice(offset..offset + at as usize),
            blocks: blocks.into(),
            total: before,
        })
    }

    /// How many articles start at or before passage `doc`.
    #[inline]
    pub fn upto(&self, doc: DocId) -> u32 {
        match self.block(doc / BLOCK_DOCS) {
            InBlock::Flat(n) => n,
            InBlock::Dense(before, data) => before + dense_upto(data, doc),
            InBlock::Sparse(before, list) => before + sparse_upto(list, doc),
        }
    }

    /// `then` of [`StartRanks::upto`] of each of `docs` (in increasing
    /// order), appended to `out`: the block of each run of documents in one
    /// block is looked up once.
    #[inline]
    pub fn upto_each(&self, docs: &[DocId], then: impl Fn(u32) -> u32, out: &mut Vec<u32>) {
        let mut rest = docs;
        while let Some(&first) = rest.first() {
            let number = first / BLOCK_DOCS;
            let (here, after) = rest.split_at(rest.partition_point(|&d| d / BLOCK_DOCS == number));
            rest = after;
            match self.block(number) {
                InBlock::Flat(n) => out.extend(here.iter().map(|_| then(n))),
                InBlock::Dense(before, data) => {
                    out.extend(here.iter().map(|&doc| then(before + dense_upto(data, doc))))
                }
                InBlock::Sparse(before, list) => out.extend(
                    here.iter()
                        .map(|&doc| then(before + sparse_upto(list, doc))),
                ),
            }
        }
    }

    /// What counts the starts in block `number`.
    fn block(&self, number: u32) -> InBlock<'_> {
        let Some(&block) = self.blocks.get(number as usize) else {
            return InBlock::Flat(self.total);
        };
        let at = block.at as usize;
        let data = self.data.as_slice();
        let found = match block.kind {
            Kind::Empty => None,
            Kind::Dense => data
                .get(at..at + DENSE_BYTES)
                .and_then(|d| d.try_into().ok())
                .map(|d| InBlock::Dense(block.before, d)),
            Kind::Sparse(values) => data
                .get(at..at + 2 * values as usize)
                .map(|list| InBlock::Sparse(block.before, list.as_chunks::<2>().0)),
        };
        found.unwrap_or(InBlock::Flat(block.before))
    }
}

/// A block of the index, looked up: the same count for all its documents,
/// or the starts before it and its data.
enum InBlock<'a> {
    Flat(u32),
    Dense(u32, &'a [u8; DENSE_BYTES]),
    Sparse(u32, &'a [[u8; 2]]),
}

/// The starts at or before `doc` within its dense block: the running count
/// of its 64 documents and the bits up to `doc` in their word.
#[inline]
fn dense_upto(data: &[u8; DENSE_BYTES], doc: DocId) -> u32 {
    let within = (doc % BLOCK_DOCS) as usize;
    let mini = (within / 64) * MINI_BYTES;
    let mut bits = [0u8; 8];
    bits.copy_from_slice(&data[mini..mini + 8]);
    let below = u16::from_le_bytes([data[mini + 8], data[mini + 9]]);
    // Bits 0..=within%64 of the word.
    let mask = (2u64 << (within % 64)).wrapping_sub(1);
    u32::from(below) + (u64::from_le_bytes(bits) & mask).count_ones()
}

/// The starts at or before `doc` within its sparse block (its positions).
#[inline]
fn sparse_upto(positions: &[[u8; 2]], doc: DocId) -> u32 {
    let within = (doc % BLOCK_DOCS) as u16;
    positions.partition_point(|p| u16::from_le_bytes(*p) <= within) as u32
}

/// Documents to check a reading against tantivy's: the ends, each block's
/// first and last, and a spread between.
fn probes(docs: u32) -> impl Iterator<Item = DocId> {
    let blocks = docs.div_ceil(BLOCK_DOCS);
    let edges = (0..blocks).flat_map(|b| [b * BLOCK_DOCS, b * BLOCK_DOCS + BLOCK_DOCS - 1]);
    let spread = (0..64).map(move |i| (u64::from(docs) * i / 64) as u32);
    edges
        .chain(spread)
        .chain(docs.checked_sub(1))
        .filter(move |&doc| doc < docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::columnar::{ColumnIndex, ColumnarReader, ColumnarWriter, NumericalValue};

    /// A column of `docs` documents with a value where `has` says, read
    /// back as tantivy reads a segment's fast fields.
    fn column(docs: u32, has: impl Fn(u32) -> bool) -> (OwnedBytes, OptionalIndex) {
        let mut writer = ColumnarWriter::default();
        for doc in (0..docs).filter(|&d| has(d)) {
            writer.record_numerical(doc, "starts", NumericalValue::U64(u64::from(doc)));
        }
        let mut bytes = Vec::new();
        writer.serialize(docs, None, &mut bytes).unwrap();
        let reader = ColumnarReader::open(bytes).unwrap();
        let handle = reader.read_columns("starts").unwrap().remove(0);
        let column = handle.open_u64_lenient().unwrap().unwrap();
        let ColumnIndex::Optional(index) = column.index else {
            panic!("not optional: {:?}", column.index.get_cardinality());
        };
        (handle.file_slice().read_bytes().unwrap(), index)
    }

    #[test]
    fn counts_starts_as_tantivy_does_in_dense_sparse_and_empty_blocks() {
        // Block 0 dense (every 7th), block 1 sparse (every 1000th, and the
        // first and last document), block 2 empty, block 3 partly filled.
        let has = |d: u32| match d / BLOCK_DOCS {
            0 => d % 7 == 3,
            1 => {
                d.is_multiple_of(1000)
                    || d.is_multiple_of(BLOCK_DOCS)
                    || d % BLOCK_DOCS == BLOCK_DOCS - 1
            }
            2 => false,
            _ => d.is_multiple_of(5),
        };
        let docs = 3 * BLOCK_DOCS + 20_000;
        let (bytes, index) = column(docs, has);
        let ranks = StartRanks::open(bytes, &index).expect("read");
        assert!(matches!(ranks.blocks[0].kind, Kind::Dense));
        assert!(matches!(ranks.blocks[1].kind, Kind::Sparse(_)));
        assert!(matches!(ranks.blocks[2].kind, Kind::Empty));
        let mut expected = 0;
        for doc in 0..docs {
            expected += u32::from(has(doc));
            assert_eq!(ranks.upto(doc), expected, "doc {doc}");
        }
        assert_eq!(expected, index.num_non_nulls());
        // In runs, as postings come: the same counts.
        for step in [1, 3, 64, 1000, 40_000] {
            let docs: Vec<DocId> = (0..docs).step_by(step).collect();
            let mut each = Vec::new();
            // Each count goes through the mapping it is given.
            ranks.upto_each(&docs, |n| 3 * n + 1, &mut each);
            let one_by_one: Vec<u32> = docs.iter().map(|&d| 3 * ranks.upto(d) + 1).collect();
            assert_eq!(each, one_by_one, "step {step}");
        }
    }

    #[test]
    fn a_column_read_wrong_is_left_to_tantivy() {
        let (bytes, index) = column(1000, |d| d % 3 == 0);
        assert!(StartRanks::open(bytes.clone(), &index).is_some());
        // Another column's index: it does not count as this one does.
        let (other, _) = column(1000, |d| d % 4 == 0);
        assert!(StartRanks::open(other, &index).is_none());
        // Cut short, or not an optional column's bytes.
        assert!(StartRanks::open(bytes.slice(0..3), &index).is_none());
        assert!(StartRanks::open(OwnedBytes::new(vec![0u8; 64]), &index).is_none());
    }
}
