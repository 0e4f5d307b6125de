//! Which article a passage belongs to, without reading a value per passage.
//!
//! An article's passages are neighbours in one segment, in order, and only
//! its first passage records the article's length
//! ([`crate::index::schema::ARTICLE_LEN`]): where that column has a value, an
//! article starts. An article's number in a segment is the rank of its first
//! passage among them (a few bits per passage to read, instead of a serial
//! number per passage); its number in the searcher adds the articles of the
//! segments before. These numbers hold for one searcher only: what must not
//! depend on how the index is split into segments uses the serial numbers.

use std::ops::Range;

use anyhow::{anyhow, Result};
use tantivy::columnar::column_index::{OptionalIndex, Set};
use tantivy::columnar::{Column, ColumnIndex, ColumnType};
use tantivy::{DocAddress, DocId, Searcher, SegmentOrdinal};

use crate::index::schema::{ARTICLE_LEN, ARTICLE_SERIAL};
use crate::search::starts::StartRanks;

/// What [`Articles::articles_of`] gives a passage that is in no article.
pub const NO_ARTICLE: u32 = u32::MAX;

/// The articles of a searcher.
pub struct Articles {
    segments: Vec<SegmentArticles>,
    count: u32,
}

struct SegmentArticles {
    /// Articles in the segments before this one.
    offset: u32,
    count: u32,
    max_doc: DocId,
    starts: Starts,
    /// The article lengths, one value per article.
    lengths: Column<u64>,
    /// The serial numbers, on first passages (read rarely).
    serials: Column<u64>,
}

/// Which passages start an article.
enum Starts {
    /// Every passage (every article of the segment has one passage).
    Every,
    /// Those with a length, counted from the column's bytes (rank) and
    /// found by tantivy (select).
    Counted(StartRanks, OptionalIndex),
    Marked(OptionalIndex),
    None,
}

