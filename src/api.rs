//! The library's front door: what a front end (the command line, a web
//! page) does with newsdex, with typed results and [`Error`]s.
//!
//! ```
//! use newsdex::{Index, IndexOptions, SearchOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let seeds = dir.path().join("seeds");
//! std::fs::create_dir(&seeds)?;
//! std::fs::write(
//!     seeds.join("port.txt"),
//!     "Port strike ends\n\nDock workers returned on Monday.\n\nSource: Harbour Wire, 2006-11-13\n",
//! )?;
//!
//! // Build the index of the folder (warnings about skipped files go to the closure).
//! let options = IndexOptions::new(&seeds, dir.path().join("index"));
//! let (index, summary) = Index::build(&options, &mut |warning| eprintln!("{warning}"))?;
//! assert_eq!(summary.counts.added, 1);
//!
//! // Ranked passages with their highlights (UTF-8 byte ranges).
//! let results = index.search("dock workers", &SearchOptions::default())?;
//! let hit = &results.hits[0];
//! assert_eq!(hit.article.header.title, "Port strike ends");
//! assert_eq!(hit.passage.highlights, [(0, 4), (5, 12)]);
//!
//! // The whole article, by id or path, with a query's words highlighted.
//! let full = index.article("port.txt", Some("monday"))?.expect("indexed");
//! assert_eq!(full.article.header.publisher.as_deref(), Some("Harbour Wire"));
//! assert_eq!(full.passages[0].highlights, [(25, 31)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::index::add::{self, Input, Outcome};
use crate::index::build::{self, IndexOptions, Summary};
use crate::index::store::Store;
use crate::index::sync::{self, Status};
use crate::search::count::{Counts, Facet};
use crate::search::export::{Record, Unit};
use crate::search::read::FullArticle;
use crate::search::{self, Results, SearchOptions};

/// An open newsdex index and its seeds folder.
pub struct Index {
    store: Store,
    seeds: PathBuf,
}

impl Index {
    /// Opens the index in `dir`, made from the articles in `seeds`.
    pub fn open(dir: impl AsRef<Path>, seeds: impl AsRef<Path>) -> Result<Index> {
        let store = Store::open(dir.as_ref()).map_err(Error::from_anyhow)?;
        Ok(Index {
            store,
            seeds: seeds.as_ref().to_path_buf(),
        })
    }

    /// Builds the index of `options.seeds` in `options.index` (or brings
    /// it up to date, or rebuilds it), and opens it. `warn` hears about
    /// each file skipped or indexed once for two paths.
    pub fn build(options: &IndexOptions, warn: &mut dyn FnMut(&str)) -> Result<(Index, Summary)> {
        let summary = build::run(options, warn).map_err(Error::from_anyhow)?;
        Ok((Index::open(&options.index, &options.seeds)?, summary))
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.store.dir
    }

    /// The seeds folder.
    pub fn seeds(&self) -> &Path {
        &self.seeds
    }

    /// Runs a query (see the README's query language).
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<Results> {
        search::search(&self.store, query, options).map_err(Error::from_anyhow)
    }

    /// The whole article whose id or path (relative to the seeds folder)
    /// is `key`, with the words of `query` highlighted when one is given;
    /// `None` when the index holds no such article.
    pub fn article(&self, key: &str, query: Option<&str>) -> Result<Option<FullArticle>> {
        search::show(&self.store, key, query).map_err(Error::from_anyhow)
    }

    /// Counts the articles that match `query` (every article when `None`)
    /// by year, month or publisher; `any`: any of the words.
    pub fn count(&self, query: Option<&str>, any: bool, by: Facet) -> Result<Counts> {
        search::count::count(&self.store, query, any, by).map_err(Error::from_anyhow)
    }

    /// Hands `emit` a record for each article that matches `query` (every
    /// article when `None`), or for each of their passages, in path order;
    /// the number of articles exported.
    pub fn export(
        &self,
        query: Option<&str>,
        any: bool,
        unit: Unit,
        emit: &mut dyn FnMut(Record) -> anyhow::Result<()>,
    ) -> Result<u64> {
        search::export::export(&self.store, query, any, unit, emit).map_err(Error::from_anyhow)
    }

    /// Brings the index up to date with its seeds folder.
    pub fn refresh(&self, wait: bool, warn: &mut dyn FnMut(&str)) -> Result<Summary> {
        let options = IndexOptions {
            wait,
            ..IndexOptions::new(&self.seeds, &self.store.dir)
        };
        build::run(&options, warn).map_err(Error::from_anyhow)
    }

    /// Adds articles (files, folders, standard input) to the seeds folder
    /// and the index; one outcome per article.
    pub fn add(&self, inputs: &[Input], stdin: &mut dyn Read, wait: bool) -> Result<Vec<Outcome>> {
        add::run(&self.store, &self.seeds, inputs, stdin, wait).map_err(Error::from_anyhow)
    }

    /// What the index holds, and what in the seeds folder is not indexed yet.
    pub fn status(&self) -> Result<Status> {
        build::check_seeds(&self.seeds).map_err(Error::from_anyhow)?;
        sync::status(&self.store, &self.seeds).map_err(Error::from_anyhow)
    }
}
