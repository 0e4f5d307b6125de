//! Writing the index: articles → passages → tantivy documents, committed in
//! batches so that an interrupted run loses little and never leaves a broken
//! index (each commit is atomic; a killed run leaves the last commit).

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use tantivy::directory::error::LockError;
use tantivy::indexer::LogMergePolicy;
use tantivy::indexer::UserOperation;
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexWriter, TantivyDocument, TantivyError, Term};

use crate::analysis;
use crate::article::Article;
use crate::clock;
use crate::files::FileMeta;
use crate::passage::{self, Passage};
use crate::schema::Fields;
use crate::store::{self, Store};
use crate::sync::{self, Counts, Event};

/// Segments larger than this are left alone by the merges of a small write
/// (`add`); `index` merges them.
const SMALL_SEGMENT_DOCS: usize = 20_000;
/// `index` merges a level of similar-sized segments once it holds this many.
/// Tantivy's default is 8; at 10 a build of 290 MB of text ends with 8
/// unmerged segments (search 1 ms slower than one merged segment) instead of
/// rewriting all of them at the end (30% more build time, 660 MB peak RSS).
const SEGMENTS_PER_MERGE: usize = 10;
/// Memory the index writer may use for its buffers, shared by its threads;
/// large enough that a batch (below) fills one segment per thread.
const WRITER_MEMORY: usize = 256 * 1024 * 1024;
/// A long run commits after this many bytes of article text (about 3 s of
/// work: an interrupted run loses at most that)…
const BATCH_BYTES: usize = 64 * 1024 * 1024;
/// …or this many articles, whichever comes first.
const BATCH_ARTICLES: usize = 100_000;

/// What `newsdex index` is asked to do.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub seeds: PathBuf,
    pub index: PathBuf,
    /// Start from an empty index even when one of the right format exists.
    pub rebuild: bool,
    /// Wait for another process that is writing the index, instead of failing.
    pub wait: bool,
}

/// What a run did, for its summary line.
#[derive(Debug, Default)]
pub struct Summary {
    /// What changed, and the articles in the index after the run.
    pub counts: Counts,
    /// Passages in the index after the run.
    pub passages: u64,
    pub seconds: f64,
}

impl Summary {
    pub fn line(&self, opts: &IndexOptions) -> String {
        let c = &self.counts;
        let mut line = format!(
            "indexed {} into {}: {} added, {} updated, {} removed, {} unchanged; {} ({}) in {:.2} s",
            opts.seeds.display(),
            opts.index.display(),
            c.added,
            c.updated,
            c.removed,
            c.unchanged,
            plural(c.articles as u64, "article"),
            plural(self.passages, "passage"),
            self.seconds
        );
        if c.duplicates > 0 {
            let n = plural(c.duplicates as u64, "duplicate");
            line.push_str(&format!("; {n} not indexed again"));
        }
        if c.converted > 0 {
            let n = plural(c.converted as u64, "file");
            line.push_str(&format!(
                "; {n} read in another encoding than UTF-8 (converted; the files are unchanged)"
            ));
        }
        if c.skipped > 0 {
            let n = plural(c.skipped as u64, "file");
            line.push_str(&format!("; {n} skipped (see warnings above)"));
        }
        line
    }
}

/// `1 article`, `2 articles`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
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

/// What every passage stores of its article, for display (the names are
/// those of the JSON output's `article`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub id: String,
    pub path: String,
    pub title: String,
    pub tags: Vec<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub year: Option<u64>,
}

impl Header {
    pub fn of(article: &Article) -> Header {
        Header {
            id: article.id.clone(),
            path: article.path.clone(),
            title: article.title.clone(),
            tags: article.tags.clone(),
            publisher: article.publisher.clone(),
            date: article.date.clone(),
            year: article.year,
        }
    }

