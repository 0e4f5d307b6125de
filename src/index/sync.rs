//! Keeping the index in step with the seeds folder, which is the source of
//! truth.
//!
//! The index records, on the first passage of each article, the path,
//! content id, size and modification time of its file (and on every passage
//! the article's serial number), so what is indexed is read back from the
//! last commit itself: there is no side file that could disagree with it
//! after a crash. A refresh compares that with a walk of the folder: files
//! whose size and time are unchanged are not read; others are read and
//! hashed, and re-indexed only when their content changed. The same code,
//! without a writer, tells `newsdex status` what a refresh would do.

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

use anyhow::Result;
use serde::Serialize;
use tantivy::columnar::{ColumnIndex, StrColumn};
use tantivy::{DocId, Searcher};

use crate::clock;
use crate::index::change::{self, AtPath, Change};
use crate::index::schema::{ARTICLE_SERIAL, ID, MTIME, PATH, SIZE};
use crate::index::store::Store;
use crate::index::writer::{Batcher, CommitInfo};
use crate::ingest::article;
use crate::ingest::files::{self, FileMeta, Ignored, Skipped, SourceFile, Stater};

/// What the index holds for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    pub id: String,
    pub meta: FileMeta,
    /// The article's serial number, by which it is deleted.
    pub serial: u64,
}

/// Every term of a string fast field, by term ordinal (the dictionary is
/// read once, in order: looking terms up one by one decompresses a block
/// each time).
fn terms(column: &StrColumn) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(column.dictionary().num_terms());
    let mut stream = column.dictionary().stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// Reads, from the committed index, every indexed file with its content id,
/// size, modification time and serial number.
pub fn indexed(searcher: &Searcher) -> Result<FxHashMap<String, Indexed>> {
    let mut out = FxHashMap::default();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let (Some(paths), Some(ids)) = (fast.str(PATH)?, fast.str(ID)?) else {
            continue;
        };
        let sizes = fast.u64(SIZE)?;
        let mtimes = fast.u64(MTIME)?;
        let serials = fast.u64(ARTICLE_SERIAL)?;
        let alive = segment.alive_bitset();
        // The first live passage of each file, by path ordinal.
        let mut first: Vec<Option<DocId>> = vec![None; paths.dictionary().num_terms()];
        out.reserve(first.len());
        // Only an article's first passage has a path: visit those documents.
        let with_path: Box<dyn Iterator<Item = DocId>> = match &paths.ords().index {
            ColumnIndex::Optional(index) => Box::new(index.iter_non_null_docs()),
            _ => Box::new(0..segment.max_doc()),
        };
        for doc in with_path {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            if let Some(slot) = paths
                .ords()
                .first(doc)
                .and_then(|o| first.get_mut(o as usize))
            {
                slot.get_or_insert(doc);
            }
        }
        let mut path_terms = terms(&paths)?;
        let id_terms = terms(&ids)?;
        for (ord, doc) in first.into_iter().enumerate() {
            let Some(doc) = doc else { continue };
            let path = std::mem::take(&mut path_terms[ord]);
            // What the first passage must record: a missing value is a
            // damaged index, never a zero (0 is a serial number too).
            let missing = |what: &str| anyhow::anyhow!("the article {path} has no recorded {what}");
            let id = ids
                .ords()
                .first(doc)
                .and_then(|o| id_terms.get(o as usize))
                .cloned()
                .ok_or_else(|| missing("content id"))?;
            let meta = FileMeta {
                size: sizes.first(doc).ok_or_else(|| missing("size"))?,
                mtime: mtimes
                    .first(doc)
                    .ok_or_else(|| missing("modification time"))?,
            };
            let serial = serials.first(doc).ok_or_else(|| missing("serial number"))?;
            out.entry(path).or_insert(Indexed { id, meta, serial });
        }
    }
    Ok(out)
}

