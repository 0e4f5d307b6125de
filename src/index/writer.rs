//! Writing the index: articles → passages → tantivy documents, committed in
//! batches so that an interrupted run loses little and never leaves a broken
//! index (each commit is atomic; a killed run leaves the last commit).

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::directory::error::LockError;
use tantivy::indexer::UserOperation;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexWriter, TantivyDocument, TantivyError, Term};

use crate::analysis;
use crate::clock;
use crate::error::Error;
use crate::index::schema::{Fields, Header};
use crate::index::store::{self, Store};
use crate::ingest::article::Article;
use crate::ingest::files::FileMeta;
use crate::ingest::passage::{self, Passage};
use crate::messages;

/// Segments larger than this are left alone by the merges of a small write
/// (`add`); `index` merges them.
const SMALL_SEGMENT_DOCS: usize = 20_000;
/// `index` merges a level of similar-sized segments once it holds this many.
/// Tantivy's default is 8; at 10 a build of 290 MB of text ends with 8
/// segments, which [`merge_small`] then makes 2 (at 4 per level the build
/// itself left 2, but took 25 s instead of 10).
const SEGMENTS_PER_MERGE: usize = 10;
/// Memory the index writer may use for its buffers, shared by its threads;
/// large enough that a batch (below) fills one segment per thread.
const WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// A long run commits after this many bytes of article text (about 3 s of
/// work: an interrupted run loses at most that)…
const BATCH_BYTES: usize = 64 * 1024 * 1024;
/// …or this many articles, whichever comes first.
const BATCH_ARTICLES: usize = 100_000;

/// A segment with more passages than this was made by a merge during the
/// build (a batch leaves one segment per thread, of 100,000–300,000 passages
/// for 64 MB of news text); the final merge keeps it as it is.
const MERGED_SEGMENT_DOCS: u32 = 1_000_000;

/// Leaves at most two segments per core, and one per core when the build
/// made no large segments: the large ones (see [`MERGED_SEGMENT_DOCS`], at
/// most one per core) are kept as they are, the others merged into one per
/// core, in parallel. Every search process opens each segment, at ~0.2–0.6 ms
/// apiece at 200,000 articles (bench/README.md): a build of 200,000 articles
/// leaves 8 segments of one batch each, merged into 2 in ~3 s instead of
/// into 4 (keeping the 2 largest) in ~2 s, and each search is then 0.5–1.3
/// ms faster. Rewriting segments that are already large would cost far more
/// for little. Done after the last commit with a writer of its own; another
/// process writing meanwhile just means no merge, and a run stopped
/// meanwhile leaves the last commit as it was.
fn merge_small(index: &tantivy::Index) -> tantivy::Result<()> {
    let cores = thread::available_parallelism().map_or(2, |n| n.get());
    let metas = index.searchable_segment_metas()?;
    let groups = final_merges(
        metas.iter().map(|m| (m.num_docs(), m.id())).collect(),
        cores,
    );
    // Segment metas alive in this process keep their files from the
    // garbage collection below.
    drop(metas);
    if groups.is_empty() {
        return Ok(());
    }
    let mut writer: IndexWriter = match index.writer_with_num_threads(1, 15_000_000) {
        Ok(writer) => writer,
        Err(TantivyError::LockFailure(..)) => return Ok(()),
        Err(e) => return Err(e),
    };
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let merges: Vec<_> = groups.iter().map(|g| writer.merge(g)).collect();
    for merge in merges {
        merge.wait()?;
    }
    // The merged segments' files are no longer listed: remove them.
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()
}

/// The merges [`merge_small`] makes of `segments` (passages, id): the
/// large ones (at most one per core) kept, the rest dealt out largest first
/// into one group per core, each next one to the group with the fewest
/// passages so far. Only groups of two or more are returned.
fn final_merges<T>(mut segments: Vec<(u32, T)>, cores: usize) -> Vec<Vec<T>> {
    segments.sort_by_key(|s| std::cmp::Reverse(s.0));
    let kept = segments
        .iter()
        .take(cores)
        .take_while(|s| s.0 > MERGED_SEGMENT_DOCS)
        .count();
    let mut groups: Vec<(u64, Vec<T>)> = (0..cores).map(|_| (0, Vec::new())).collect();
    for (docs, id) in segments.into_iter().skip(kept) {
        if let Some(group) = groups.iter_mut().min_by_key(|g| g.0) {
            group.0 += u64::from(docs);
            group.1.push(id);
        }
    }
    groups
        .into_iter()
        .map(|g| g.1)
        .filter(|g| g.len() > 1)
        .collect()
}

