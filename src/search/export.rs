//! Exporting articles (or their passages) with every field the index
//! holds, as records for other engines to ingest (`newsdex export`: one JSON
//! document a line). The field names are those of the configurations in
//! `contrib/` (Quickwit, OpenSearch).

use anyhow::Result;
use serde::Serialize;
use tantivy::TantivyDocument;

use crate::index::schema::Header;
use crate::index::store::Store;
use crate::ingest::passage::PassageKind;
use crate::search::articles::Articles;
use crate::search::copies::Columns;
use crate::search::highlight::Highlighter;
use crate::search::{matching_articles, read};

/// What one record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Article,
    Passage,
}

/// One exported article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRecord {
    /// id, path, title, tags, publisher, date (`YYYY-MM-DD`), year.
    #[serde(flatten)]
    pub article: Header,
    /// The photo caption of a saved page.
    pub caption: Option<String>,
    /// The body passages, in order, separated by a blank line.
    pub body: String,
    /// How many passages the article has.
    pub passages: u64,
}

/// One exported passage, with its article's fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageRecord {
    /// The article's id, path, title, tags, publisher, date, year.
    #[serde(flatten)]
    pub article: Header,
    /// `<article id>-<ordinal>`: unique in an export.
    pub passage_id: String,
    pub ordinal: u64,
    pub kind: PassageKind,
    pub text: String,
}

/// One record of an export.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Record {
    Article(ArticleRecord),
    Passage(PassageRecord),
}

/// Hands `emit` a record for each article that matches `query` (every
/// article when `None`), or for each of their passages, in path order;
/// returns how many articles were exported.
pub fn export(
    store: &Store,
    query: Option<&str>,
    any: bool,
    unit: Unit,
    emit: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<u64> {
    let searcher = store.reader()?.searcher();
    let articles = Articles::of(&searcher)?;
    let (matching, _) = matching_articles(store, &searcher, &articles, query, any)?;
    let columns = Columns::of(&searcher, store.fields)?;
    let mut by_path: Vec<(String, u32)> = columns
        .articles(&articles, &matching)?
        .into_iter()
        .zip(&matching)
        .filter_map(|(copy, &a)| Some((copy?.path, a)))
        .collect();
    by_path.sort_unstable();
    let mut none = Highlighter::none();
    for (path, article) in &by_path {
        let damaged = || anyhow::anyhow!("the indexed article {path} has no passages");
        let (segment, docs) = articles.passages(*article).ok_or_else(damaged)?;
        let first: TantivyDocument = searcher.doc(tantivy::DocAddress::new(segment, docs.start))?;
        let header = Header::from_doc(&first, &store.fields)
            .ok_or_else(|| anyhow::anyhow!("the indexed article {path} has no stored header"))?;
        let passages = read::passages(&searcher, &store.fields, segment, docs, &mut none)
            .map_err(|e| store.damaged(&e))?;
        match unit {
            Unit::Article => {
                let caption = passages
                    .iter()
                    .find(|p| p.kind == PassageKind::Caption)
                    .map(|p| p.text.clone());
                let body: Vec<&str> = passages
                    .iter()
                    .filter(|p| p.kind == PassageKind::Body)
                    .map(|p| p.text.as_str())
                    .collect();
                emit(Record::Article(ArticleRecord {
                    article: header,
                    caption,
                    body: body.join("\n\n"),
                    passages: passages.len() as u64,
                }))?;
            }
            Unit::Passage => {
                for p in passages {
                    emit(Record::Passage(PassageRecord {
                        passage_id: format!("{}-{}", header.id, p.ordinal),
                        article: header.clone(),
                        ordinal: p.ordinal,
                        kind: p.kind,
                        text: p.text,
                    }))?;
                }
            }
        }
    }
    Ok(by_path.len() as u64)
}