impl Articles {
    pub fn of(searcher: &Searcher) -> Result<Articles> {
        let mut segments = Vec::new();
        let mut offset = 0u32;
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            // The column's handle gives both the column and its bytes.
            let column = fast.dynamic_column_handle(ARTICLE_LEN, ColumnType::U64)?;
            let lengths = match &column {
                Some(column) => column.open_u64_lenient()?,
                None => None,
            }
            .ok_or_else(|| anyhow!("a segment of the index records no article lengths"))?;
            let (starts, count) = match &lengths.index {
                ColumnIndex::Full => (Starts::Every, reader.max_doc()),
                ColumnIndex::Optional(index) => {
                    let ranks = match &column {
                        Some(column) => StartRanks::open(column.file_slice().read_bytes()?, index),
                        None => None,
                    };
                    let starts = match ranks {
                        Some(ranks) => Starts::Counted(ranks, index.clone()),
                        None => Starts::Marked(index.clone()),
                    };
                    (starts, index.num_non_nulls())
                }
                _ => (Starts::None, 0),
            };
            segments.push(SegmentArticles {
                offset,
                count,
                max_doc: reader.max_doc(),
                starts,
                lengths,
                serials: fast.u64(ARTICLE_SERIAL)?,
            });
            offset += count;
        }
        Ok(Articles {
            segments,
            count: offset,
        })
    }

    /// How many articles (numbered from 0).
    pub fn count(&self) -> usize {
        self.count as usize
    }

    /// The article of passage `doc` of segment `seg`.
    pub fn article(&self, seg: usize, doc: DocId) -> Option<u32> {
        let s = &self.segments[seg];
        let local = match &s.starts {
            Starts::Every => doc,
            Starts::Counted(ranks, _) => ranks.upto(doc).checked_sub(1)?,
            Starts::Marked(index) => index.rank(doc + 1).checked_sub(1)?,
            Starts::None => return None,
        };
        Some(s.offset + local)
    }

    /// The articles of passages `docs` of segment `seg`, one per passage
    /// in `out` ([`NO_ARTICLE`] for a passage before the segment's first
    /// article start): what [`Articles::article`] says of each, with the
    /// kind of segment looked at once for a whole block of postings.
    pub fn articles_of(&self, seg: usize, docs: &[DocId], out: &mut Vec<u32>) {
        out.clear();
        let s = &self.segments[seg];
        let numbered = |starts_upto: u32| match starts_upto {
            0 => NO_ARTICLE,
            n => s.offset + n - 1,
        };
        match &s.starts {
            Starts::Every => out.extend(docs.iter().map(|&doc| s.offset + doc)),
            Starts::Counted(ranks, _) => ranks.upto_each(docs, numbered, out),
            Starts::Marked(index) => {
                out.extend(docs.iter().map(|&doc| numbered(index.rank(doc + 1))))
            }
            Starts::None => out.extend(docs.iter().map(|_| NO_ARTICLE)),
        }
    }

    /// The length of an article of segment `seg` (in tokens).
    pub fn length(&self, seg: usize, article: u32) -> u32 {
        let s = &self.segments[seg];
        s.lengths.values.get_val(article - s.offset) as u32
    }

    /// The segment of an article, and its number in that segment.
    fn locate(&self, article: u32) -> Option<(usize, u32)> {
        let seg = self
            .segments
            .partition_point(|s| s.offset <= article)
            .checked_sub(1)?;
        let s = self.segments.get(seg)?;
        (article < s.offset + s.count).then_some((seg, article - s.offset))
    }

    /// The first passage of the article of segment `seg` numbered `local`.
    fn start(&self, seg: usize, local: u32) -> DocId {
        let s = &self.segments[seg];
        match &s.starts {
            Starts::Counted(_, index) | Starts::Marked(index) => index.select(local),
            Starts::Every | Starts::None => local,
        }
    }

    /// The passages of an article: its segment and documents.
    pub fn passages(&self, article: u32) -> Option<(SegmentOrdinal, Range<DocId>)> {
        let (seg, local) = self.locate(article)?;
        let s = &self.segments[seg];
        let first = self.start(seg, local);
        let end = if local + 1 < s.count {
            self.start(seg, local + 1)
        } else {
            s.max_doc
        };
        Some((seg as SegmentOrdinal, first..end))
    }

    /// The address of an article's first passage, which records what is
    /// said of the article as a whole.
    pub fn first_passage(&self, article: u32) -> Option<DocAddress> {
        let (seg, docs) = self.passages(article)?;
        Some(DocAddress::new(seg, docs.start))
    }

    /// The first passages of `articles` (numbers in increasing order), in
    /// that order: one pass over each segment's article starts, where
    /// [`Articles::first_passage`] looks each one up anew.
    pub fn first_passages(&self, articles: &[u32]) -> Vec<DocAddress> {
        let mut out = Vec::with_capacity(articles.len());
        let mut rest = articles;
        for (seg, s) in self.segments.iter().enumerate() {
            let (here, after) = rest.split_at(rest.partition_point(|&a| a < s.offset + s.count));
            rest = after;
            let mut docs: Vec<DocId> = here.iter().map(|&a| a - s.offset).collect();
            if let Starts::Counted(_, index) | Starts::Marked(index) = &s.starts {
                index.select_batch(&mut docs);
            }
            out.extend(
                docs.into_iter()
                    .map(|doc| DocAddress::new(seg as SegmentOrdinal, doc)),
            );
        }
        out
    }

    /// The serial number of an article (the same whatever the segments),
    /// recorded on its first passage like its length: the column's values
    /// are one per article, in article order. (`None` in a damaged index
    /// whose serials are not one per article.)
    pub fn serial(&self, article: u32) -> Option<u64> {
        let (seg, local) = self.locate(article)?;
        let values = &self.segments[seg].serials.values;
        (values.num_vals() == self.segments[seg].count).then(|| values.get_val(local))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_with;

    #[test]
    fn first_passages_in_one_pass_are_those_found_one_by_one() {
        // Articles of one, two and three passages over three segments.
        let texts: Vec<(String, String)> = (0..9)
            .map(|i| {
                let paragraphs: Vec<String> = (0..=i % 3)
                    .map(|p| {
                        format!(
                            "Paragraph {p} of article {i}: {}",
                            "harbour words ".repeat(40)
                        )
                    })
                    .collect();
                (
                    format!("a{i}.txt"),
                    format!("Title {i}\n\n{}\n", paragraphs.join("\n\n")),
                )
            })
            .collect();
        let store = store_with(&texts, 3);
        let searcher = store.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() >= 3);
        let articles = Articles::of(&searcher).unwrap();
        assert_eq!(articles.count(), 9);
        for wanted in [
            vec![0, 1, 2, 3, 4, 5, 6, 7, 8],
            vec![1, 2, 5, 8],
            vec![7],
            vec![],
        ] {
            let one_by_one: Vec<DocAddress> = wanted
                .iter()
                .map(|&a| articles.first_passage(a).unwrap())
                .collect();
            assert_eq!(articles.first_passages(&wanted), one_by_one, "{wanted:?}");
        }
        // Counted from the column's bytes in every segment, as tantivy
        // counts them one by one.
        for (seg, reader) in searcher.segment_readers().iter().enumerate() {
            assert!(
                !matches!(articles.segments[seg].starts, Starts::Marked(_)),
                "segment {seg} left to tantivy"
            );
            let docs: Vec<DocId> = (0..reader.max_doc()).collect();
            let mut batch = Vec::new();
            articles.articles_of(seg, &docs, &mut batch);
            let one_by_one: Vec<u32> = docs
                .iter()
                .map(|&doc| articles.article(seg, doc).unwrap_or(NO_ARTICLE))
                .collect();
            assert_eq!(batch, one_by_one, "segment {seg}");
        }
        // Each is a first passage: the one that holds the article's header.
        // The files were indexed in order: a0.txt has serial 0, and so on.
        let all = articles.first_passages(&(0..9).collect::<Vec<u32>>());
        let mut serials = Vec::new();
        for (article, address) in all.into_iter().enumerate() {
            let doc: tantivy::TantivyDocument = searcher.doc(address).unwrap();
            let header = crate::index::schema::Header::from_doc(&doc, &store.fields);
            let path = header.expect("a first passage").path;
            serials.push((path, articles.serial(article as u32)));
        }
        serials.sort();
        let expected: Vec<(String, Option<u64>)> =
            (0..9).map(|i| (format!("a{i}.txt"), Some(i))).collect();
        assert_eq!(serials, expected);
    }
}
