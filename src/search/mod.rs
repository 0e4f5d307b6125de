//! Running a query: article-level matching and evidence, passage ranking,
//! highlights, copies and the per-article cap.
//!
//! Words must all appear in an article, not necessarily in one passage, so
//! the boolean tree is evaluated on sets of articles (each leaf: the
//! articles with a passage, headline or tags matching it), read in the same
//! pass as each article's own score ([`crate::search::evidence`]). A passage's
//! score is its BM25 plus its article's score (an article relevant
//! throughout outranks a single lucky paragraph, and its best passage is
//! the one shown), re-ranked by how much of the query the passage itself
//! holds. The best passages are taken in a total order (score, then article
//! serial, then position), so that the hits never depend on how the index
//! is split into segments. A natural-language query (`--any`) is expanded
//! with the words that stand out in its best articles (RM3), which are not
//! highlighted.

pub mod article_set;
pub mod articles;
mod copies;
pub mod count;
pub mod evidence;
pub mod export;
mod feedback;
pub mod highlight;
mod hits;
mod rank;
pub mod read;
mod starts;

use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;
use tantivy::Searcher;

use crate::index::schema::Header;
use crate::index::store::Store;
use crate::ingest::passage::PassageKind;
use crate::query::plan::Plan;
use crate::query::{self, Node};
use crate::search::articles::Articles;
use crate::search::evidence::Evidence;
use crate::search::highlight::Highlighter;
use feedback::feedback;
use hits::{Candidate, Run};
use rank::Totals;
use read::FullArticle;

#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub limit: usize,
    pub per_article: usize,
    /// Any of the words instead of all of them (a natural-language query).
    pub any: bool,
    /// With `any`: expand the query with words from its best articles.
    pub expand: bool,
    /// Hits to pass over before the first one shown (paging).
    pub offset: usize,
    /// Passages of the article to show before and after each hit.
    pub context: usize,
    /// The order of the hits.
    pub sort: Sort,
}

/// The order of the hits: by relevance, or by the article's date (newest or
/// oldest first; equal dates by relevance; undated articles last).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

impl Default for SearchOptions {
    /// The command line's defaults: 10 passages, at most 3 from one article,
    /// all the words.
    fn default() -> SearchOptions {
        SearchOptions {
            limit: 10,
            per_article: 3,
            any: false,
            expand: true,
            offset: 0,
            context: 0,
            sort: Sort::Relevance,
        }
    }
}

