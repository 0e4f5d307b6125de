//! Running a query: article-level boolean matching, passage-level ranking,
//! highlights, and the per-article cap.
//!
//! Words must all appear in an article, not necessarily in one passage, so
//! the boolean tree is evaluated on sets of articles (each leaf: the
//! articles with a passage matching it). Passages of the matching articles
//! are then ranked by BM25 over the positive leaves, re-ranked by how much
//! of the query (weighted by rarity) each passage holds, and capped per
//! article.

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;
use tantivy::collector::{Collector, Count, FilterCollector, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use crate::analysis::{self, analyzer, unstemmed_analyzer};
use crate::highlight::{self, Pattern};
use crate::indexer::Header;
use crate::passage::PassageKind;
use crate::query::{self, Leaf, Node, Scope};
use crate::schema::{Fields, ARTICLE_KEY};
use crate::store::Store;

/// How much a match in the headline or the tags counts next to one in the
/// passage text.
const TITLE_BOOST: Score = 0.6;
const TAGS_BOOST: Score = 0.6;
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
    pub id: String,
    pub path: String,
    pub title: String,
    pub tags: Vec<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub year: Option<u64>,
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

/// What a compiled leaf looks for.
#[derive(Debug, Clone)]
enum Matcher {
    Text { scope: Scope, pattern: Pattern },
    Year { from: u64, to: u64 },
}

/// The boolean tree over compiled leaves (indexes into `Plan::leaves`).
#[derive(Debug, Clone)]
enum Expr {
    Leaf(usize),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

/// A query ready to run.
struct Plan {
    leaves: Vec<Matcher>,
    expr: Expr,
    /// Leaves that are not under a NOT.
    positive: Vec<usize>,
}

struct Analyzers {
    stemmed: TextAnalyzer,
    unstemmed: TextAnalyzer,
}

impl Plan {
    fn compile(node: &Node) -> Result<Plan> {
        let mut analyzers = Analyzers {
            stemmed: analyzer(),
            unstemmed: unstemmed_analyzer(),
        };
        let mut leaves = Vec::new();
        let expr = compile_node(node, &mut analyzers, &mut leaves).ok_or_else(|| {
            anyhow::anyhow!("the query has no words to search for (only punctuation): add a word")
        })?;
        let mut positive = Vec::new();
        collect_positive(&expr, false, &mut positive);
        if positive.is_empty() {
            anyhow::bail!(
                "the query only excludes words: add a word to search for, as in `mexico -trade`"
            );
        }
        Ok(Plan {
            leaves,
            expr,
            positive,
        })
    }

    /// Whether the boolean tree filters articles beyond "a passage matches
    /// one of the positive leaves" (that is, it has an AND or a NOT).
    fn needs_article_filter(&self) -> bool {
        fn simple(e: &Expr) -> bool {
            match e {
                Expr::Leaf(_) => true,
                Expr::Or(items) => items.iter().all(simple),
                Expr::And(_) | Expr::Not(_) => false,
            }
        }
        !simple(&self.expr)
    }

    /// The patterns of the positive leaves whose scope `covers` a part of
    /// the article (the passage text, or the headline): those are marked there.
    fn patterns(&self, covers: fn(Scope) -> bool) -> Vec<Pattern> {
        self.positive
            .iter()
            .filter_map(|&i| match &self.leaves[i] {
                Matcher::Text { scope, pattern } if covers(*scope) => Some(pattern.clone()),
                _ => None,
            })
            .collect()
    }
}

fn collect_positive(e: &Expr, negated: bool, out: &mut Vec<usize>) {
    match e {
        Expr::Leaf(i) if !negated => out.push(*i),
        Expr::Leaf(_) => {}
        Expr::And(items) | Expr::Or(items) => {
            items.iter().for_each(|x| collect_positive(x, negated, out))
        }
        Expr::Not(inner) => collect_positive(inner, !negated, out),
    }
}

/// Compiles a node; `None` when it holds nothing searchable (punctuation).
fn compile_node(node: &Node, a: &mut Analyzers, leaves: &mut Vec<Matcher>) -> Option<Expr> {
    let mut list = |items: &[Node], a: &mut Analyzers| -> Vec<Expr> {
        items
            .iter()
            .filter_map(|n| compile_node(n, a, leaves))
            .collect()
    };
    match node {
        Node::Leaf(leaf) => {
            let matcher = compile_leaf(leaf, a)?;
            leaves.push(matcher);
            Some(Expr::Leaf(leaves.len() - 1))
        }
        Node::And(items) => collapse(list(items, a), Expr::And),
        Node::Or(items) => collapse(list(items, a), Expr::Or),
        Node::Not(inner) => compile_node(inner, a, leaves).map(|e| Expr::Not(Box::new(e))),
    }
}

fn collapse(mut items: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Option<Expr> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(make(items)),
    }
}

fn compile_leaf(leaf: &Leaf, a: &mut Analyzers) -> Option<Matcher> {
    let terms = |analyzer: &mut TextAnalyzer, text: &str| -> Vec<String> {
        analysis::tokens(analyzer, text)
            .into_iter()
            .map(|t| t.term)
            .collect()
    };
    let (scope, pattern) = match leaf {
        Leaf::Year { from, to } => {
            return Some(Matcher::Year {
                from: *from,
                to: *to,
            })
        }
        Leaf::Word { scope, text } => (*scope, words_pattern(terms(&mut a.stemmed, text), 0)?),
        Leaf::Phrase { scope, text, slop } => {
            (*scope, words_pattern(terms(&mut a.stemmed, text), *slop)?)
        }
        Leaf::Prefix { scope, text } => {
            let mut words = terms(&mut a.unstemmed, text);
            let last = words.pop()?;
            if words.is_empty() {
                (*scope, Pattern::Prefix(last))
            } else {
                // `u.s-trade*`: only the last word is a prefix; keep the rest as words.
                (*scope, words_pattern(terms(&mut a.stemmed, text), 0)?)
            }
        }
    };
    Some(Matcher::Text { scope, pattern })
}

fn words_pattern(mut terms: Vec<String>, slop: u32) -> Option<Pattern> {
    match terms.len() {
        0 => None,
        1 => terms.pop().map(Pattern::Term),
        _ => Some(Pattern::Phrase(terms, slop)),
    }
}

fn pattern_query(field: Field, pattern: &Pattern) -> Box<dyn Query> {
    match pattern {
        Pattern::Term(t) => Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        )),
        Pattern::Phrase(terms, slop) => {
            let terms = terms
                .iter()
                .enumerate()
                .map(|(i, t)| (i, Term::from_field_text(field, t)))
                .collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, *slop))
        }
        Pattern::Prefix(p) => {
            let escaped: String = p
                .chars()
                .flat_map(|c| {
                    let escape = !c.is_alphanumeric();
                    escape.then_some('\\').into_iter().chain(std::iter::once(c))
                })
                .collect();
            match RegexQuery::from_pattern(&format!("{escaped}.*"), field) {
                Ok(q) => Box::new(q),
                // An escaped literal prefix always compiles; match nothing otherwise.
                Err(_) => Box::new(BooleanQuery::new(Vec::new())),
            }
        }
    }
}

