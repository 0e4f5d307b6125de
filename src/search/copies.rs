//! Copies: passages with the same words in several articles (a wire story
//! printed by several papers), grouped by their key before anything is
//! read, and named by their articles' paths and ids (`also_in`).

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Searcher, SegmentReader};

use super::rank::Ranked;
use super::Copy;
use crate::index::schema::{Fields, COPY_KEY, ID, PATH};
use crate::search::articles::Articles;

/// Below one in this many terms, the terms named are read one by one (see
/// [`strings`]).
const SCATTERED: usize = 32;

/// The fast fields that group copies and name their articles, per segment.
pub(crate) struct Columns<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    copy_keys: Vec<Column<u64>>,
    paths: Vec<Option<StrColumn>>,
    ids: Vec<Option<StrColumn>>,
}

impl<'a> Columns<'a> {
    pub fn of(searcher: &'a Searcher, fields: Fields) -> tantivy::Result<Columns<'a>> {
        let mut c = Columns {
            searcher,
            fields,
            copy_keys: Vec::new(),
            paths: Vec::new(),
            ids: Vec::new(),
        };
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            c.copy_keys.push(fast.u64(COPY_KEY)?);
            c.paths.push(fast.str(PATH)?);
            c.ids.push(fast.str(ID)?);
        }
        Ok(c)
    }

    fn copy_key(&self, addr: DocAddress) -> Option<u64> {
        self.copy_keys[addr.segment_ord as usize].first(addr.doc_id)
    }

    /// The id and path of each of `list` (article numbers in increasing
    /// order), recorded on their first passages, in that order: the first
    /// passages found in one pass, and each segment's ids and paths read in
    /// the order of their dictionaries (one lookup of a string is a scan
    /// of a dictionary block).
    pub fn articles(
        &self,
        articles: &Articles,
        list: &[u32],
    ) -> tantivy::Result<Vec<Option<Copy>>> {
        let firsts = articles.first_passages(list);
        let mut out = Vec::with_capacity(firsts.len());
        let mut rest = &firsts[..];
        while let Some(first) = rest.first() {
            let seg = first.segment_ord;
            let (here, after) = rest.split_at(rest.partition_point(|a| a.segment_ord == seg));
            rest = after;
            let docs: Vec<DocId> = here.iter().map(|a| a.doc_id).collect();
            let reader = self.searcher.segment_reader(seg);
            let named = |columns: &[Option<StrColumn>], field| {
                strings(columns[seg as usize].as_ref(), &docs, reader, field)
            };
            let ids = named(&self.ids, self.fields.id)?;
            let paths = named(&self.paths, self.fields.path)?;
            out.extend(ids.into_iter().zip(paths).map(|(id, path)| {
                Some(Copy {
                    id: id?,
                    path: path?,
                })
            }));
        }
        Ok(out)
    }
}

/// The text `column` (the fast field of `field`) holds for each of `docs`
/// (its first value). The column gives each document's term number. A few
/// numbers among many terms are read from the field's indexed terms when
/// they are the same terms (the same count: both hold every live value,
/// and maybe some of deleted documents): a walk down their FST, where the
/// column's own dictionary is scanned from the start of a block to each
/// term (ten times the work, for each copy named at a million articles).
/// Many numbers (an export) are read in one pass over that dictionary.
fn strings(
    column: Option<&StrColumn>,
    docs: &[DocId],
    reader: &SegmentReader,
    field: Field,
) -> tantivy::Result<Vec<Option<String>>> {
    let Some(column) = column else {
        return Ok(vec![None; docs.len()]);
    };
    let ords: Vec<Option<u64>> = docs.iter().map(|&d| column.ords().first(d)).collect();
    let mut sorted: Vec<u64> = ords.iter().flatten().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let dictionary = column.dictionary();
    let count = dictionary.num_terms();
    let few = sorted.len().saturating_mul(SCATTERED) < count;
    let named = if few {
        by_indexed_terms(reader, field, count, &sorted)?
    } else {
        None
    };
    let texts = match named {
        Some(texts) => texts,
        None => {
            let mut texts = Vec::with_capacity(sorted.len());
            dictionary.sorted_ords_to_term_cb(&sorted, |bytes| {
                texts.push(String::from_utf8_lossy(bytes).into_owned())
            })?;
            texts
        }
    };
    Ok(ords
        .into_iter()
        .map(|ord| texts.get(sorted.binary_search(&ord?).ok()?).cloned())
        .collect())
}

