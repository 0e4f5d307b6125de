//! newsdex: full-text search over a folder of news articles, returning
//! ranked passages with exact highlights.
//!
//! The folders follow the data flow:
//! [`ingest`] (find and read files, parse articles, cut passages) →
//! [`index`] (schema, writing, keeping in step with the folder) →
//! [`query`] (parse, compile) → [`search`] (read the postings, rank
//! articles and passages, read hits back, highlight) → [`output`] (text
//! or JSON). [`analysis`] is the tokenizer shared by indexing, queries and
//! highlights; [`cli`] is the command line.

pub mod analysis;
pub mod cli;
pub mod clock;
pub mod index;
pub mod ingest;
pub mod output;
pub mod query;
pub mod search;
