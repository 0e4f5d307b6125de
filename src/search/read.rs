//! Reading a whole article back: its header and every passage, in order,
//! found by its id or its path.

use anyhow::Result;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::index::schema::{Fields, Header};
use crate::ingest::passage::PassageKind;
use crate::search::articles::Articles;

/// A whole article, as the index holds it.
#[derive(Debug, Clone, Serialize)]
pub struct FullArticle {
    /// id, path, title, tags, publisher, date, year.
    #[serde(flatten)]
    pub header: Header,
    pub passages: Vec<Passage>,
}

/// One passage of a [`FullArticle`].
#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    pub ordinal: u64,
    pub kind: PassageKind,
    pub text: String,
}

/// The article whose id or path (relative to the seeds folder) is `key`.
pub fn article(searcher: &Searcher, fields: &Fields, key: &str) -> Result<Option<FullArticle>> {
    let Some(first) = first_passage(searcher, fields, key)? else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(first)?;
    let header = Header::from_doc(&doc, fields)
        .ok_or_else(|| anyhow::anyhow!("the indexed article {key} has no stored header"))?;
    let articles = Articles::of(searcher)?;
    let number = articles
        .article(first.segment_ord as usize, first.doc_id)
        .ok_or_else(|| anyhow::anyhow!("the indexed article {key} has no article number"))?;
    let (segment, docs) = articles
        .passages(number)
        .ok_or_else(|| anyhow::anyhow!("the indexed article {key} has no passages"))?;
    let mut passages = Vec::with_capacity(docs.len());
    for doc_id in docs {
        let doc: TantivyDocument = searcher.doc(DocAddress::new(segment, doc_id))?;
        let number = |field| doc.get_first(field).and_then(|v| v.as_u64());
        passages.push(Passage {
            ordinal: number(fields.ordinal)
                .ok_or_else(|| anyhow::anyhow!("a passage of {key} has no ordinal"))?,
            kind: PassageKind::from_code(
                number(fields.kind)
                    .ok_or_else(|| anyhow::anyhow!("a passage of {key} has no kind"))?,
            ),
            text: doc
                .get_first(fields.text)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
        });
    }
    Ok(Some(FullArticle { header, passages }))
}

/// The first passage of the article with this id, or else this path.
fn first_passage(searcher: &Searcher, fields: &Fields, key: &str) -> Result<Option<DocAddress>> {
    for field in [fields.id, fields.path] {
        let query = TermQuery::new(Term::from_field_text(field, key), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        if let Some(&(_, addr)) = top.first() {
            return Ok(Some(addr));
        }
    }
    Ok(None)
}
