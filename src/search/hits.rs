//! Reading the best passages back: their text and article, their
//! highlights, the final score (how much of the query each holds), copies
//! grouped, and the per-article cap, read a few at a time until no later
//! passage can reach the hits.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use anyhow::Result;
use rustc_hash::FxHashMap;
use tantivy::{DocAddress, DocId, Score, Searcher, TantivyDocument, Term};

use super::copies::{copies, group_copies, Columns};
use super::rank::{Primary, Ranked, Ranking, Totals};
use super::read;
use super::{ArticleInfo, Copy, PassageInfo, SearchOptions, Sort};
use crate::index::schema::{Fields, Header};
use crate::ingest::passage::PassageKind;
use crate::query::plan::{Expr, Pattern, Plan};
use crate::search::article_set::ArticleSet;
use crate::search::evidence::Evidence;
use crate::search::highlight::Highlighter;

/// How much holding more of the query (weighted by rarity) raises a
/// passage's score: up to 1.5× (MAX_GAIN).
const COVERAGE_FACTOR: Score = 0.5;
const MAX_GAIN: Score = 1.0 + COVERAGE_FACTOR;
/// Captions rank below prose when scores are otherwise equal.
const CAPTION_FACTOR: Score = 0.85;
/// How many steps of passages are ranked at first (see `Run::best`): the
/// first pool takes two, and a second pool of up to sixteen (passages with
/// many copies fill a pool with few groups: 45 copies of each article
/// needed a second pool of 800 for every query) is the start of the same
/// ranking instead of a new pass over every passage.
const RANKED_POOLS: usize = 16;
pub(crate) struct Run<'a> {
    pub searcher: &'a Searcher,
    pub fields: Fields,
    pub plan: &'a Plan,
    pub evidence: Arc<Evidence>,
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

    /// How much matches, and the hits of the page `opts` asks for (with
    /// their context passages).
    /// The articles the boolean tree accepts, when it does more than "a
    /// passage matches a positive leaf".
    pub fn filter(&self) -> Option<ArticleSet> {
        self.plan
            .needs_article_filter()
            .then(|| self.articles(&self.plan.expr))
    }

    pub fn execute(&self, opts: &SearchOptions) -> Result<(Totals, Vec<Candidate>)> {
        // The hits before the page are found as if they were shown.
        let upto = opts.offset.saturating_add(opts.limit);
        let (totals, hits) = self.best(opts.per_article, upto, opts.sort)?;
        let mut page: Vec<Candidate> = hits.into_iter().skip(opts.offset).collect();
        if opts.context > 0 {
            let mut highlighter = Highlighter::of(self.plan);
            for hit in &mut page {
                self.add_context(hit, opts.context, &mut highlighter)?;
            }
        }
        Ok((totals, page))
    }

    /// Reads the `n` passages before and after a hit, in its article.
    fn add_context(
        &self,
        hit: &mut Candidate,
        n: usize,
        highlighter: &mut Highlighter,
    ) -> Result<()> {
        let Some((segment, docs)) = self.evidence.articles.passages(hit.number) else {
            return Ok(());
        };
        let (before, after) = around(hit.addr.doc_id, &docs, n);
        hit.context_before =
            read::passages(self.searcher, &self.fields, segment, before, highlighter)?;
        hit.context_after =
            read::passages(self.searcher, &self.fields, segment, after, highlighter)?;
        Ok(())
    }

    /// The `limit` best hits, at most `per_article` from one article.
    fn best(
        &self,
        per_article: usize,
        limit: usize,
        sort: Sort,
    ) -> Result<(Totals, Vec<Candidate>)> {
        let filter = self.filter();
        let highlighter = Highlighter::of(self.plan);
        let mut rerank = Rerank {
            text_weights: highlighter
                .text_patterns
                .iter()
                .map(|p| self.weight(p))
                .collect(),
            highlighter,
            headers: FxHashMap::default(),
        };
        // Copies are grouped by their key before anything is read, and the
        // groups are read a few at a time, best first; when the pool holds
        // too few groups, a larger one is taken. The ranking is taken
        // larger than the first pool (a pool is the best passages: the
        // start of a longer ranking), so that a larger pool seldom means
        // ranking every passage again (where passages have many copies).
        let primary = Primary::new(self.searcher, sort)?;
        let step = limit.saturating_mul(per_article).saturating_mul(2).max(50);
        let mut pool = step * 2;
        let rank = |size| Ranking::new(&self.evidence, filter.as_ref(), &primary, size);
        let mut ranking = rank(pool.max(step.saturating_mul(RANKED_POOLS)));
        let mut read_before: FxHashMap<DocAddress, Candidate> = FxHashMap::default();
        let columns = Columns::of(self.searcher, self.fields)?;
        loop {
            if ranking.size < pool {
                ranking = rank(pool);
            }
            let totals = ranking.totals;
            let ranked = ranking.top(pool);
            let exhausted = ranked.len() < pool;
            let groups = group_copies(ranked, &columns);
            // Groups are read best first, until no later one can be among
            // the hits (re-ranking raises a score at most MAX_GAIN times),
            // or enough were read (a few times what is shown).
            let mut candidates: Vec<Candidate> = Vec::new();
            let batch = (limit / 4).clamp(8, 256);
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
                let enough = capped(&candidates, per_article, limit);
                // (Groups come in order: one out of reach, all are.)
                let out_of_reach = groups.get(read).is_some_and(|g| {
                    enough.is_some_and(|(primary, kth)| {
                        g[0].primary < primary
                            || g[0].primary == primary && g[0].score * MAX_GAIN < kth
                    })
                });
                if out_of_reach || (enough.is_some() && read >= step) {
                    break;
                }
            }
            if read < groups.len() || exhausted {
                let mut hits = cap(candidates, per_article, limit);
                let shown: Vec<&[Ranked]> =
                    hits.iter().map(|h| groups[h.group].as_slice()).collect();
                let named = copies(&shown, &columns, &self.evidence.articles)?;
                for (hit, also_in) in hits.iter_mut().zip(named) {
                    hit.also_in = also_in;
                }
                return Ok((totals, hits));
            }
            // Too few groups: a larger pool, without reading again what was
            // read (at least four times larger, and room for twice as many
            // groups as hits at the copies per group seen).
            read_before.extend(candidates.into_iter().map(|c| (c.addr, c)));
            let per_group = ranked.len().div_ceil(groups.len().max(1));
            pool = pool
                .saturating_mul(4)
                .max(limit.max(8).saturating_mul(2).saturating_mul(per_group));
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
        let (ordinal, kind, text) = read::stored_passage(self.searcher, &self.fields, r.addr)?;
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
            primary: r.primary,
            score: scored.score,
            addr: r.addr,
            number: r.article,
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
            context_before: Vec::new(),
            context_after: Vec::new(),
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

/// The documents of up to `n` passages before `doc` and after it, within
/// its article's passages `docs`.
fn around(doc: DocId, docs: &Range<DocId>, n: usize) -> (Range<DocId>, Range<DocId>) {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    let before = doc.saturating_sub(n).max(docs.start)..doc;
    let after = doc + 1..doc.saturating_add(n).saturating_add(1).min(docs.end);
    (before, after)
}

type Spans = Vec<(usize, usize)>;

/// The second stage of ranking, on the few passages that may be shown.
struct Rerank {
    highlighter: Highlighter,
    /// Rarity of each text pattern (idf).
    text_weights: Vec<f32>,
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
        let found = self.highlighter.text(text);
        let title_highlights = self.highlighter.title(title);
        let coverage = matched_share(&self.text_weights, &found.matched);
        let kind_factor = if kind == PassageKind::Caption {
            CAPTION_FACTOR
        } else {
            1.0
        };
        Scored {
            score: score * (1.0 + COVERAGE_FACTOR * coverage) * kind_factor,
            highlights: found.spans,
            title_highlights,
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

pub(crate) struct Candidate {
    /// The key before the score in the order (a date for a date sort).
    primary: u64,
    pub score: f32,
    addr: DocAddress,
    /// Its article's number (see [`crate::search::articles`]).
    number: u32,
    /// The copy group of the pool it stands for.
    group: usize,
    pub article: ArticleInfo,
    pub passage: PassageInfo,
    pub also_in: Vec<Copy>,
    pub context_before: Vec<PassageInfo>,
    pub context_after: Vec<PassageInfo>,
}

impl Candidate {
    /// Best first (by the primary key, then the score); ties go to prose
    /// over captions, then path and ordinal, so that the order never
    /// depends on segment layout.
    fn order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
        b.primary
            .cmp(&a.primary)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.passage.kind.code().cmp(&b.passage.kind.code()))
            .then_with(|| a.article.header.path.cmp(&b.article.header.path))
            .then_with(|| a.passage.ordinal.cmp(&b.passage.ordinal))
    }
}

/// The primary key and score of the last hit when `candidates` (sorted)
/// give `limit` hits with at most `per_article` from one article; `None`
/// when they give fewer.
fn capped(candidates: &[Candidate], per_article: usize, limit: usize) -> Option<(u64, Score)> {
    let mut per: HashMap<&str, usize> = HashMap::new();
    candidates
        .iter()
        .filter(|c| {
            let n = per.entry(c.article.header.id.as_str()).or_default();
            *n += 1;
            *n <= per_article
        })
        .nth(limit.checked_sub(1)?)
        .map(|c| (c.primary, c.score))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_stays_inside_the_article() {
        // An article whose passages are documents 5 to 8.
        let docs = 5..9;
        assert_eq!(around(5, &docs, 2), (5..5, 6..8), "its first passage");
        assert_eq!(around(6, &docs, 2), (5..6, 7..9));
        assert_eq!(around(8, &docs, 2), (6..8, 9..9), "its last passage");
        assert_eq!(around(6, &docs, 0), (6..6, 7..7));
        assert_eq!(around(6, &docs, usize::MAX), (5..6, 7..9));
    }
}