/// One thing a refresh did (or, in a dry run, would do), with the path
/// relative to the seeds folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Added(String),
    Updated(String),
    Removed(String),
    /// Same content as an indexed article: not indexed again.
    Duplicate(Duplicate),
    /// Not an article (empty, binary, not UTF-8, unreadable, too large).
    Skipped(Skipped),
    /// Left out on purpose: see [`files::Rules`].
    Ignored(Ignored),
    /// A problem with the ignore file.
    Warning(String),
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub duplicates: usize,
    pub skipped: usize,
    /// Files read in another encoding than UTF-8, converted (not changed).
    pub converted: usize,
    /// Files and folders left out by the ignore file.
    pub ignored: usize,
    /// README and licence files left out (paths).
    pub not_articles: Vec<String>,
    /// Articles in the index after the refresh.
    pub articles: usize,
}

/// For each file, whether the index holds it with the same size and time
/// (the cheap check). The `stat` calls are the bulk of a refresh where little
/// changed, so they run on every core.
fn unchanged_files(
    files: &[SourceFile],
    seeds: &Path,
    indexed: &FxHashMap<String, Indexed>,
) -> Vec<bool> {
    let check = |part: &[SourceFile]| {
        let mut stater = Stater::default();
        part.iter()
            .map(|file| {
                indexed
                    .get(&file.rel)
                    .is_some_and(|b| stater.meta(&file.abs(seeds)).is_ok_and(|m| m == b.meta))
            })
            .collect::<Vec<bool>>()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || check(part)))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Runs `there` on another thread while `here` runs on this one.
fn at_once<A: Send, B>(there: impl FnOnce() -> A + Send, here: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let there = scope.spawn(there);
        let here = here();
        let there = there
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (there, here)
    })
}

