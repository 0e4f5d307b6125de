//! The index on disk: its schema, opening and creating it, writing
//! articles to it, and keeping it in step with the seeds folder (`index`,
//! `add`, `status`).

pub mod add;
pub mod build;
pub mod change;
pub mod lean;
pub mod postings;
pub mod schema;
pub mod store;
pub mod sync;
pub mod writer;
