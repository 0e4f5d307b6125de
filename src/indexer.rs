//! Building the index from the seeds folder: files → articles → passages →
//! tantivy documents.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use tantivy::directory::error::LockError;
use tantivy::{IndexWriter, TantivyDocument, TantivyError};

use crate::article::{self, Article};
use crate::files::{self, Skipped};
use crate::passage::{self, Passage};
use crate::schema::Fields;
use crate::store::{self, Store};

/// Memory the index writer may use for its buffers, shared by its threads.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;

/// What `newsdex index` is asked to do.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub seeds: PathBuf,
    pub index: PathBuf,
    /// Start from an empty index even when one of the right format exists.
    pub rebuild: bool,
}

/// What a run did, for its summary line.
#[derive(Debug, Default)]
pub struct Summary {
    pub articles: usize,
    pub passages: usize,
    pub skipped: usize,
    pub duplicates: usize,
    pub seconds: f64,
}

impl Summary {
    pub fn line(&self, opts: &IndexOptions) -> String {
        let mut line = format!(
            "indexed {} articles ({} passages) from {} into {} in {:.2} s",
            self.articles,
            self.passages,
            opts.seeds.display(),
            opts.index.display(),
            self.seconds
        );
        if self.duplicates > 0 {
            line.push_str(&format!("; {} duplicates indexed once", self.duplicates));
        }
        if self.skipped > 0 {
            line.push_str(&format!(
                "; {} files skipped (see warnings above)",
                self.skipped
            ));
        }
        line
    }
}

/// The number under which an article's passages are grouped: the first 8
/// bytes of its id.
pub fn article_key(id: &str) -> u64 {
    u64::from_str_radix(&id[..16.min(id.len())], 16).unwrap_or(0)
}

/// The tantivy documents of one article: one per passage.
pub fn documents(article: &Article, passages: &[Passage], f: &Fields) -> Vec<TantivyDocument> {
    let key = article_key(&article.id);
    passages
        .iter()
        .map(|p| {
            let mut doc = TantivyDocument::new();
            doc.add_text(f.id, &article.id);
            doc.add_u64(f.article_key, key);
            doc.add_text(f.path, &article.path);
            doc.add_text(f.title, &article.title);
            for tag in &article.tags {
                doc.add_text(f.tags, tag);
            }
            if let Some(publisher) = &article.publisher {
                doc.add_text(f.publisher, publisher);
            }
            if let Some(date) = &article.date {
                doc.add_text(f.date, date);
            }
            if let Some(year) = article.year {
                doc.add_u64(f.year, year);
            }
            doc.add_text(f.text, &p.text);
            doc.add_u64(f.ordinal, p.ordinal);
            doc.add_u64(f.kind, p.kind.code());
            doc
        })
        .collect()
}

/// Opens a writer, turning "another process holds the lock" into a clear message.
pub fn writer(store: &Store) -> Result<IndexWriter> {
    match store.index.writer(WRITER_MEMORY) {
        Ok(w) => Ok(w),
        Err(TantivyError::LockFailure(LockError::LockBusy, _)) => bail!(
            "the index at {} is being updated by another newsdex process: wait for it to finish, then run the command again",
            store.dir.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot write to the index at {}", store.dir.display())),
    }
}

fn progress_bar(len: usize) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed}  {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Builds (or rebuilds) the index of every article under the seeds folder.
/// Warnings about skipped files go to `warn` as they are found.
pub fn run(opts: &IndexOptions, warn: &mut dyn FnMut(&str)) -> Result<Summary> {
    let started = Instant::now();
    check_seeds(&opts.seeds)?;
    let store = open_or_create(&opts.index, opts.rebuild)?;
    let mut writer = writer(&store)?;
    writer.delete_all_documents()?;

    let walk = files::walk(&opts.seeds, Some(&opts.index));
    let bar = progress_bar(walk.files.len());
    let mut summary = Summary::default();
    let mut say = |message: String| bar.suspend(|| warn(&message));
    for skip in &walk.skipped {
        summary.skipped += 1;
        say(skip.to_string());
    }
    let mut seen: HashMap<String, String> = HashMap::new();
    for file in &walk.files {
        bar.inc(1);
        let text = match files::read_text(&file.abs) {
            Ok(t) => t,
            Err(reason) => {
                let skip = Skipped {
                    path: file.abs.display().to_string(),
                    reason,
                };
                summary.skipped += 1;
                say(skip.to_string());
                continue;
            }
        };
        let article = article::parse(&file.rel, &text);
        if let Some(first) = seen.get(&article.id) {
            summary.duplicates += 1;
            say(format!(
                "duplicate {}: same content as {first}, indexed once",
                file.abs.display()
            ));
            continue;
        }
        seen.insert(article.id.clone(), file.rel.clone());
        let passages = passage::passages(&article);
        summary.articles += 1;
        summary.passages += passages.len();
        for doc in documents(&article, &passages, &store.fields) {
            writer.add_document(doc)?;
        }
    }
    bar.set_message("committing");
    writer
        .commit()
        .with_context(|| format!("cannot commit the index at {}", opts.index.display()))?;
    writer.wait_merging_threads()?;
    bar.finish_and_clear();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Fails with a clear message when the seeds folder is missing.
pub fn check_seeds(seeds: &Path) -> Result<()> {
    if !seeds.is_dir() {
        bail!(
            "the seeds folder {} does not exist: create it or pass --seeds DIR",
            seeds.display()
        );
    }
    Ok(())
}

/// Opens the index, or creates it when there is none (or when asked to
/// rebuild one of another format).
fn open_or_create(dir: &Path, rebuild: bool) -> Result<Store> {
    if !store::exists(dir) {
        return Store::create(dir);
    }
    match Store::open(dir) {
        Ok(store) => Ok(store),
        Err(_) if rebuild => Store::create(dir),
        Err(e) => Err(e),
    }
}