fn leaf_query(m: &Matcher, f: &Fields) -> Box<dyn Query> {
    match m {
        Matcher::Year { from, to } => Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(f.year, *from)),
            Bound::Included(Term::from_field_u64(f.year, *to)),
        )),
        Matcher::Text { scope, pattern } => {
            let boosted = |field: Field, boost: Score| -> (Occur, Box<dyn Query>) {
                let q = pattern_query(field, pattern);
                let q: Box<dyn Query> = if boost == 1.0 {
                    q
                } else {
                    Box::new(BoostQuery::new(q, boost))
                };
                (Occur::Should, q)
            };
            match scope {
                Scope::Default => Box::new(BooleanQuery::new(vec![
                    boosted(f.text, 1.0),
                    boosted(f.title, TITLE_BOOST),
                    boosted(f.tags, TAGS_BOOST),
                ])),
                Scope::Text => pattern_query(f.text, pattern),
                Scope::Title => pattern_query(f.title, pattern),
                Scope::Tags => pattern_query(f.tags, pattern),
                Scope::Publisher => pattern_query(f.publisher, pattern),
            }
        }
    }
}

/// A set of article serial numbers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn insert(&mut self, i: u64) {
        let word = (i / 64) as usize;
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << (i % 64);
    }

    fn contains(&self, i: u64) -> bool {
        self.0
            .get((i / 64) as usize)
            .is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }

    fn and(mut self, other: &Bits) -> Bits {
        self.0.truncate(other.0.len());
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= b);
        self
    }

    fn or(mut self, other: &Bits) -> Bits {
        if other.0.len() > self.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
        self
    }

    fn and_not(mut self, other: &Bits) -> Bits {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= !b);
        self
    }
}

/// A set of articles, kept as a complement when that is smaller to say.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ArticleSet {
    Only(Bits),
    AllBut(Bits),
}

impl ArticleSet {
    fn contains(&self, serial: u64) -> bool {
        match self {
            ArticleSet::Only(s) => s.contains(serial),
            ArticleSet::AllBut(s) => !s.contains(serial),
        }
    }