/// Brings the index, which holds what `indexed` reads (read while the
/// seeds folder is walked), in line with the seeds folder: `writer` applies
/// the changes (committing in batches); without one nothing is written and
/// the events say what a refresh would do.
pub fn refresh(
    indexed: impl FnOnce() -> Result<FxHashMap<String, Indexed>> + Send,
    seeds: &Path,
    exclude: &Path,
    mut writer: Option<&mut Batcher>,
    on_event: &mut dyn FnMut(&Event),
    on_progress: &mut dyn FnMut(usize, usize),
) -> Result<Counts> {
    let mut counts = Counts::default();
    let rules = files::Rules::of(seeds);
    let (indexed, walk) = at_once(indexed, || {
        files::walk(seeds, Some(exclude), files::Links::Follow, &rules)
    });
    let mut indexed = indexed?;
    for warning in walk.warnings {
        on_event(&Event::Warning(warning));
    }
    for skip in walk.skipped {
        counts.skipped += 1;
        on_event(&Event::Skipped(skip));
    }
    for ignored in walk.ignored {
        if ignored.is_readme_or_licence() {
            counts.not_articles.push(ignored.path.clone());
        } else {
            counts.ignored += 1;
        }
        on_event(&Event::Ignored(ignored));
    }
    // Which files are unchanged (stat-ed on every core) and which indexed
    // files are gone, at once.
    let (unchanged, mut gone) = at_once(
        || unchanged_files(&walk.files, seeds, &indexed),
        || {
            let present: FxHashSet<&str> = walk.files.iter().map(|f| f.rel.as_str()).collect();
            indexed
                .keys()
                .filter(|p| !present.contains(p.as_str()))
                .cloned()
                .collect::<Vec<String>>()
        },
    );
    gone.sort();
    counts.articles = indexed.len() - gone.len();
    for path in gone {
        let entry = indexed.remove(&path);
        if let (Some(w), Some(entry)) = (writer.as_deref_mut(), entry) {
            w.delete_article(entry.serial);
        }
        counts.removed += 1;
        on_event(&Event::Removed(path));
    }
    // Content id → path, for duplicates; made when a file is first read.
    // (Keyed by the id's number and borrowing the paths: a first build
    // records a million of them.)
    let mut owners: Option<FxHashMap<u64, &str>> = None;
    let total = walk.files.len();
    for (n, (file, unchanged)) in walk.files.iter().zip(unchanged).enumerate() {
        if unchanged {
            counts.unchanged += 1;
            // (Progress every 1,024 unchanged files: a million updates of
            // the bar cost a third of a second.)
            if n % 1024 == 0 || n + 1 == total {
                on_progress(n + 1, total);
            }
            continue;
        }
        on_progress(n + 1, total);
        let before = indexed.get(&file.rel);
        let previous_serial = before.map(|b| b.serial);
        let abs = file.abs(seeds);
        let (article, meta) = match article::read(&abs, &file.rel) {
            Ok((article, meta, converted)) => {
                counts.converted += usize::from(converted.is_some());
                (article, meta)
            }
            Err(reason) => {
                if let Some(serial) = previous_serial {
                    // It was an article and is no longer one: its old passages go.
                    if let Some(w) = writer.as_deref_mut() {
                        w.delete_article(serial);
                    }
                    counts.removed += 1;
                    counts.articles -= 1;
                    on_event(&Event::Removed(file.rel.clone()));
                }
                counts.skipped += 1;
                on_event(&Event::Skipped(Skipped {
                    path: abs.display().to_string(),
                    reason,
                }));
                continue;
            }
        };
        let owners = owners.get_or_insert_with(|| {
            indexed
                .iter()
                .map(|(path, entry)| (id_key(&entry.id), path.as_str()))
                .collect()
        });
        let at_path = before.map(|b| AtPath {
            id: &b.id,
            serial: b.serial,
        });
        let owner = owners.get(&id_key(&article.id)).copied();
        let change = change::decide(&file.rel, &article.id, at_path, owner);
        let replaced = match &change {
            Change::Changed { serial } | Change::Unchanged { serial } => Some(*serial),
            Change::Duplicate { replaces, .. } => *replaces,
            Change::New => None,
        };
        if let (Some(w), Some(serial)) = (writer.as_deref_mut(), replaced) {
            w.delete_article(serial);
        }
        if let Some(old) = before
            .map(|b| b.id.clone())
            .filter(|old| *old != article.id)
        {
            owners.remove(&id_key(&old));
        }
        match change {
            Change::Duplicate { of, replaces } => {
                counts.articles -= usize::from(replaces.is_some());
                counts.duplicates += 1;
                on_event(&Event::Duplicate(Duplicate {
                    path: file.rel.clone(),
                    of,
                }));
                continue;
            }
            // Touched but not changed: re-recorded with its new time, not counted.
            Change::Unchanged { .. } => counts.unchanged += 1,
            Change::Changed { .. } => {
                counts.updated += 1;
                on_event(&Event::Updated(file.rel.clone()));
            }
            Change::New => {
                counts.added += 1;
                counts.articles += 1;
                on_event(&Event::Added(file.rel.clone()));
            }
        }
        if let Some(w) = writer.as_deref_mut() {
            w.add_article(&article, meta)?;
        }
        owners.insert(id_key(&article.id), &file.rel);
    }
    Ok(counts)
}

/// A content id as a number (ids are 16 hex digits; anything else is
/// hashed, so that it still finds its equals).
fn id_key(id: &str) -> u64 {
    use std::hash::BuildHasher;
    u64::from_str_radix(id, 16).unwrap_or_else(|_| rustc_hash::FxBuildHasher.hash_one(id))
}