    /// The header stored on an article's first passage (`None` on the
    /// others).
    pub fn from_doc(doc: &TantivyDocument, f: &Fields) -> Option<Header> {
        doc.get_first(f.header)
            .and_then(|v| v.as_str())
            .and_then(|h| serde_json::from_str(h).ok())
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
                }
                if let Some(year) = article.year {
                    doc.add_u64(f.year, year);
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
                        eprintln!(
                            "newsdex: note: waiting for another newsdex process to finish updating {}",
                            store.dir.display()
                        );
                        waited = true;
                    }
                    thread::sleep(Duration::from_millis(100));
                }
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => bail!(
                    "the index at {} is being updated by another newsdex process: wait for it to finish, or pass --wait",
                    store.dir.display()
                ),
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

    /// Commits, then lets the merges that the commit started finish.
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        let dir = self.dir;
        self.writer
            .wait_merging_threads()
            .map_err(|e| store::write_error(&dir, &e))
    }
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed}  {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The warning line for an event of a refresh, if it deserves one.
pub fn warning(event: &Event, seeds: &Path) -> Option<String> {
    match event {
        Event::Skipped(skip) => Some(skip.to_string()),
        Event::Duplicate(d) => Some(format!(
            "duplicate {}: same content as {}, indexed once",
            seeds.join(&d.path).display(),
            d.of
        )),
        _ => None,
    }
}

/// Builds the index of the seeds folder, or brings an existing one up to
/// date (only new, changed and deleted files cost work).
/// Warnings about skipped files and duplicates go to `warn` as they are found.
pub fn run(opts: &IndexOptions, warn: &mut dyn FnMut(&str)) -> Result<Summary> {
    let started = Instant::now();
    check_seeds(&opts.seeds)?;
    store::remove_rebuild_leftovers(&opts.index);
    if opts.rebuild && store::exists(&opts.index) {
        return rebuild_beside(opts, warn, started);
    }
    let store = if store::exists(&opts.index) {
        Store::open(&opts.index)?
    } else {
        Store::create(&opts.index)?
    };
    let batcher = Batcher::open(&store, opts.wait, true)?;
    fill(&store, batcher, opts, warn, started)
}

/// `--rebuild` of an existing index: a new index is built beside it, then
/// swapped in at once. Searches read the old index until the swap, and a
/// run killed at any moment leaves the old index as it was. The old index
/// stays locked against other writers meanwhile.
fn rebuild_beside(
    opts: &IndexOptions,
    warn: &mut dyn FnMut(&str),
    started: Instant,
) -> Result<Summary> {
    store::check_replaceable(&opts.index)?;
    let _lock = store::lock(&opts.index, opts.wait)?;
    let beside = store::rebuild_dir(&opts.index);
    let summary = {
        let store = Store::create(&beside)?;
        let batcher = Batcher::open(&store, false, true)?;
        fill(&store, batcher, opts, warn, started)?
    };
    store::swap_in(&opts.index, &beside)?;
    Ok(summary)
}

/// Brings `store` in line with the seeds folder through `batcher`, and
/// commits.
fn fill(
    store: &Store,
    mut batcher: Batcher,
    opts: &IndexOptions,
    warn: &mut dyn FnMut(&str),
    started: Instant,
) -> Result<Summary> {
    let indexed = sync::indexed(&store.reader()?.searcher()).map_err(|e| store.damaged(&e))?;
    let bar = progress_bar();
    let counts = sync::refresh(
        indexed,
        &opts.seeds,
        &opts.index,
        Some(&mut batcher),
        &mut |event| {
            if let Some(line) = warning(event, &opts.seeds) {
                bar.suspend(|| warn(&line));
            }
        },
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )?;
    bar.set_message("committing");
    batcher.finish()?;
    bar.finish_and_clear();
    let passages = store.reader()?.searcher().num_docs();
    Ok(Summary {
        counts,
        passages,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Fails with a clear message when the seeds folder is missing.
pub fn check_seeds(seeds: &Path) -> Result<()> {
    if seeds.exists() && !seeds.is_dir() {
        bail!(
            "the seeds folder {} is not a folder: pass the folder of your articles with --seeds DIR",
            seeds.display()
        );
    }
    if !seeds.is_dir() {
        bail!(
            "the seeds folder {} does not exist: create it or pass --seeds DIR",
            seeds.display()
        );
    }
    Ok(())
}