/// What newsdex records with every commit (tantivy's commit payload).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Seconds since 1970.
    pub updated_at: u64,
    /// The serial number the next indexed article gets.
    #[serde(default)]
    pub next_serial: u64,
}

impl CommitInfo {
    /// The record of the last commit of `store` (default for a new index).
    pub fn last(store: &Store) -> CommitInfo {
        store
            .index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default()
    }
}

/// The tantivy documents of one article: one per passage. `serial` is the
/// article's number in this index (small numbers keep the fast field that
/// groups passages small). What is said of the article as a whole is indexed
/// and stored on its first passage only.
pub fn documents(
    article: &Article,
    passages: &[Passage],
    meta: FileMeta,
    serial: u64,
    f: &Fields,
    analyzer: &mut TextAnalyzer,
) -> Vec<TantivyDocument> {
    let mut fingerprint = |text: &str| analysis::fingerprint(analyzer, text);
    let prints: Vec<(u64, u64)> = passages.iter().map(|p| fingerprint(&p.text)).collect();
    let length = fingerprint(&article.title).0
        + article.tags.iter().map(|t| fingerprint(t).0).sum::<u64>()
        + prints.iter().map(|p| p.0).sum::<u64>();
    passages
        .iter()
        .zip(prints)
        .enumerate()
        .map(|(i, (p, (_, copy_key)))| {
            let mut doc = TantivyDocument::new();
            doc.add_u64(f.article_key, serial);
            doc.add_text(f.text, &p.text);
            doc.add_u64(f.ordinal, p.ordinal);
            doc.add_u64(f.copy_key, copy_key);
            doc.add_u64(f.kind, p.kind.code());
            if i == 0 {
                doc.add_u64(f.article_serial, serial);
                doc.add_u64(f.article_len, length);
                let header = serde_json::to_string(&Header::of(article)).unwrap_or_default();
                doc.add_text(f.header, &header);
                doc.add_text(f.id, &article.id);
                doc.add_text(f.path, &article.path);
                doc.add_text(f.title, &article.title);
                for tag in &article.tags {
                    doc.add_text(f.tags, tag);
                }
                if let Some(publisher) = &article.publisher {
                    doc.add_text(f.publisher, publisher);
                    doc.add_text(f.publisher_name, publisher);
                }
                if let Some(year) = article.year {
                    doc.add_u64(f.year, year);
                }
                if let Some(key) = article
                    .date
                    .map(|d| d.key())
                    .or(article.year.map(|y| y * 10_000))
                {
                    doc.add_u64(f.date, key);
                }
                doc.add_u64(f.size, meta.size);
                doc.add_u64(f.mtime, meta.mtime);
            }
            doc
        })
        .collect()
}

/// An index writer that commits in batches, recording the time of each commit.
pub struct Batcher {
    writer: IndexWriter,
    /// Merge the smaller segments when done (a build from empty).
    merge_at_end: bool,
    fields: Fields,
    /// The index folder, for messages.
    dir: PathBuf,
    pending_bytes: usize,
    pending_articles: usize,
    /// Commit after this many articles (`NEWSDEX_COMMIT_EVERY` overrides it).
    batch_articles: usize,
    next_serial: u64,
    /// Counts the tokens of each article and fingerprints its passages.
    analyzer: TextAnalyzer,
}

