//! Running a query: article-level boolean matching, passage-level ranking,
//! highlights, and the per-article cap.
//!
//! Words must all appear in an article, not necessarily in one passage, so
//! the boolean tree is evaluated on sets of articles (each leaf: the
//! articles with a passage matching it). Passages of the matching articles
//! are then ranked by BM25 over the positive leaves, re-ranked by how much
//! of the query (weighted by rarity) each passage holds, and capped per
//! article. Only a pool of the best passages by BM25 is read back; when
//! tied scores cross the pool's edge, the tied passages are taken in article
//! order, so that the hits never depend on the index's segments.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;
use tantivy::collector::{Collector, Count, FilterCollector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, Weight};
use tantivy::schema::{Field, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use crate::analysis::{self, analyzer};
use crate::article_set::{ArticleKeys, ArticleSet, Bits};
use crate::highlight::{self, Pattern};
use crate::indexer::Header;
use crate::passage::PassageKind;
use crate::plan::{leaf_query, Expr, Matcher, Plan};
use crate::query::{self, Node, Scope};
use crate::schema::{Fields, ARTICLE_KEY};
use crate::store::Store;

/// What a headline match adds to the other passages of the article, per unit
/// of idf (about what the headline's BM25 gives the first passage).
const TITLE_BONUS: Score = 0.8;
/// Captions rank below prose when scores are otherwise equal.
const CAPTION_FACTOR: Score = 0.85;
/// Weight of a prefix leaf in the coverage measure (it has no single idf).
const PREFIX_IDF: f32 = 2.0;

#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub limit: usize,
    pub per_article: usize,
    /// Any of the words instead of all of them.
    pub any: bool,
}

/// The JSON document of a search (a contract: see the README).
#[derive(Debug, Serialize)]
pub struct Results {
    pub query: String,
    /// Passages that match, before `--limit` and `--per-article`.
    pub total_hits: u64,
    /// True when no article had all the words and partial matches are shown.
    pub relaxed: bool,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub article: ArticleInfo,
    pub passage: PassageInfo,
}

#[derive(Debug, Serialize)]
pub struct ArticleInfo {
    /// id, path, title, tags, publisher, date, year.
    #[serde(flatten)]
    pub header: Header,
    /// Byte ranges of `title` that matched.
    pub title_highlights: Vec<(usize, usize)>,
}

#[derive(Debug, Serialize)]
pub struct PassageInfo {
    pub ordinal: u64,
    pub kind: PassageKind,
    pub text: String,
    /// UTF-8 byte ranges of `text`, half-open, sorted, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

struct Run<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    plan: &'a Plan,
    queries: Vec<Box<dyn Query>>,
}

