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
pub mod evidence;
pub mod highlight;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Score, Searcher, SegmentOrdinal, TantivyDocument, Term};

use crate::analysis::{self, is_stop_word, Stems};
use crate::index::schema::Header;
use crate::index::schema::{Fields, COPY_KEY, ID, PATH};
use crate::index::store::Store;
use crate::ingest::passage::PassageKind;
use crate::query::plan::{Expr, Pattern, Plan};
use crate::query::{self, Node, Scope};
use crate::search::article_set::ArticleSet;
use crate::search::articles::Articles;
use crate::search::evidence::Evidence;

/// A passage's score is its article's score plus this much of its own
/// BM25: the article's evidence leads (measured on three test collections,
/// see bench/README.md), the passage's chooses what is shown.
const PASSAGE_FACTOR: Score = 0.5;
/// How much holding more of the query (weighted by rarity) raises a
/// passage's score: up to 1.5× (MAX_GAIN).
const COVERAGE_FACTOR: Score = 0.5;
const MAX_GAIN: Score = 1.0 + COVERAGE_FACTOR;
/// Captions rank below prose when scores are otherwise equal.
const CAPTION_FACTOR: Score = 0.85;
/// Query expansion (RM3): the best articles read, the words taken from
/// them, and the share of the ranking left to the user's words.
const FEEDBACK_ARTICLES: usize = 10;
const FEEDBACK_WORDS: usize = 10;
const ORIGINAL_WEIGHT: f32 = 0.5;

#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub limit: usize,
    pub per_article: usize,
    /// Any of the words instead of all of them (a natural-language query).
    pub any: bool,
    /// With `any`: expand the query with words from its best articles.
    pub expand: bool,
}

/// The JSON document of a search (a contract: see the README).
#[derive(Debug, Serialize)]
pub struct Results {
    pub query: String,
    /// The query as newsdex read it (`phrase "…"`, `words a, b`, …).
    pub understood: String,
    /// Passages that match, before `--limit` and `--per-article`.
    pub total_hits: u64,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct Copy {
    pub id: String,
    pub path: String,
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

/// A passage taken from the index: its score (its own BM25 plus its
/// article's), its article (numbered in [`Articles`]) and address.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: Score,
    article: u32,
    addr: DocAddress,
}

impl Ranked {
    /// Scores this close are one score (the same passage can be scored with
    /// its terms summed in another order): the last 8 bits of the mantissa
    /// are ignored.
    fn key(&self) -> u32 {
        self.score.max(0.0).to_bits() & !0xFF
    }
}

struct Run<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    plan: &'a Plan,
    evidence: Arc<Evidence>,
}

