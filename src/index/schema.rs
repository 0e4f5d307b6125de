//! The index schema: one tantivy document per passage, carrying its
//! article's metadata and the file's size and modification time (so that the
//! index itself records what was indexed, see [`crate::index::sync`]). Field names
//! are defined here and nowhere else.
//!
//! Text is indexed as exact forms (lowercased, accents folded), with
//! positions; an unquoted word is looked up as every form of its stem (see
//! [`crate::analysis`] and [`crate::query::plan`]).

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::analysis::ANALYZER_NAME;
use crate::ingest::article::Article;

pub const ID: &str = "id";
pub const ARTICLE_KEY: &str = "article_key";
pub const ARTICLE_SERIAL: &str = "article_serial";
pub const ARTICLE_LEN: &str = "article_len";
pub const PATH: &str = "path";
pub const HEADER: &str = "header";
pub const TITLE: &str = "title";
pub const TAGS: &str = "tags";
pub const PUBLISHER: &str = "publisher";
pub const PUBLISHER_NAME: &str = "publisher_name";
pub const YEAR: &str = "year";
pub const DATE: &str = "date";
pub const TEXT: &str = "text";
pub const ORDINAL: &str = "ordinal";
pub const COPY_KEY: &str = "copy_key";
pub const KIND: &str = "kind";
pub const SIZE: &str = "size";
pub const MTIME: &str = "mtime";

/// Handles to every field of the schema. Fields marked "first passage"
/// are given once per article, on its first passage.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Article id (content hash, hex); first passage. Indexed to find an
    /// article by content, a fast field for the refresh.
    pub id: Field,
    /// The article's serial number in this index, on every passage:
    /// indexed to delete an article.
    pub article_key: Field,
    /// The same number, on the first passage: a fast field for the order
    /// of articles that do not depend on segments (equal scores, the
    /// refresh). One value per article, not per passage, so that a search
    /// opens it in a sixth of the time.
    pub article_serial: Field,
    /// The article's length in tokens (headline, tags and every passage):
    /// first passage. A fast field for article-level ranking, whose
    /// presence marks where each article starts (see [`crate::search::articles`]).
    pub article_len: Field,
    /// Path relative to the seeds folder, unique per file; first passage.
    /// Indexed to find a file's article, a fast field for the refresh.
    pub path: Field,
    /// The article's [`crate::index::schema::Header`] as JSON, stored on the
    /// first passage for display.
    pub header: Field,
    /// Headline, tags (one value per tag), publisher and year: first passage.
    pub title: Field,
    pub tags: Field,
    pub publisher: Field,
    pub year: Field,
    /// The publisher as written, a fast field for counts by publisher;
    /// first passage.
    pub publisher_name: Field,
    /// The article's day as `YYYYMMDD`, or `YYYY0000` when it gives only a
    /// year; first passage. Indexed for `date:` ranges, a fast field to sort
    /// by date.
    pub date: Field,
    /// The passage text.
    pub text: Field,
    /// 1-based position of the passage in its article (a fast field too:
    /// it leads from a passage to its article's first passage).
    pub ordinal: Field,
    /// A hash of the passage's words (exact forms): passages with the same
    /// key are copies of one another, shown once.
    pub copy_key: Field,
    /// What the passage is: see [`crate::ingest::passage::PassageKind`].
    pub kind: Field,
    /// Size in bytes of the file when it was indexed; first passage.
    pub size: Field,
    /// Modification time of the file when it was indexed (ns since 1970);
    /// first passage.
    pub mtime: Field,
}

fn analyzed() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default().set_indexing_options(indexing)
}

/// Builds the schema and the handles to its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field(ID, STRING | FAST),
        article_key: b.add_u64_field(ARTICLE_KEY, INDEXED),
        article_serial: b.add_u64_field(ARTICLE_SERIAL, FAST),
        article_len: b.add_u64_field(ARTICLE_LEN, FAST),
        path: b.add_text_field(PATH, STRING | FAST),
        header: b.add_text_field(HEADER, STORED),
        title: b.add_text_field(TITLE, analyzed()),
        tags: b.add_text_field(TAGS, analyzed()),
        publisher: b.add_text_field(PUBLISHER, analyzed()),
        publisher_name: b.add_text_field(PUBLISHER_NAME, FAST),
        year: b.add_u64_field(YEAR, INDEXED),
        date: b.add_u64_field(DATE, INDEXED | FAST),
        text: b.add_text_field(TEXT, analyzed().set_stored()),
        ordinal: b.add_u64_field(ORDINAL, STORED | FAST),
        copy_key: b.add_u64_field(COPY_KEY, FAST),
        kind: b.add_u64_field(KIND, STORED),
        size: b.add_u64_field(SIZE, FAST),
        mtime: b.add_u64_field(MTIME, FAST),
    };
    (b.build(), fields)
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
            date: article.date.map(|d| d.to_string()),
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