impl Run<'_> {
    /// The articles the boolean tree accepts.
    fn articles(&self, e: &Expr) -> Result<ArticleSet> {
        Ok(match e {
            Expr::Leaf(i) => {
                ArticleSet::Only(self.searcher.search(&*self.queries[*i], &ArticleKeys)?)
            }
            Expr::And(items) => {
                let mut sets = items.iter().map(|x| self.articles(x));
                let first = sets
                    .next()
                    .unwrap_or_else(|| Ok(ArticleSet::AllBut(Bits::default())))?;
                sets.try_fold(first, |acc, s| s.map(|s| acc.and(s)))?
            }
            Expr::Or(items) => {
                let mut acc = ArticleSet::Only(Bits::default());
                for x in items {
                    acc = acc.or(self.articles(x)?);
                }
                acc
            }
            Expr::Not(inner) => self.articles(inner)?.complement(),
        })
    }

    /// The passages of `docs` with their article serials.
    fn with_serials(&self, docs: &[Scored]) -> Result<Vec<Contender>> {
        let columns = self
            .searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64(ARTICLE_KEY))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(docs
            .iter()
            .map(|&(score, addr)| {
                let serial = columns[addr.segment_ord as usize].first(addr.doc_id);
                (score, serial.unwrap_or(0), addr)
            })
            .collect())
    }

    /// Rarity weight of a leaf: the idf of its terms in the passage text.
    fn weight(&self, pattern: &Pattern) -> f32 {
        let n = self.searcher.num_docs() as f32;
        let idf = |t: &str| {
            let df = self
                .searcher
                .doc_freq(&Term::from_field_text(self.fields.text, t))
                .unwrap_or(0) as f32;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        };
        match pattern {
            Pattern::Term(t) => idf(t),
            Pattern::Phrase(terms, _) => terms.iter().map(|t| idf(t)).sum(),
            Pattern::Prefix(_) => PREFIX_IDF,
        }
    }

    fn execute(&self, opts: &SearchOptions) -> Result<(u64, Vec<Candidate>)> {
        let positive: Vec<(Occur, Box<dyn Query>)> = self
            .plan
            .positive
            .iter()
            .map(|&i| {
                let q = self.queries[i].box_clone();
                let q: Box<dyn Query> = match self.plan.leaves[i] {
                    // A year range selects; it does not rank.
                    Matcher::Year { .. } => Box::new(BoostQuery::new(q, 0.01)),
                    Matcher::Text { .. } => q,
                };
                (Occur::Should, q)
            })
            .collect();
        let scoring = BooleanQuery::new(positive);
        let filter = if self.plan.needs_article_filter() {
            Some(Arc::new(self.articles(&self.plan.expr)?))
        } else {
            None
        };
        let text_patterns = self.plan.patterns(Scope::covers_text);
        let title_patterns = self.plan.patterns(Scope::covers_title);
        let mut rerank = Rerank {
            text_weights: text_patterns.iter().map(|p| self.weight(p)).collect(),
            title_weights: title_patterns.iter().map(|p| self.weight(p)).collect(),
            text_patterns,
            title_patterns,
            analyzer: analyzer(),
        };
        let mut pool = (opts.limit * opts.per_article * 2).clamp(50, 10_000);
        loop {
            let (docs, total, exhausted) = self.pool(&scoring, filter.as_ref(), pool)?;
            let mut candidates = docs
                .into_iter()
                .map(|(score, addr)| self.candidate(score, addr, &mut rerank))
                .collect::<Result<Vec<_>>>()?;
            candidates.sort_by(Candidate::order);
            let kept = cap_per_article(candidates, opts.per_article, opts.limit);
            if kept.len() >= opts.limit || exhausted {
                return Ok((total as u64, kept));
            }
            pool *= 4;
        }
    }

    /// The `size` passages with the best BM25 (in the articles of `filter`,
    /// if any), how many passages match, and whether that is all of them.
    /// When tied scores cross the edge of the pool, the tied passages are
    /// taken in article order. Twice the pool is asked for at once, so that
    /// a group of ties is usually seen whole without running the query again.
    fn pool(
        &self,
        scoring: &dyn Query,
        filter: Option<&Arc<ArticleSet>>,
        size: usize,
    ) -> Result<(Vec<Scored>, usize, bool)> {
        let ask = 2 * size + 1;
        let top = (TopDocs::with_limit(ask).order_by_score(), Count);
        let (mut docs, total) = match filter {
            Some(set) => {
                let set = Arc::clone(set);
                let accepts = move |key: u64| set.contains(key);
                let collector = FilterCollector::new(ARTICLE_KEY.to_string(), accepts, top);
                self.searcher.search(scoring, &collector)?
            }
            None => self.searcher.search(scoring, &top)?,
        };
        let exhausted = docs.len() <= size;
        if !exhausted && ties(docs[size].0, docs[size - 1].0) {
            let edge = docs[size].0;
            let floor = edge - tie_tolerance(edge);
            let band = if docs.len() < ask || docs[ask - 1].0 < floor {
                // All the passages scoring `edge` are here.
                docs.iter().filter(|d| d.0 >= floor).copied().collect()
            } else {
                self.searcher.search(scoring, &AtLeast { floor })?
            };
            let mut band = self.with_serials(&band)?;
            band.retain(|c| filter.is_none_or(|set| set.contains(c.1)));
            docs = through_ties(band, edge, size);
        }
        docs.truncate(size);
        Ok((docs, total, exhausted))
    }

    /// Reads a hit, finds its highlights and gives it its final score.
    fn candidate(&self, bm25: Score, addr: DocAddress, rerank: &mut Rerank) -> Result<Candidate> {
        let doc: TantivyDocument = self.searcher.doc(addr)?;
        let f = &self.fields;
        let u64_of = |field: Field| doc.get_first(field).and_then(|v| v.as_u64());
        let header = Header::from_doc(&doc, f);
        let text = doc
            .get_first(f.text)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let ordinal = u64_of(f.ordinal).unwrap_or(0);
        let kind = PassageKind::from_code(u64_of(f.kind).unwrap_or(0));
        let (score, highlights, title_highlights) =
            rerank.score(bm25, &text, &header.title, ordinal, kind);
        Ok(Candidate {
            score,
            article: ArticleInfo {
                header,
                title_highlights,
            },
            passage: PassageInfo {
                ordinal,
                kind,
                text,
                highlights,
            },
        })
    }
}