impl Run<'_> {
    /// The articles the boolean tree accepts.
    fn articles(&self, e: &Expr) -> ArticleSet {
        match e {
            Expr::Leaf(i) => ArticleSet::Only(self.evidence.sets[*i].clone()),
            Expr::And(items) => items
                .iter()
                .map(|x| self.articles(x))
                .reduce(ArticleSet::and)
                .unwrap_or(ArticleSet::AllBut(Default::default())),
            Expr::Or(items) => items
                .iter()
                .map(|x| self.articles(x))
                .fold(ArticleSet::Only(Default::default()), ArticleSet::or),
            Expr::Not(inner) => self.articles(inner).complement(),
        }
    }

    fn execute(&self, opts: &SearchOptions) -> Result<(u64, Vec<Candidate>)> {
        let filter = self
            .plan
            .needs_article_filter()
            .then(|| self.articles(&self.plan.expr));
        let text_patterns = self.plan.patterns(Scope::covers_text);
        let mut rerank = Rerank {
            text_weights: text_patterns.iter().map(|(_, p)| self.weight(p)).collect(),
            text_patterns: text_patterns.into_iter().map(|(_, p)| p).collect(),
            title_patterns: self
                .plan
                .patterns(Scope::covers_title)
                .into_iter()
                .map(|(_, p)| p)
                .collect(),
            analyzer: analysis::analyzer(),
            headers: FxHashMap::default(),
        };
        // Copies are grouped by their key before anything is read, and the
        // groups are read a few at a time, best first; when the pool holds
        // too few groups, a larger one is taken.
        let step = (opts.limit * opts.per_article * 2).max(50);
        let mut pool = step * 2;
        let mut read_before: FxHashMap<DocAddress, Candidate> = FxHashMap::default();
        loop {
            let (ranked, total) = rank(&self.evidence, filter.as_ref(), pool);
            let exhausted = ranked.len() < pool;
            let columns = Columns::of(self.searcher)?;
            let groups = group_copies(&ranked, &columns);
            // Groups are read best first, until no later one can be among
            // the hits (re-ranking raises a score at most MAX_GAIN times),
            // or enough were read (a few times what is shown).
            let mut candidates: Vec<Candidate> = Vec::new();
            let batch = (opts.limit / 4).clamp(8, 256);
            let mut read = 0;
            while read < groups.len() {
                let upto = (read + batch).min(groups.len());
                for (i, group) in groups.iter().enumerate().take(upto).skip(read) {
                    let mut c = match read_before.remove(&group[0].addr) {
                        Some(c) => c,
                        None => self.candidate(&group[0], &mut rerank)?,
                    };
                    c.group = i;
                    candidates.push(c);
                }
                read = upto;
                candidates.sort_by(Candidate::order);
                let enough = capped(&candidates, opts.per_article, opts.limit);
                let out_of_reach = groups
                    .get(read)
                    .is_some_and(|g| enough.is_some_and(|kth| g[0].score * MAX_GAIN < kth));
                if out_of_reach || (enough.is_some() && read >= step) {
                    break;
                }
            }
            if read < groups.len() || exhausted {
                let mut hits = cap(candidates, opts.per_article, opts.limit);
                for hit in &mut hits {
                    hit.also_in = copies(&groups[hit.group], &columns, &self.evidence.articles);
                }
                return Ok((total as u64, hits));
            }
            // Too few groups: a larger pool, without reading again what was read.
            read_before.extend(candidates.into_iter().map(|c| (c.addr, c)));
            pool *= 4;
        }
    }

    /// Rarity weight of a pattern: the idf of its words in the passage text.
    fn weight(&self, pattern: &Pattern) -> f32 {
        let n = self.searcher.num_docs() as f32;
        let idf = |field, word: &str| {
            let df = self
                .searcher
                .doc_freq(&Term::from_field_text(field, word))
                .unwrap_or(0) as f32;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
        };
        let text = self.fields.text;
        match pattern {
            Pattern::Exact(words, _) => words.iter().map(|w| idf(text, w)).sum(),
            // Any of several forms: as rare as the commonest of them.
            Pattern::Stem(_, words) | Pattern::AnyOf(words) => words
                .iter()
                .map(|w| idf(text, w))
                .reduce(f32::min)
                .unwrap_or(0.0),
        }
    }

    /// Reads a passage, finds its highlights and gives it its final score.
    fn candidate(&self, r: &Ranked, rerank: &mut Rerank) -> Result<Candidate> {
        let doc: TantivyDocument = self.searcher.doc(r.addr)?;
        let f = &self.fields;
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64());
        let text = doc
            .get_first(f.text)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let ordinal = u64_of(f.ordinal).unwrap_or(0);
        let kind = PassageKind::from_code(u64_of(f.kind).unwrap_or(0));
        let header = match rerank.headers.get(&r.article) {
            Some(h) => h.clone(),
            None => {
                let h = self.header(r.article)?;
                rerank.headers.insert(r.article, h.clone());
                h
            }
        };
        let scored = rerank.score(r.score, &text, &header.title, kind);
        Ok(Candidate {
            score: scored.score,
            addr: r.addr,
            group: 0,
            article: ArticleInfo {
                header,
                title_highlights: scored.title_highlights,
            },
            passage: PassageInfo {
                ordinal,
                kind,
                text,
                highlights: scored.highlights,
            },
            also_in: Vec::new(),
        })
    }

    /// The header of an article, stored on its first passage.
    fn header(&self, article: u32) -> Result<Header> {
        self.evidence
            .articles
            .first_passage(article)
            .map(|first| self.searcher.doc::<TantivyDocument>(first))
            .transpose()?
            .and_then(|doc| Header::from_doc(&doc, &self.fields))
            .ok_or_else(|| anyhow::anyhow!("article {article} has no stored header"))
    }
}

