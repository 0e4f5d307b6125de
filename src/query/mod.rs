//! The query language: parsing it into a tree, reading it loosely
//! (any of the words, plain words), describing it, and compiling it for the
//! index (stems and prefixes expanded).

pub mod describe;
pub mod loose;
pub mod parse;
pub mod plan;

pub use describe::describe;
pub use loose::{plain_words, relax};
pub use parse::*;
