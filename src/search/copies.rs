//! Copies: passages with the same words in several articles (a wire story
//! printed by several papers), grouped by their key before anything is
//! read, and named by their articles' paths and ids (`also_in`).

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Searcher};

use super::rank::Ranked;
use super::Copy;
use crate::index::schema::{COPY_KEY, ID, PATH};
use crate::search::articles::Articles;

/// The fast fields that group copies and name their articles, per segment.
pub(crate) struct Columns {
    copy_keys: Vec<Column<u64>>,
    paths: Vec<Option<StrColumn>>,
    ids: Vec<Option<StrColumn>>,
}

impl Columns {
    pub fn of(searcher: &Searcher) -> tantivy::Result<Columns> {
        let mut c = Columns {
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
            let ids = strings(self.ids[seg as usize].as_ref(), &docs)?;
            let paths = strings(self.paths[seg as usize].as_ref(), &docs)?;
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

/// The text `column` holds for each of `docs` (its first value), the
/// dictionary read once, in order.
fn strings(column: Option<&StrColumn>, docs: &[DocId]) -> tantivy::Result<Vec<Option<String>>> {
    let Some(column) = column else {
        return Ok(vec![None; docs.len()]);
    };
    let ords: Vec<Option<u64>> = docs.iter().map(|&d| column.ords().first(d)).collect();
    let mut sorted: Vec<u64> = ords.iter().flatten().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut texts = Vec::with_capacity(sorted.len());
    column
        .dictionary()
        .sorted_ords_to_term_cb(&sorted, |bytes| {
            texts.push(String::from_utf8_lossy(bytes).into_owned())
        })?;
    Ok(ords
        .into_iter()
        .map(|ord| texts.get(sorted.binary_search(&ord?).ok()?).cloned())
        .collect())
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