/// The `size` best matching passages (of the accepted articles) by their
/// article's score plus their own, best first, and how many passages
/// match. Equal scores are in article order (serial number, then passage),
/// so that which passages are kept, and read first, never depends on how
/// the index is split into segments.
fn rank(evidence: &Evidence, filter: Option<&ArticleSet>, size: usize) -> (Vec<Ranked>, usize) {
    let size = size.max(1);
    let mut best: Vec<Ranked> = Vec::new();
    // Passages scoring below this cannot be among the best (once known).
    let mut floor: Option<u32> = None;
    let mut count = 0;
    let by_key = |a: &Ranked, b: &Ranked| b.key().cmp(&a.key());
    // Passages come in article order, like the article scores.
    let mut scores = evidence.scores.iter().peekable();
    for (seg, passages) in evidence.segments.iter().enumerate() {
        for p in passages {
            if filter.is_some_and(|f| !f.contains(u64::from(p.article))) {
                continue;
            }
            count += 1;
            while scores.next_if(|s| s.article < p.article).is_some() {}
            let article = scores
                .peek()
                .filter(|s| s.article == p.article)
                .map_or(0.0, |s| s.score);
            let ranked = Ranked {
                score: PASSAGE_FACTOR * p.score + article,
                article: p.article,
                addr: DocAddress::new(seg as SegmentOrdinal, p.doc),
            };
            if floor.is_some_and(|f| ranked.key() < f) {
                continue;
            }
            best.push(ranked);
            if best.len() >= 2 * size {
                best.select_nth_unstable_by(size - 1, by_key);
                let edge = best[size - 1].key();
                best.retain(|r| r.key() >= edge);
                floor = Some(edge);
            }
        }
    }
    best.sort_by(by_key);
    // Runs of equal scores in serial order (read only for those).
    let mut start = 0;
    while start < best.len() {
        let end = start + best[start..].partition_point(|r| r.key() == best[start].key());
        if end - start > 1 {
            let serial = |r: &Ranked| evidence.articles.serial(r.addr);
            best[start..end].sort_by_cached_key(|r| (serial(r), r.addr));
        }
        start = end;
    }
    best.truncate(size);
    (best, count)
}

type Spans = Vec<(usize, usize)>;

/// The second stage of ranking, on the few passages that may be shown.
struct Rerank {
    text_patterns: Vec<Pattern>,
    /// Rarity of each text pattern (idf).
    text_weights: Vec<f32>,
    title_patterns: Vec<Pattern>,
    analyzer: TextAnalyzer,
    /// Headers of the articles read so far.
    headers: FxHashMap<u32, Header>,
}

struct Scored {
    score: Score,
    highlights: Spans,
    title_highlights: Spans,
}

impl Rerank {
    /// The final score of a passage and its highlights (text, headline).
    /// The score is multiplied by how
    /// much of the query, weighted by rarity, the passage holds (1× to 1.5×);
    /// captions rank below prose.
    fn score(&mut self, score: Score, text: &str, title: &str, kind: PassageKind) -> Scored {
        let tokens = analysis::tokens(&mut self.analyzer, text);
        let found = highlight::find(&tokens, &self.text_patterns);
        let title_tokens = analysis::tokens(&mut self.analyzer, title);
        let in_title = highlight::find(&title_tokens, &self.title_patterns);
        let coverage = matched_share(&self.text_weights, &found.matched);
        let kind_factor = if kind == PassageKind::Caption {
            CAPTION_FACTOR
        } else {
            1.0
        };
        Scored {
            score: score * (1.0 + COVERAGE_FACTOR * coverage) * kind_factor,
            highlights: found.spans,
            title_highlights: in_title.spans,
        }
    }
}

/// The share of the total weight that is matched (0 when there is none).
fn matched_share(weights: &[f32], matched: &[bool]) -> f32 {
    let total: f32 = weights.iter().sum();
    let found: f32 = weights
        .iter()
        .zip(matched)
        .filter(|(_, m)| **m)
        .map(|(w, _)| w)
        .sum();
    if total > 0.0 {
        found / total
    } else {
        0.0
    }
}

