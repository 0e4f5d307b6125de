//! Reading a whole article back: its header and every passage, in order,
//! found by its id or its path, with a query's highlights when one is
//! given (`newsdex show`); and the passages around a hit (`--context`).

use std::ops::Range;

use anyhow::Result;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Searcher, TantivyDocument, Term};

use crate::index::schema::{Fields, Header};
use crate::ingest::passage::PassageKind;
use crate::search::articles::Articles;
use crate::search::highlight::Highlighter;
use crate::search::{ArticleInfo, PassageInfo};

/// A whole article, as the index holds it (the JSON of `newsdex show`).
#[derive(Debug, Clone, Serialize)]
pub struct FullArticle {
    /// The same object as a search hit's `article`.
    pub article: ArticleInfo,
    /// Every passage, in order, with the query's highlights.
    pub passages: Vec<PassageInfo>,
}

/// The article whose id or path (relative to the seeds folder) is `key`,
/// its words marked by `highlighter`.
pub fn article(
    searcher: &Searcher,
    fields: &Fields,
    key: &str,
    highlighter: &mut Highlighter,
) -> Result<Option<FullArticle>> {
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
    let passages = passages(searcher, fields, segment, docs, highlighter)?;
    let title_highlights = highlighter.title(&header.title);
    Ok(Some(FullArticle {
        article: ArticleInfo {
            header,
            title_highlights,
        },
        passages,
    }))
}

/// The passages `docs` of one segment, in order, marked by `highlighter`.
pub fn passages(
    searcher: &Searcher,
    fields: &Fields,
    segment: u32,
    docs: Range<DocId>,
    highlighter: &mut Highlighter,
) -> Result<Vec<PassageInfo>> {
    let mut out = Vec::with_capacity(docs.len());
    for doc_id in docs {
        let (ordinal, kind, text) =
            stored_passage(searcher, fields, DocAddress::new(segment, doc_id))?;
        out.push(PassageInfo {
            ordinal,
            kind,
            highlights: highlighter.text(&text).spans,
            text,
        });
    }
    Ok(out)
}

/// What the index stores of the passage at `addr`: its ordinal, kind and text.
pub(crate) fn stored_passage(
    searcher: &Searcher,
    fields: &Fields,
    addr: DocAddress,
) -> Result<(u64, PassageKind, String)> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let number = |field| doc.get_first(field).and_then(|v| v.as_u64());
    let ordinal = number(fields.ordinal)
        .ok_or_else(|| anyhow::anyhow!("a passage has no recorded ordinal"))?;
    let kind = PassageKind::from_code(
        number(fields.kind).ok_or_else(|| anyhow::anyhow!("a passage has no recorded kind"))?,
    );
    let text = doc
        .get_first(fields.text)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    Ok((ordinal, kind, text))
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