/// The JSON document of a search (a contract: see the README).
#[derive(Debug, Serialize)]
pub struct Results {
    pub query: String,
    /// The query as newsdex read it (`phrase "…"`, `words a, b`, …).
    pub understood: String,
    /// Passages that match, before `--limit` and `--per-article`.
    pub total_hits: u64,
    /// Articles that match (those the passages are in).
    pub total_articles: u64,
    /// Hits passed over before the first one here (`--offset`).
    pub offset: usize,
    /// The order of the hits.
    pub sort: Sort,
    /// True when no article had all the words and partial matches are shown.
    pub relaxed: bool,
    /// Stop words left out of a natural-language query.
    pub ignored: Vec<String>,
    /// Words added by query expansion (not highlighted).
    pub expanded: Vec<String>,
    /// How the query was read, when the user should know (prefix caps,
    /// words read as plain words).
    pub notes: Vec<String>,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub article: ArticleInfo,
    pub passage: PassageInfo,
    /// Other articles with the same passage (copies of a wire story).
    pub also_in: Vec<Copy>,
    /// With `--context N`: up to N passages of the article before the hit's
    /// passage and after it, in order.
    pub context_before: Vec<PassageInfo>,
    pub context_after: Vec<PassageInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Copy {
    pub id: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleInfo {
    /// id, path, title, tags, publisher, date, year.
    #[serde(flatten)]
    pub header: Header,
    /// Byte ranges of `title` that matched.
    pub title_highlights: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageInfo {
    pub ordinal: u64,
    pub kind: PassageKind,
    pub text: String,
    /// UTF-8 byte ranges of `text`, half-open, sorted, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

/// What one compiled and run query found.
struct Outcome {
    totals: Totals,
    hits: Vec<Candidate>,
    plan: Plan,
    expanded: Vec<String>,
}

/// Compiles and runs a query tree; `natural` for a query of any of the
/// words (stop words left out; expanded when `expand`).
fn execute(
    store: &Store,
    searcher: &Searcher,
    node: &Node,
    natural: bool,
    expand: bool,
    opts: &SearchOptions,
) -> Result<Outcome> {
    let fields = store.fields;
    let mut plan = Plan::compile(node, searcher, &fields, natural)?;
    let read =
        |plan: &Plan| Evidence::gather(searcher, &fields, plan).map_err(|e| store.damaged(&e));
    let mut evidence = read(&plan)?;
    let mut expanded = Vec::new();
    if expand {
        let original = plan.patterns(|_| true).len();
        let words = feedback(searcher, &fields, &evidence, original.max(1))
            .map_err(|e| store.damaged(&e))?;
        let added: Vec<(String, f32)> = words.iter().map(|w| (w.0.clone(), w.1)).collect();
        if !added.is_empty() {
            plan.expand(searcher, &fields, &added)
                .map_err(|e| store.damaged(&e))?;
            evidence = read(&plan)?;
            expanded = words.into_iter().map(|w| w.2).collect();
        }
    }
    let (totals, hits) = Run {
        searcher,
        fields,
        plan: &plan,
        evidence: Arc::new(evidence),
    }
    .execute(opts)
    .map_err(|e| store.damaged(&e))?;
    Ok(Outcome {
        totals,
        hits,
        plan,
        expanded,
    })
}

/// The articles that match `query` (every live article when `None`), by
/// number, in index order, and the query as understood. `any`: any of the
/// words (without expansion).
pub(crate) fn matching_articles(
    store: &Store,
    searcher: &Searcher,
    articles: &Articles,
    query: Option<&str>,
    any: bool,
) -> Result<(Vec<u32>, Option<String>)> {
    let Some(text) = query else {
        let all: Vec<u32> = (0..articles.count() as u32).collect();
        let starts = articles.first_passages(&all);
        let alive = |first: &tantivy::DocAddress| {
            searcher
                .segment_reader(first.segment_ord)
                .alive_bitset()
                .is_none_or(|alive| alive.is_alive(first.doc_id))
        };
        let live = all
            .into_iter()
            .zip(&starts)
            .filter(|(_, first)| alive(first))
            .map(|(a, _)| a)
            .collect();
        return Ok((live, None));
    };
    let parsed = query::parse(text)?;
    let node = if any { query::relax(&parsed) } else { parsed };
    let plan = Plan::compile(&node, searcher, &store.fields, any)?;
    let evidence =
        Evidence::gather(searcher, &store.fields, &plan).map_err(|e| store.damaged(&e))?;
    let run = Run {
        searcher,
        fields: store.fields,
        plan: &plan,
        evidence: Arc::new(evidence),
    };
    let filter = run.filter();
    let mut matching: Vec<u32> = rank::accepted(&run.evidence, filter.as_ref())
        .map(|(_, p)| p.article)
        .collect();
    matching.dedup();
    Ok((matching, Some(query::describe(&node))))
}

/// The whole article whose id or path is `key`, with the words of `query`
/// (when given) highlighted; `None` when the index holds no such article.
pub fn show(store: &Store, key: &str, query: Option<&str>) -> Result<Option<FullArticle>> {
    let searcher = store.reader()?.searcher();
    let mut highlighter = match query {
        Some(text) => {
            let plan = Plan::compile(&query::parse(text)?, &searcher, &store.fields, false)?;
            Highlighter::of(&plan)
        }
        None => Highlighter::none(),
    };
    read::article(&searcher, &store.fields, key, &mut highlighter).map_err(|e| store.damaged(&e))
}

/// Runs `query_text` against the index.
pub fn search(store: &Store, query_text: &str, opts: &SearchOptions) -> Result<Results> {
    let mut notes = Vec::new();
    let parsed = match query::parse(query_text) {
        Ok(node) => node,
        Err(e) if opts.any => {
            notes.push(format!("read the query as plain words ({e})"));
            query::parse(&query::plain_words(query_text))?
        }
        Err(e) => return Err(e.into()),
    };
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let node = if opts.any {
        query::relax(&parsed)
    } else {
        parsed
    };
    let expand = opts.any && opts.expand;
    let outcome = execute(store, &searcher, &node, opts.any, expand, opts)?;
    if outcome.totals.passages == 0 && !opts.any {
        // No article has all the words: show the best partial matches.
        let relaxed = query::relax(&node);
        if relaxed != node {
            let partial = execute(store, &searcher, &relaxed, true, false, opts)?;
            let any_found = !partial.hits.is_empty();
            return Ok(results(
                query_text, &relaxed, partial, any_found, notes, opts,
            ));
        }
    }
    Ok(results(query_text, &node, outcome, false, notes, opts))
}

fn results(
    query: &str,
    node: &Node,
    outcome: Outcome,
    relaxed: bool,
    mut notes: Vec<String>,
    opts: &SearchOptions,
) -> Results {
    notes.extend(outcome.plan.notes);
    Results {
        query: query.to_string(),
        understood: query::describe(node),
        total_hits: outcome.totals.passages,
        total_articles: outcome.totals.articles,
        offset: opts.offset,
        sort: opts.sort,
        relaxed,
        ignored: outcome.plan.ignored,
        expanded: outcome.expanded,
        notes,
        hits: outcome
            .hits
            .into_iter()
            .enumerate()
            .map(|(i, c)| Hit {
                rank: opts.offset + i + 1,
                score: c.score,
                article: c.article,
                passage: c.passage,
                also_in: c.also_in,
                context_before: c.context_before,
                context_after: c.context_after,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::store_with;

    const GROWERS: &str = "Coffee harvest\n\nRain came late to the valley this year.\n\n\
        Growers said the coffee harvest doubled and coffee prices fell.\n";
    const MARKETS: &str = "Markets\n\nTraders moved grain, sugar, cotton, wool, timber, \
        copper, tin and, once, coffee.\n";

    fn search_in(articles: &[(&str, &str)], query: &str, opts: &SearchOptions) -> Results {
        search(&store_with(articles, 1), query, opts).unwrap()
    }

    #[test]
    fn the_passage_with_the_words_ranks_first_with_its_words_highlighted() {
        let found = search_in(
            &[
                ("markets.txt", MARKETS),
                ("growers.txt", GROWERS),
                ("tea.txt", "Tea\n\nTea held.\n"),
            ],
            "coffee",
            &SearchOptions::default(),
        );
        let first = &found.hits[0];
        assert_eq!(first.article.header.path, "growers.txt");
        assert_eq!(
            first.passage.ordinal, 2,
            "the growers' paragraph, not the rain"
        );
        let words: Vec<&str> = first
            .passage
            .highlights
            .iter()
            .map(|&(s, e)| &first.passage.text[s..e])
            .collect();
        assert_eq!(words, ["coffee", "coffee"]);
        assert_eq!(first.article.title_highlights, [(0, 6)]);
        let paths: Vec<&str> = found
            .hits
            .iter()
            .map(|h| h.article.header.path.as_str())
            .collect();
        // The growers' lead comes last: it matches by the headline only.
        assert_eq!(paths, ["growers.txt", "markets.txt", "growers.txt"]);
        assert_eq!(found.hits[2].passage.ordinal, 1);
        assert!(found.hits[2].passage.highlights.is_empty());
        assert_eq!(found.total_hits, 3);
    }

    #[test]
    fn copies_of_a_passage_are_one_hit_that_names_the_others() {
        let story = "Wire\n\nThe port of Santos shipped record coffee in March.\n";
        let found = search_in(
            &[
                ("one.txt", story),
                ("two.txt", story),
                ("growers.txt", GROWERS),
            ],
            "santos coffee",
            &SearchOptions::default(),
        );
        assert_eq!(found.hits.len(), 1);
        let copies: Vec<&str> = found.hits[0]
            .also_in
            .iter()
            .map(|c| c.path.as_str())
            .collect();
        let shown = found.hits[0].article.header.path.as_str();
        assert_eq!(copies.len(), 1);
        assert_ne!(copies[0], shown);
        assert!(["one.txt", "two.txt"].contains(&shown));
    }

    #[test]
    fn each_hit_names_all_its_copies_across_segments() {
        let port = "Wire\n\nThe port of Santos shipped record coffee in March.";
        let crop = "Crop\n\nGrowers in Minas expect a larger coffee crop after rain.";
        // Each copy ends with a line of its own (so has an id of its own).
        let articles: Vec<(String, String)> = ["p1", "c1", "p2", "c2", "p3", "c3", "p4"]
            .iter()
            .map(|name| {
                let story = if name.starts_with('p') { port } else { crop };
                (
                    format!("{name}.txt"),
                    format!("{story}\n\nFiled as {name}.\n"),
                )
            })
            .collect();
        let id = |path: &str| {
            let (_, text) = articles.iter().find(|a| a.0 == path).unwrap();
            crate::ingest::article::parse(path, text).id
        };
        // One, two or all articles per segment: copies come from several.
        for per_segment in [1, 2, 7] {
            let store = store_with(&articles, per_segment);
            let found = search(&store, "coffee", &SearchOptions::default()).unwrap();
            assert_eq!(found.hits.len(), 2, "{per_segment}");
            for hit in &found.hits {
                let shown = hit.article.header.path.as_str();
                let mut named: Vec<&str> = hit.also_in.iter().map(|c| c.path.as_str()).collect();
                named.push(shown);
                named.sort_unstable();
                let family: Vec<&str> = articles
                    .iter()
                    .map(|a| a.0.as_str())
                    .filter(|p| p[..1] == shown[..1])
                    .collect();
                assert_eq!(named, family, "{per_segment}");
                for copy in &hit.also_in {
                    assert_eq!(copy.id, id(&copy.path), "{}", copy.path);
                }
            }
        }
    }

    #[test]
    fn all_the_words_or_else_the_best_partial_matches() {
        let articles = [("markets.txt", MARKETS), ("growers.txt", GROWERS)];
        let found = search_in(&articles, "coffee valley", &SearchOptions::default());
        assert!(!found.relaxed);
        assert_eq!(found.hits[0].article.header.path, "growers.txt");
        assert!(found
            .hits
            .iter()
            .all(|h| h.article.header.path == "growers.txt"));
        let found = search_in(&articles, "copper valley", &SearchOptions::default());
        assert!(found.relaxed, "no article has both words");
        assert_eq!(found.hits.len(), 2);
    }
}