/// What `newsdex status` reports: the index, and what a refresh would change.
#[derive(Debug, Serialize)]
pub struct Status {
    pub index: String,
    pub seeds: String,
    /// Articles and passages in the index.
    pub articles: usize,
    pub passages: u64,
    /// Time of the last commit, `YYYY-MM-DDTHH:MM:SSZ`.
    pub updated_at: Option<String>,
    /// True when the index holds exactly the articles of the seeds folder.
    pub in_sync: bool,
    /// Files not indexed yet, changed since, or deleted since (relative paths).
    pub new: Vec<String>,
    pub changed: Vec<String>,
    pub deleted: Vec<String>,
    /// Files with the same content as an indexed article (indexed once).
    pub duplicates: Vec<Duplicate>,
    /// Files that are not articles.
    pub skipped: Vec<Skipped>,
    /// Files and folders left out on purpose (the ignore file, README and
    /// licence files).
    pub ignored: Vec<Ignored>,
    /// Problems with the ignore file.
    pub warnings: Vec<String>,
}

/// A file whose content is already indexed under another path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    pub path: String,
    /// The path of the indexed article with the same content.
    pub of: String,
}

/// Compares the index with the seeds folder without changing anything.
pub fn status(store: &Store, seeds: &Path) -> Result<Status> {
    let searcher = store.reader()?.searcher();
    let indexed = indexed(&searcher).map_err(|e| store.damaged(&e))?;
    let articles = indexed.len();
    let info = CommitInfo::last(store);
    let updated_at = (info.updated_at > 0).then(|| clock::timestamp(info.updated_at));
    let mut status = Status {
        index: store.dir.display().to_string(),
        seeds: seeds.display().to_string(),
        articles,
        passages: searcher.num_docs(),
        updated_at,
        in_sync: false,
        new: Vec::new(),
        changed: Vec::new(),
        deleted: Vec::new(),
        duplicates: Vec::new(),
        skipped: Vec::new(),
        ignored: Vec::new(),
        warnings: Vec::new(),
    };
    refresh(
        move || Ok(indexed),
        seeds,
        &store.dir,
        None,
        &mut |event| match event.clone() {
            Event::Added(p) => status.new.push(p),
            Event::Updated(p) => status.changed.push(p),
            Event::Removed(p) => status.deleted.push(p),
            Event::Duplicate(d) => status.duplicates.push(d),
            Event::Skipped(s) => status.skipped.push(s),
            Event::Ignored(i) => status.ignored.push(i),
            Event::Warning(w) => status.warnings.push(w),
        },
        &mut |_, _| {},
    )?;
    status.in_sync =
        status.new.is_empty() && status.changed.is_empty() && status.deleted.is_empty();
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::writer::Batcher;
    use crate::ingest::article;
    use crate::testing::store_with;

    #[test]
    fn the_index_knows_each_file_once_with_its_size_and_time() {
        let a = "Alpha\n\nFirst paragraph.\n\nSecond paragraph.\n";
        let store = store_with(&[("a.txt", a), ("b.txt", "Beta\n\nOne.\n")], 1);
        let known = indexed(&store.reader().unwrap().searcher()).unwrap();
        let mut paths: Vec<&String> = known.keys().collect();
        paths.sort();
        assert_eq!(paths, ["a.txt", "b.txt"]);
        assert_eq!(
            known["a.txt"].meta,
            FileMeta {
                size: a.len() as u64,
                mtime: 0
            }
        );
        assert_eq!(known["b.txt"].meta.mtime, 1);
        assert_ne!(known["a.txt"].id, known["b.txt"].id);

        // Replaced: the old passages go, the new ones are the file.
        let mut batcher = Batcher::open(&store, false, true).unwrap();
        batcher.delete_article(known["a.txt"].serial);
        let meta = FileMeta { size: 3, mtime: 9 };
        batcher
            .add_article(&article::parse("a.txt", "Alpha\n\nNew.\n"), meta)
            .unwrap();
        batcher.finish().unwrap();
        let now = indexed(&store.reader().unwrap().searcher()).unwrap();
        assert_eq!(now.len(), 2);
        assert_eq!(now["a.txt"].meta, meta);
        assert_ne!(now["a.txt"].serial, known["a.txt"].serial);
        assert_ne!(now["a.txt"].id, known["a.txt"].id);
    }
}
