//! newsdex: full-text search over a folder of news articles, returning
//! ranked passages with exact highlights.
//!
//! The folders follow the data flow:
//! [`ingest`] (find and read files, parse articles, cut passages) →
//! [`index`] (schema, writing, keeping in step with the folder) →
//! [`query`] (parse, compile) → [`search`] (read the postings, rank
//! articles and passages, read hits back, highlight) → [`output`] (text
//! or JSON). [`serve`] is the web page and JSON API over [`Index`]. [`analysis`] is the tokenizer shared by indexing, queries and
//! highlights; [`cli`] is the command line; [`allocator`] the program's
//! memory allocator.
//!
//! A front end uses [`Index`] (see its example): the command line is one,
//! and the only module that knows clap.

pub mod allocator;
pub mod analysis;
mod api;
pub mod cli;
pub mod clock;
pub mod error;
pub mod index;
pub mod ingest;
pub mod messages;
pub mod output;
pub mod query;
pub mod search;
pub mod serve;
#[cfg(test)]
mod testing;

pub use api::Index;
pub use error::{Error, Exit};
pub use index::add::{Input, Outcome};
pub use index::build::{IndexOptions, Summary};
pub use search::count::{Counts, Facet};
pub use search::export::{Record, Unit};
pub use search::read::FullArticle;
pub use search::{Results, SearchOptions, Sort};