struct Candidate {
    score: f32,
    addr: DocAddress,
    /// The copy group of the pool it stands for.
    group: usize,
    article: ArticleInfo,
    passage: PassageInfo,
    also_in: Vec<Copy>,
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

/// The score of the last hit when `candidates` (sorted) give `limit` hits
/// with at most `per_article` from one article; `None` when they give fewer.
fn capped(candidates: &[Candidate], per_article: usize, limit: usize) -> Option<Score> {
    let mut per: HashMap<&str, usize> = HashMap::new();
    candidates
        .iter()
        .filter(|c| {
            let n = per.entry(c.article.header.id.as_str()).or_default();
            *n += 1;
            *n <= per_article
        })
        .nth(limit.checked_sub(1)?)
        .map(|c| c.score)
}

/// The hits, best first, at most `per_article` from one article.
fn cap(candidates: Vec<Candidate>, per_article: usize, limit: usize) -> Vec<Candidate> {
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

/// The fast fields that group copies and name their articles, per segment.
struct Columns {
    copy_keys: Vec<Column<u64>>,
    paths: Vec<Option<StrColumn>>,
    ids: Vec<Option<StrColumn>>,
}

impl Columns {
    fn of(searcher: &Searcher) -> tantivy::Result<Columns> {
        let mut c = Columns {
            copy_keys: Vec::new(),
            paths: Vec::new(),
            ids: Vec::new(),
        };
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            c.copy_keys.push(fast.u64(COPY_KEY)?);
            c.paths.push(fast.str(PATH)?);
            c.ids.push(fast.str(ID)?);
        }
        Ok(c)
    }

    fn copy_key(&self, addr: DocAddress) -> Option<u64> {
        self.copy_keys[addr.segment_ord as usize].first(addr.doc_id)
    }

    /// The id and path of an article, recorded on its first passage.
    fn article(&self, articles: &Articles, article: u32) -> Option<Copy> {
        let first = articles.first_passage(article)?;
        let seg = first.segment_ord as usize;
        let text = |column: &Option<StrColumn>| -> Option<String> {
            let column = column.as_ref()?;
            let mut out = String::new();
            let ord = column.ords().first(first.doc_id)?;
            column.ord_to_str(ord, &mut out).ok()?.then_some(out)
        };
        Some(Copy {
            id: text(&self.ids[seg])?,
            path: text(&self.paths[seg])?,
        })
    }
}

/// Groups the ranked passages by copy key, in rank order: each group is a
/// passage (its best copy first) and its copies.
fn group_copies(ranked: &[Ranked], columns: &Columns) -> Vec<Vec<Ranked>> {
    let mut groups: Vec<Vec<Ranked>> = Vec::new();
    let mut by_key: FxHashMap<u64, usize> = FxHashMap::default();
    for r in ranked {
        match columns.copy_key(r.addr) {
            Some(key) => match by_key.get(&key) {
                Some(&i) => groups[i].push(*r),
                None => {
                    by_key.insert(key, groups.len());
                    groups.push(vec![*r]);
                }
            },
            None => groups.push(vec![*r]),
        }
    }
    groups
}

/// The other articles that hold a group's passage.
fn copies(group: &[Ranked], columns: &Columns, articles: &Articles) -> Vec<Copy> {
    let mut out: Vec<Copy> = Vec::new();
    for r in &group[1..] {
        if r.article == group[0].article {
            continue;
        }
        if let Some(copy) = columns.article(articles, r.article) {
            if out.iter().all(|c| c.path != copy.path) {
                out.push(copy);
            }
        }
    }
    out
}

/// Relevance feedback (RM3): the words that stand out in the best
/// articles by article score, weighted by how much they stand out and how
/// good the article is. Returns (stem, weight in the query, as written).
fn feedback(
    searcher: &Searcher,
    fields: &Fields,
    evidence: &Evidence,
    original_words: usize,
) -> Result<Vec<(String, f32, String)>> {
    let articles = &evidence.articles;
    // By score, equal scores in serial order (whatever the segments).
    let serial = |article: u32| {
        articles
            .first_passage(article)
            .and_then(|first| articles.serial(first))
    };
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

/// What one compiled and run query found.
struct Outcome {
    total: u64,
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
    let (total, hits) = Run {
        searcher,
        fields,
        plan: &plan,
        evidence: Arc::new(evidence),
    }
    .execute(opts)
    .map_err(|e| store.damaged(&e))?;
    Ok(Outcome {
        total,
        hits,
        plan,
        expanded,
    })
}

/// Runs `query_text` against the index.
pub fn search(store: &Store, query_text: &str, opts: &SearchOptions) -> Result<Results> {
    let mut notes = Vec::new();
    let parsed = match query::parse(query_text) {
        Ok(node) => node,
        Err(e) if opts.any => {
            notes.push(format!("read the query as plain words ({e})"));
            query::parse(&query::plain_words(query_text))
                .map_err(|e| anyhow::anyhow!("invalid query: {e}"))?
        }
        Err(e) => anyhow::bail!("invalid query: {e}"),
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
    if outcome.hits.is_empty() && !opts.any {
        // No article has all the words: show the best partial matches.
        let relaxed = query::relax(&node);
        if relaxed != node {
            let partial = execute(store, &searcher, &relaxed, true, false, opts)?;
            let any_found = !partial.hits.is_empty();
            return Ok(results(query_text, &relaxed, partial, any_found, notes));
        }
    }
    Ok(results(query_text, &node, outcome, false, notes))
}

fn results(
    query: &str,
    node: &Node,
    outcome: Outcome,
    relaxed: bool,
    mut notes: Vec<String>,
) -> Results {
    notes.extend(outcome.plan.notes);
    Results {
        query: query.to_string(),
        understood: query::describe(node),
        total_hits: outcome.total,
        relaxed,
        ignored: outcome.plan.ignored,
        expanded: outcome.expanded,
        notes,
        hits: outcome
            .hits
            .into_iter()
            .enumerate()
            .map(|(i, c)| Hit {
                rank: i + 1,
                score: c.score,
                article: c.article,
                passage: c.passage,
                also_in: c.also_in,
            })
            .collect(),
    }
}
