//! Relevance feedback (RM3) for natural-language queries: the words that
//! stand out in the best articles, added to the query with a share of its
//! weight (they are not highlighted).

use anyhow::Result;
use rustc_hash::FxHashMap;
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::analysis::{self, is_stop_word, Stems};
use crate::index::schema::Fields;
use crate::search::evidence::Evidence;

/// Query expansion (RM3): the best articles read, the words taken from
/// them, and the share of the ranking left to the user's words.
const FEEDBACK_ARTICLES: usize = 10;
const FEEDBACK_WORDS: usize = 10;
const ORIGINAL_WEIGHT: f32 = 0.5;

/// Relevance feedback (RM3): the words that stand out in the best
/// articles by article score, weighted by how much they stand out and how
/// good the article is. Returns (stem, weight in the query, as written).
pub(crate) fn feedback(
    searcher: &Searcher,
    fields: &Fields,
    evidence: &Evidence,
    original_words: usize,
) -> Result<Vec<(String, f32, String)>> {
    let articles = &evidence.articles;
    // By score, equal scores in serial order (whatever the segments).
    let serial = |article: u32| articles.serial(article);
    let mut best: Vec<(f32, u32)> = evidence
        .scores
        .iter()
        .map(|s| (s.score, s.article))
        .collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0));
    if let Some(&(edge, _)) = best.get(FEEDBACK_ARTICLES - 1) {
        let tied = best.partition_point(|b| b.0 >= edge);
        best.truncate(tied);
        best.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| serial(a.1).cmp(&serial(b.1)))
        });
    }
    best.truncate(FEEDBACK_ARTICLES);
    let total: f32 = best.iter().map(|b| b.0).sum();
    if best.is_empty() || total <= 0.0 {
        return Ok(Vec::new());
    }
    let mut analyzer = analysis::analyzer();
    let mut stems = Stems::default();
    // Per stem: relevance-model weight, and the forms it was written in.
    let mut model: FxHashMap<String, (f32, FxHashMap<String, u32>)> = FxHashMap::default();
    for (score, article) in best {
        let mut counts: FxHashMap<String, (u32, FxHashMap<String, u32>)> = FxHashMap::default();
        let mut length = 0u32;
        let Some((seg, docs)) = articles.passages(article) else {
            continue;
        };
        for doc_id in docs {
            let doc: TantivyDocument = searcher.doc(DocAddress::new(seg, doc_id))?;
            let text = doc.get_first(fields.text).and_then(|v| v.as_str());
            for t in analysis::tokens(&mut analyzer, text.unwrap_or_default()) {
                length += 1;
                let useful = t.exact.chars().count() > 1
                    && !is_stop_word(&t.exact)
                    && !t.exact.chars().all(|c| c.is_ascii_digit() || c == '.');
                if useful {
                    let entry = counts.entry(stems.stem(&t.exact)).or_default();
                    entry.0 += 1;
                    *entry.1.entry(t.exact).or_default() += 1;
                }
            }
        }
        for (stem, (tf, forms)) in counts {
            let entry = model.entry(stem).or_default();
            entry.0 += score / total * tf as f32 / length.max(1) as f32;
            for (form, n) in forms {
                *entry.1.entry(form).or_default() += n;
            }
        }
    }
    let mut words: Vec<(String, f32, String)> = model
        .into_iter()
        .map(|(stem, (weight, forms))| {
            let form = forms
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|f| f.0)
                .unwrap_or_else(|| stem.clone());
            (stem, weight, form)
        })
        .collect();
    words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(FEEDBACK_WORDS);
    let sum: f32 = words.iter().map(|w| w.1).sum();
    // The user's words keep ORIGINAL_WEIGHT of the query, the added words share the rest.
    let share = (1.0 - ORIGINAL_WEIGHT) / ORIGINAL_WEIGHT * original_words as f32;
    for w in &mut words {
        w.1 = w.1 / sum * share;
    }
    Ok(words)
}
