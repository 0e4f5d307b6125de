//! From files to articles: finding and reading article files (and their
//! encodings), parsing them into fields, and cutting their bodies into
//! passages.

pub mod article;
pub mod dates;
pub mod files;
pub mod passage;
