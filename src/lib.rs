//! newsdex: full-text search over a folder of news articles, returning
//! ranked passages with exact highlights.
//!
//! The data flows through one module per stage:
//! [`files`] (walk and read) → [`article`] (parse fields) → [`passage`]
//! (split the body) → [`indexer`] (tantivy documents, see [`schema`] and
//! [`store`]; [`sync`] and [`add`] keep the index in step with the folder) →
//! [`query`] (parse the query language) → [`plan`] (analyzed leaves, tantivy
//! queries) → [`search`] (match articles with [`article_set`], rank passages,
//! cap) → [`highlight`] (exact spans) → [`render`] (text or JSON).

pub mod add;
pub mod analysis;
pub mod article;
pub mod article_set;
pub mod articles;
pub mod cli;
pub mod clock;
pub mod evidence;
pub mod files;
pub mod highlight;
pub mod indexer;
pub mod passage;
pub mod plan;
pub mod query;
pub mod render;
pub mod schema;
pub mod search;
pub mod store;
pub mod sync;