impl Batcher {
    /// Opens the writer. When another process holds the index: fails with a
    /// clear message, or with `wait`, waits for it. `merge: false` is for
    /// small writes, which only merge small segments.
    pub fn open(store: &Store, wait: bool, merge: bool) -> Result<Batcher> {
        let mut waited = false;
        let writer = loop {
            match store.index.writer(WRITER_MEMORY) {
                Ok(w) => break w,
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) if wait => {
                    if !waited {
                        messages::note(&store::waiting(&store.dir));
                        waited = true;
                    }
                    thread::sleep(Duration::from_millis(100));
                }
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                    return Err(Error::Busy {
                        dir: store.dir.clone(),
                    }
                    .into())
                }
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot write to the index at {}", store.dir.display())
                    })
                }
            }
        };
        let mut policy = LogMergePolicy::default();
        if merge {
            policy.set_min_num_segments(SEGMENTS_PER_MERGE);
        } else {
            // Small writes merge only small segments: their cost stays small.
            policy.set_max_docs_before_merge(SMALL_SEGMENT_DOCS);
        }
        writer.set_merge_policy(Box::new(policy));
        // Files a failed run wrote and never committed (a full disk, a
        // crash) are removed first: they would only take space.
        writer
            .garbage_collect_files()
            .wait()
            .map_err(|e| store::write_error(&store.dir, &e))?;
        Ok(Batcher {
            writer,
            merge_at_end: false,
            fields: store.fields,
            dir: store.dir.clone(),
            pending_bytes: 0,
            pending_articles: 0,
            next_serial: CommitInfo::last(store).next_serial,
            analyzer: analysis::analyzer(),
            batch_articles: std::env::var("NEWSDEX_COMMIT_EVERY")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(BATCH_ARTICLES),
        })
    }

    /// Removes every passage of the article with this serial number.
    pub fn delete_article(&mut self, serial: u64) {
        self.writer
            .delete_term(Term::from_field_u64(self.fields.article_key, serial));
    }

    /// Adds an article's passages, committing when the batch is full.
    pub fn add_article(&mut self, article: &Article, meta: FileMeta) -> Result<()> {
        let passages = passage::passages(article);
        let serial = self.next_serial;
        self.next_serial += 1;
        let docs = documents(
            article,
            &passages,
            meta,
            serial,
            &self.fields,
            &mut self.analyzer,
        );
        // One batch: the passages of an article stay neighbours in one segment.
        self.writer
            .run(docs.into_iter().map(UserOperation::Add).collect::<Vec<_>>())
            .map_err(|e| store::write_error(&self.dir, &e))?;
        self.pending_articles += 1;
        self.pending_bytes += passages.iter().map(|p| p.text.len()).sum::<usize>();
        if self.pending_articles >= self.batch_articles || self.pending_bytes >= BATCH_BYTES {
            self.commit()?;
        }
        Ok(())
    }

    /// Makes everything so far durable and visible, atomically.
    pub fn commit(&mut self) -> Result<()> {
        let info = CommitInfo {
            updated_at: clock::now(),
            next_serial: self.next_serial,
        };
        let dir = &self.dir;
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| store::write_error(dir, &e))?;
        prepared.set_payload(&serde_json::to_string(&info)?);
        prepared.commit().map_err(|e| store::write_error(dir, &e))?;
        self.pending_articles = 0;
        self.pending_bytes = 0;
        Ok(())
    }

    /// Has [`Batcher::finish`] merge the smaller segments (`merge_small`):
    /// for a build into an empty index.
    pub fn merging_small_segments_at_end(mut self) -> Batcher {
        self.merge_at_end = true;
        self
    }

    /// Commits, then lets the merges that the commit started finish; a
    /// build from empty then merges its smaller segments (`merge_small`).
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        let dir = self.dir.clone();
        let index = self.writer.index().clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| store::write_error(&dir, &e))?;
        if self.merge_at_end {
            merge_small(&index).map_err(|e| store::write_error(&dir, &e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_of_batches_only_is_merged_into_one_segment_per_core() {
        let sizes = [
            190_000, 260_000, 120_000, 175_000, 155_000, 214_000, 177_000, 173_000,
        ];
        let segments = sizes.iter().map(|&n| (n, n)).collect();
        assert_eq!(
            final_merges(segments, 2),
            vec![
                vec![260_000, 177_000, 173_000, 120_000],
                vec![214_000, 190_000, 175_000, 155_000],
            ]
        );
    }

    #[test]
    fn large_segments_are_kept_one_per_core_at_most() {
        let sizes = [1_900_000, 200_000, 1_700_000, 1_800_000, 150_000, 100_000];
        let segments = sizes.iter().map(|&n| (n, n)).collect();
        // The two largest kept; the third large one stays alone in its group
        // (nothing to merge), the small ones are merged: 4 segments.
        assert_eq!(
            final_merges(segments, 2),
            vec![vec![200_000, 150_000, 100_000]]
        );
        // One large one: kept, the rest into one group per core (the first
        // alone): 3 segments.
        let segments = [(1_500_000, 1), (300_000, 2), (200_000, 3), (100_000, 4)].into();
        assert_eq!(final_merges(segments, 2), vec![vec![3, 4]]);
    }
}
