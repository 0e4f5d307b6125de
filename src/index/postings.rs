//! Which fields a segment has postings for.
//!
//! Asked for a field that no document of a segment has (tags, in a segment
//! of untagged articles), tantivy's `inverted_index` answers with an empty
//! term dictionary that it makes, the first time in a process, with an FST
//! builder's tables: 1.2 M instructions and ~200 page faults, a fifth of a
//! rare word's search at 22,000 articles, whenever one segment happens to
//! hold no tagged article (and after `add`, whose one-article segments
//! seldom have tags). The segment's postings file lists its fields in its
//! table of contents: that is read instead, once per segment and process
//! (a segment never changes).

use std::sync::{Arc, LazyLock, Mutex};

use rustc_hash::FxHashMap;
use tantivy::directory::CompositeFile;
use tantivy::index::{InvertedIndexReader, SegmentComponent, SegmentId};
use tantivy::schema::Field;
use tantivy::{Directory, Searcher, SegmentReader};

/// The fields with postings, per segment seen by this process.
static FIELDS: LazyLock<Mutex<FxHashMap<SegmentId, Arc<[Field]>>>> = LazyLock::new(Mutex::default);

/// The inverted index of `field` in the segment of `reader`, `None` when no
/// document of the segment has the field.
pub fn inverted_index(
    searcher: &Searcher,
    reader: &SegmentReader,
    field: Field,
) -> tantivy::Result<Option<Arc<InvertedIndexReader>>> {
    if !has(searcher, reader, field) {
        return Ok(None);
    }
    reader.inverted_index(field).map(Some)
}

/// Whether a document of the segment of `reader` has `field` (when the
/// segment's table of contents cannot be read: yes, and tantivy will say).
pub fn has(searcher: &Searcher, reader: &SegmentReader, field: Field) -> bool {
    let id = reader.segment_id();
    let known = FIELDS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .cloned();
    let fields = match known {
        Some(fields) => fields,
        None => match read_fields(searcher, reader) {
            Some(fields) => {
                FIELDS
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id, fields.clone());
                fields
            }
            None => return true,
        },
    };
    fields.contains(&field)
}

/// The fields listed in the table of contents of a segment's postings file.
fn read_fields(searcher: &Searcher, reader: &SegmentReader) -> Option<Arc<[Field]>> {
    let index = searcher.index();
    let meta = index.new_segment_meta(reader.segment_id(), reader.max_doc());
    let path = meta.relative_path(SegmentComponent::Postings);
    let file = index.directory().open_read(&path).ok()?;
    let contents = CompositeFile::open(&file).ok()?;
    Some(
        reader
            .schema()
            .fields()
            .map(|(field, _)| field)
            .filter(|&field| contents.open_read(field).is_some())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::article;
    use crate::testing::store_with;

    #[test]
    fn a_segment_of_untagged_articles_has_no_tags() {
        let tagged = "Ana Ruiz, Tomas Berg\n\
            The two mayors met at the ferry terminal on Friday. LEE KIM/Coast Photos/Getty Images\n\
            \n\
            The ferry line reopens in the spring.\n";
        let plain = "Ferry line reopens\n\nBoats sail again from Monday.\n";
        assert!(!article::parse("a.txt", tagged).tags.is_empty());
        // One article per segment.
        let store = store_with(&[("a.txt", tagged), ("b.txt", plain)], 1);
        let searcher = store.reader().unwrap().searcher();
        let f = store.fields;
        let mut seen: Vec<(bool, bool, bool, bool)> = searcher
            .segment_readers()
            .iter()
            .map(|r| {
                let tags = inverted_index(&searcher, r, f.tags).unwrap();
                (
                    has(&searcher, r, f.tags),
                    tags.is_some_and(|t| t.terms().num_terms() > 0),
                    has(&searcher, r, f.text),
                    r.inverted_index(f.tags).unwrap().terms().num_terms() > 0,
                )
            })
            .collect();
        seen.sort();
        // (has tags, its index has terms, has text, tantivy's own answer)
        assert_eq!(
            seen,
            [(false, false, true, false), (true, true, true, true)]
        );
    }
}