/// The texts of the term numbers `sorted` in `field`'s indexed terms, when
/// there are `count` of them (else `None`: they are not the column's).
fn by_indexed_terms(
    reader: &SegmentReader,
    field: Field,
    count: usize,
    sorted: &[u64],
) -> tantivy::Result<Option<Vec<String>>> {
    let index = reader.inverted_index(field)?;
    let terms = index.terms();
    if terms.num_terms() != count {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    let mut texts = Vec::with_capacity(sorted.len());
    for &ord in sorted {
        terms.ord_to_term(ord, &mut bytes)?;
        texts.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(Some(texts))
}

/// Groups the ranked passages by copy key, in rank order: each group is a
/// passage (its best copy first) and its copies.
pub(crate) fn group_copies(ranked: &[Ranked], columns: &Columns) -> Vec<Vec<Ranked>> {
    let mut groups: Vec<Vec<Ranked>> = Vec::new();
    let mut by_key: FxHashMap<u64, usize> = FxHashMap::default();
    for r in ranked {
        match columns.copy_key(r.addr) {
            Some(key) => match by_key.get(&key) {
                Some(&i) => groups[i].push(*r),
                None => {
                    by_key.insert(key, groups.len());
                    groups.push(vec![*r]);
                }
            },
            None => groups.push(vec![*r]),
        }
    }
    groups
}

/// The other articles that hold each group's passage (named once each,
/// in rank order), read together.
pub(crate) fn copies(
    groups: &[&[Ranked]],
    columns: &Columns,
    articles: &Articles,
) -> tantivy::Result<Vec<Vec<Copy>>> {
    let others: Vec<Vec<u32>> = groups
        .iter()
        .map(|group| {
            let mut seen = FxHashSet::from_iter([group[0].article]);
            group[1..]
                .iter()
                .filter(|r| seen.insert(r.article))
                .map(|r| r.article)
                .collect()
        })
        .collect();
    let mut all: Vec<u32> = others.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let named: FxHashMap<u32, Copy> = all
        .iter()
        .zip(columns.articles(articles, &all)?)
        .filter_map(|(&a, copy)| Some((a, copy?)))
        .collect();
    Ok(others
        .iter()
        .map(|list| {
            let mut paths = FxHashSet::default();
            list.iter()
                .filter_map(|a| named.get(a))
                .filter(|copy| paths.insert(copy.path.as_str()))
                .cloned()
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::Header;
    use crate::testing::store_with;

    /// Articles are named by their id and path as their headers give them,
    /// whether a few are named (each read from the indexed terms) or many
    /// (one pass over the column's dictionary), over the segments the
    /// build made.
    #[test]
    fn articles_are_named_as_their_headers_say_few_or_many() {
        let texts: Vec<(String, String)> = (0..1200)
            .map(|i| {
                (
                    format!("desk/{i:04}.txt"),
                    format!("Item {i}\n\nReport number {i} from the desk.\n"),
                )
            })
            .collect();
        let store = store_with(&texts, 600);
        let searcher = store.reader().unwrap().searcher();
        let sizes: Vec<u32> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.max_doc())
            .collect();
        let articles = Articles::of(&searcher).unwrap();
        // The first article of each segment large enough that naming one or
        // two of its articles is naming few (below one in SCATTERED terms),
        // and the article after it (in the same segment).
        let mut firsts = Vec::new();
        let mut start = 0;
        for &size in &sizes {
            if size as usize > 2 * SCATTERED {
                firsts.push(start);
            }
            start += size;
        }
        assert!(!firsts.is_empty(), "{sizes:?}");
        let after: Vec<u32> = firsts.iter().map(|a| a + 1).collect();
        let columns = Columns::of(&searcher, store.fields).unwrap();
        let header = |a: u32| -> Header {
            let doc = searcher.doc(articles.first_passage(a).unwrap()).unwrap();
            Header::from_doc(&doc, &store.fields).unwrap()
        };
        let all: Vec<u32> = (0..1200).collect();
        for list in [firsts, after, all] {
            let named = columns.articles(&articles, &list).unwrap();
            assert_eq!(named.len(), list.len());
            for (a, copy) in list.iter().zip(named) {
                let (copy, h) = (copy.unwrap(), header(*a));
                assert_eq!((copy.id, copy.path), (h.id, h.path), "article {a}");
            }
        }
    }
}