    fn and(self, other: ArticleSet) -> ArticleSet {
        use ArticleSet::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.and(&b)),
            (Only(a), AllBut(b)) | (AllBut(b), Only(a)) => Only(a.and_not(&b)),
            (AllBut(a), AllBut(b)) => AllBut(a.or(&b)),
        }
    }

    fn or(self, other: ArticleSet) -> ArticleSet {
        use ArticleSet::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.or(&b)),
            (Only(a), AllBut(b)) | (AllBut(b), Only(a)) => AllBut(b.and_not(&a)),
            (AllBut(a), AllBut(b)) => AllBut(a.and(&b)),
        }
    }

    fn not(self) -> ArticleSet {
        match self {
            ArticleSet::Only(s) => ArticleSet::AllBut(s),
            ArticleSet::AllBut(s) => ArticleSet::Only(s),
        }
    }
}

/// Collects the serial numbers of the articles of the matching passages.
struct ArticleKeys;

struct SegmentArticleKeys {
    column: Column<u64>,
    keys: Bits,
}

impl Collector for ArticleKeys {
    type Fruit = Bits;
    type Child = SegmentArticleKeys;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentArticleKeys> {
        Ok(SegmentArticleKeys {
            column: reader.fast_fields().u64(ARTICLE_KEY)?,
            keys: Bits::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Bits>) -> tantivy::Result<Bits> {
        Ok(fruits
            .into_iter()
            .fold(Bits::default(), |acc, b| acc.or(&b)))
    }
}

impl SegmentCollector for SegmentArticleKeys {
    type Fruit = Bits;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(key) = self.column.first(doc) {
            self.keys.insert(key);
        }
    }

    fn harvest(self) -> Bits {
        self.keys
    }
}

struct Run<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    plan: &'a Plan,
    queries: Vec<Box<dyn Query>>,
}

impl Run<'_> {
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
            Expr::Not(inner) => self.articles(inner)?.not(),
        })
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
            let top = TopDocs::with_limit(pool).order_by_score();
            let (docs, total) = match &filter {
                Some(set) => {
                    let set = Arc::clone(set);
                    let collector = FilterCollector::new(
                        ARTICLE_KEY.to_string(),
                        move |key: u64| set.contains(key),
                        (top, Count),
                    );
                    self.searcher.search(&scoring, &collector)?
                }
                None => self.searcher.search(&scoring, &(top, Count))?,
            };
            let exhausted = docs.len() < pool;
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

    /// Reads a hit, finds its highlights and gives it its final score.
    fn candidate(&self, bm25: Score, addr: DocAddress, rerank: &mut Rerank) -> Result<Candidate> {
        let doc: TantivyDocument = self.searcher.doc(addr)?;
        let f = &self.fields;
        let text_of = |field: Field| -> Option<String> {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let u64_of = |field: Field| doc.get_first(field).and_then(|v| v.as_u64());
        let header: Header = text_of(f.header)
            .and_then(|h| serde_json::from_str(&h).ok())
            .unwrap_or_default();
        let text = text_of(f.text).unwrap_or_default();
        let ordinal = u64_of(f.ordinal).unwrap_or(0);
        let kind = PassageKind::from_code(u64_of(f.kind).unwrap_or(0));
        let (score, highlights, title_highlights) =
            rerank.score(bm25, &text, &header.title, ordinal, kind);
        Ok(Candidate {
            score,
            article: ArticleInfo {
                id: text_of(f.id).unwrap_or_default(),
                path: text_of(f.path).unwrap_or_default(),
                title: header.title,
                tags: header.tags,
                publisher: header.publisher,
                date: text_of(f.date),
                year: u64_of(f.year),
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
            .then_with(|| a.article.path.cmp(&b.article.path))
            .then_with(|| a.passage.ordinal.cmp(&b.passage.ordinal))
    }
}

fn cap_per_article(candidates: Vec<Candidate>, per_article: usize, limit: usize) -> Vec<Candidate> {
    let mut per: HashMap<String, usize> = HashMap::new();
    candidates
        .into_iter()
        .filter(|c| {
            let n = per.entry(c.article.id.clone()).or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(items: &[u64]) -> Bits {
        let mut b = Bits::default();
        items.iter().for_each(|&i| b.insert(i));
        b
    }

    fn members(set: &ArticleSet) -> Vec<u64> {
        (0..200).filter(|&i| set.contains(i)).collect()
    }

    #[test]
    fn article_set_algebra() {
        use ArticleSet::*;
        let a = || Only(bits(&[1, 2, 3, 130]));
        let b = || Only(bits(&[2, 3, 4]));
        assert_eq!(members(&a().and(b())), [2, 3]);
        assert_eq!(members(&a().or(b())), [1, 2, 3, 4, 130]);
        assert_eq!(members(&a().and(b().not())), [1, 130]);
        let not_a_or_b = a().not().or(b());
        assert!(not_a_or_b.contains(0) && not_a_or_b.contains(2) && !not_a_or_b.contains(1));
        let neither = a().not().and(b().not());
        assert!(neither.contains(0) && !neither.contains(4) && !neither.contains(130));
        assert_eq!(members(&a().not().not()), [1, 2, 3, 130]);
    }
}