/// Scores this close are one score: the same passage can be scored with
/// the terms summed in another order, depending on how the query is run.
fn tie_tolerance(score: Score) -> Score {
    score.abs() * 1e-5
}

fn ties(a: Score, b: Score) -> bool {
    (a - b).abs() <= tie_tolerance(b)
}

/// The `size` best of `contenders` when the passages scoring `edge` do not
/// all fit: every passage above it, then the tied ones in article order
/// (serial, then passage), so that which of them are kept does not depend on
/// how the index happens to be split into segments.
fn through_ties(mut contenders: Vec<Contender>, edge: Score, size: usize) -> Vec<Scored> {
    let rank = |s: Score| if ties(s, edge) { edge } else { s };
    contenders.sort_by(|a, b| {
        rank(b.0)
            .total_cmp(&rank(a.0))
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    contenders.truncate(size);
    contenders
        .into_iter()
        .map(|(score, _, addr)| (score, addr))
        .collect()
}

/// Every live passage scoring above `floor`. Runs with BM25's pruning:
/// passages that cannot reach `floor` are skipped.
struct AtLeast {
    floor: Score,
}

/// A passage with its BM25 score.
type Scored = (Score, DocAddress);

/// A scored passage: BM25, article serial, address.
type Contender = (Score, u64, DocAddress);

struct SegmentAtLeast {
    segment: SegmentOrdinal,
    found: Vec<Scored>,
}

impl Collector for AtLeast {
    type Fruit = Vec<Scored>;
    type Child = SegmentAtLeast;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentAtLeast> {
        Ok(SegmentAtLeast {
            segment,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Scored>>) -> tantivy::Result<Vec<Scored>> {
        Ok(fruits.into_iter().flatten().collect())
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Scored>> {
        let mut child = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(self.floor, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                child.collect(doc, score);
            }
            self.floor
        })?;
        Ok(child.harvest())
    }
}

impl SegmentCollector for SegmentAtLeast {
    type Fruit = Vec<Scored>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.found.push((score, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Vec<Scored> {
        self.found
    }
}

type Spans = Vec<(usize, usize)>;

/// The second stage of ranking, on the few passages that may be shown.
struct Rerank {
    text_patterns: Vec<Pattern>,
    /// Rarity of each text pattern (idf).
    text_weights: Vec<f32>,
    title_patterns: Vec<Pattern>,
    title_weights: Vec<f32>,
    analyzer: TextAnalyzer,
}

impl Rerank {
    /// The final score of a passage and its highlights (text, headline).
    /// BM25 is multiplied by how much of the query, weighted by rarity, the
    /// passage holds (1× to 2×); the headline counts for every passage of the
    /// article (the first passage already has it in its BM25); captions
    /// rank below prose.
    fn score(
        &mut self,
        bm25: Score,
        text: &str,
        title: &str,
        ordinal: u64,
        kind: PassageKind,
    ) -> (Score, Spans, Spans) {
        let found = highlight::find(
            &analysis::tokens(&mut self.analyzer, text),
            &self.text_patterns,
        );
        let in_title = highlight::find(
            &analysis::tokens(&mut self.analyzer, title),
            &self.title_patterns,
        );
        let coverage = matched_share(&self.text_weights, &found.matched);
        let title_bonus = if ordinal > 1 {
            TITLE_BONUS * matched_sum(&self.title_weights, &in_title.matched)
        } else {
            0.0
        };
        let kind_factor = if kind == PassageKind::Caption {
            CAPTION_FACTOR
        } else {
            1.0
        };
        let score = (bm25 + title_bonus) * (1.0 + coverage) * kind_factor;
        (score, found.spans, in_title.spans)
    }
}

fn matched_sum(weights: &[f32], matched: &[bool]) -> f32 {
    weights
        .iter()
        .zip(matched)
        .filter(|(_, m)| **m)
        .map(|(w, _)| w)
        .sum()
}

/// The share of the total weight that is matched (0 when there is none).
fn matched_share(weights: &[f32], matched: &[bool]) -> f32 {
    let total: f32 = weights.iter().sum();
    if total > 0.0 {
        matched_sum(weights, matched) / total
    } else {
        0.0
    }
}

struct Candidate {
    score: f32,
    article: ArticleInfo,
    passage: PassageInfo,
}

impl Candidate {
    /// Best first; ties go to prose over captions, then path and ordinal, so
    /// that the order never depends on segment layout.
    fn order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.passage.kind.code().cmp(&b.passage.kind.code()))
            .then_with(|| a.article.header.path.cmp(&b.article.header.path))
            .then_with(|| a.passage.ordinal.cmp(&b.passage.ordinal))
    }
}

fn cap_per_article(candidates: Vec<Candidate>, per_article: usize, limit: usize) -> Vec<Candidate> {
    let mut per: HashMap<String, usize> = HashMap::new();
    candidates
        .into_iter()
        .filter(|c| {
            let n = per.entry(c.article.header.id.clone()).or_default();
            *n += 1;
            *n <= per_article
        })
        .take(limit)
        .collect()
}

/// Runs `query_text` against the index.
pub fn search(store: &Store, query_text: &str, opts: &SearchOptions) -> Result<Results> {
    let parsed = query::parse(query_text).map_err(|e| anyhow::anyhow!("invalid query: {e}"))?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let node = if opts.any {
        query::relax(&parsed)
    } else {
        parsed
    };
    let (total, hits) = run(store, &searcher, &node, opts)?;
    if hits.is_empty() && !opts.any {
        // No article has all the words: show the best partial matches.
        let relaxed = query::relax(&node);
        if relaxed != node {
            let (total, hits) = run(store, &searcher, &relaxed, opts)?;
            let any_found = !hits.is_empty();
            return Ok(results(query_text, total, any_found, hits));
        }
    }
    Ok(results(query_text, total, false, hits))
}

/// Compiles and runs a query tree. Failures after compiling are failures
/// to read the index.
fn run(
    store: &Store,
    searcher: &Searcher,
    node: &Node,
    opts: &SearchOptions,
) -> Result<(u64, Vec<Candidate>)> {
    let plan = Plan::compile(node)?;
    let fields = store.fields;
    let queries = plan.leaves.iter().map(|m| leaf_query(m, &fields)).collect();
    Run {
        searcher,
        fields,
        plan: &plan,
        queries,
    }
    .execute(opts)
    .map_err(|e| store.damaged(&e))
}

fn results(query: &str, total: u64, relaxed: bool, candidates: Vec<Candidate>) -> Results {
    Results {
        query: query.to_string(),
        total_hits: total,
        relaxed,
        hits: candidates
            .into_iter()
            .enumerate()
            .map(|(i, c)| Hit {
                rank: i + 1,
                score: c.score,
                article: c.article,
                passage: c.passage,
            })
            .collect(),
    }
}
