//! Copies: passages with the same words in several articles (a wire story
//! printed by several papers), grouped by their key before anything is
//! read, and named by their articles' paths and ids (`also_in`).

use rustc_hash::FxHashMap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, Searcher};

use super::rank::Ranked;
use super::Copy;
use crate::index::schema::{COPY_KEY, ID, PATH};
use crate::search::articles::{first_str, Articles};

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

    /// The id and path of an article, recorded on its first passage.
    pub fn article(&self, articles: &Articles, article: u32) -> Option<Copy> {
        let first = articles.first_passage(article)?;
        let seg = first.segment_ord as usize;
        Some(Copy {
            id: first_str(self.ids[seg].as_ref(), first.doc_id)?,
            path: first_str(self.paths[seg].as_ref(), first.doc_id)?,
        })
    }
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

/// The other articles that hold a group's passage.
pub(crate) fn copies(group: &[Ranked], columns: &Columns, articles: &Articles) -> Vec<Copy> {
    let mut out: Vec<Copy> = Vec::new();
    for r in &group[1..] {
        if r.article == group[0].article {
            continue;
        }
        if let Some(copy) = columns.article(articles, r.article) {
            if out.iter().all(|c| c.path != copy.path) {
                out.push(copy);
            }
        }
    }
    out
}
