//! `newsdex index`: build the index of the seeds folder, or bring it up to
//! date; `--rebuild` builds a new one beside it and swaps it in.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::error::Error;
use crate::index::store::{self, Store};
use crate::index::sync::{self, Counts, Event};
use crate::index::writer::Batcher;
use crate::ingest::files;
use crate::output::plural;

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

impl IndexOptions {
    /// Index the articles in `seeds` into `index`: bring the index up to
    /// date, and fail if another process writes it.
    pub fn new(seeds: impl AsRef<Path>, index: impl AsRef<Path>) -> IndexOptions {
        IndexOptions {
            seeds: seeds.as_ref().to_path_buf(),
            index: index.as_ref().to_path_buf(),
            rebuild: false,
            wait: false,
        }
    }
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
        if c.ignored > 0 {
            let n = plural(c.ignored as u64, "path");
            line.push_str(&format!("; {n} left out by {}", files::IGNORE_FILE));
        }
        if !c.not_articles.is_empty() {
            let mut names: Vec<&str> = c.not_articles.iter().take(3).map(String::as_str).collect();
            let more = c.not_articles.len() - names.len();
            let more = format!("and {more} more");
            if c.not_articles.len() > 3 {
                names.push(&more);
            }
            line.push_str(&format!(
                "; {} not read as articles (README/licence files; see `newsdex status`)",
                names.join(", ")
            ));
        }
        if c.skipped > 0 {
            let n = plural(c.skipped as u64, "file");
            line.push_str(&format!("; {n} skipped (see warnings above)"));
        }
        line
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
        Event::Warning(w) => Some(w.clone()),
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
    let (store, batcher) = if store::exists(&opts.index) {
        let store = Store::open(&opts.index)?;
        let batcher = Batcher::open(&store, opts.wait, true)?;
        (store, batcher)
    } else {
        new_index(&opts.index, opts.wait)?
    };
    fill(&store, batcher, opts, warn, started)
}

/// A new, empty index in `dir` and its writer, which merges the smaller
/// segments once the build is done.
fn new_index(dir: &Path, wait: bool) -> Result<(Store, Batcher)> {
    let store = Store::create(dir)?;
    let batcher = Batcher::open(&store, wait, true)?.merging_small_segments_at_end();
    Ok((store, batcher))
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
        let (store, batcher) = new_index(&beside, false)?;
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
    let searcher = store.reader()?.searcher();
    let bar = progress_bar();
    let counts = sync::refresh(
        move || sync::indexed(&searcher).map_err(|e| store.damaged(&e)),
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
    let problem = if seeds.exists() && !seeds.is_dir() {
        "is not a folder: pass the folder of your articles with --seeds DIR"
    } else if !seeds.is_dir() {
        "does not exist: create it or pass --seeds DIR"
    } else {
        return Ok(());
    };
    Err(Error::Seeds {
        dir: seeds.to_path_buf(),
        message: format!("the seeds folder {} {problem}", seeds.display()),
    }
    .into())
}
