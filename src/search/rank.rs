//! The best passages of a query: each matching passage (of the articles
//! the boolean tree accepts) scored by its article's score plus half its
//! own, the best kept in a total order that never depends on how the index
//! is split into segments.

use anyhow::Result;
use tantivy::columnar::Column;
use tantivy::{DocAddress, Score, Searcher, SegmentOrdinal};

use crate::index::schema::DATE;
use crate::search::article_set::ArticleSet;
use crate::search::articles::Articles;
use crate::search::evidence::{Evidence, PassageHit};
use crate::search::Sort;

/// A passage's score is its article's score plus this much of its own
/// BM25: the article's evidence leads (measured on three test collections,
/// see bench/README.md), the passage's chooses what is shown.
const PASSAGE_FACTOR: Score = 0.5;
/// A passage taken from the index: its score (its own BM25 plus its
/// article's), its article (numbered in [`Articles`]) and address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    /// What comes before the score in the order (see [`Primary`]).
    pub primary: u64,
    pub score: Score,
    pub article: u32,
    pub addr: DocAddress,
}

impl Ranked {
    /// The order, larger first: the primary key, then the score. Scores
    /// this close are one score (the same passage can be scored with its
    /// terms summed in another order): the last 8 bits of the mantissa are
    /// ignored.
    pub fn key(&self) -> (u64, u32) {
        (self.primary, self.score.max(0.0).to_bits() & !0xFF)
    }
}

/// The key that orders hits before their score: nothing for relevance; the
/// article's date for `newest` (later first) and `oldest` (earlier first),
/// undated articles last in both. An article dated only by its year sorts
/// as the start of that year.
pub(crate) struct Primary {
    sort: Sort,
    /// Per segment, the `date` column (on first passages).
    dates: Vec<Column<u64>>,
}

impl Primary {
    pub fn new(searcher: &Searcher, sort: Sort) -> Result<Primary> {
        let dates = match sort {
            Sort::Relevance => Vec::new(),
            Sort::Newest | Sort::Oldest => searcher
                .segment_readers()
                .iter()
                .map(|r| r.fast_fields().u64(DATE))
                .collect::<tantivy::Result<_>>()?,
        };
        Ok(Primary { sort, dates })
    }

    /// The key of an article.
    fn of(&self, articles: &Articles, article: u32) -> u64 {
        if self.sort == Sort::Relevance {
            return 0;
        }
        let date = articles
            .first_passage(article)
            .and_then(|first| self.dates[first.segment_ord as usize].first(first.doc_id));
        match (self.sort, date) {
            (_, None) | (Sort::Relevance, _) => 0,
            (Sort::Newest, Some(d)) => d + 1,
            (Sort::Oldest, Some(d)) => u64::MAX - d,
        }
    }
}

/// The matching passages of the articles `filter` accepts, with their
/// segment, in article order.
pub(crate) fn accepted<'a>(
    evidence: &'a Evidence,
    filter: Option<&'a ArticleSet>,
) -> impl Iterator<Item = (usize, &'a PassageHit)> + 'a {
    evidence
        .segments
        .iter()
        .enumerate()
        .flat_map(|(seg, passages)| passages.iter().map(move |p| (seg, p)))
        .filter(move |(_, p)| filter.is_none_or(|f| f.contains(u64::from(p.article))))
}

/// How much a query matches: passages, and the articles they are in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub passages: u64,
    pub articles: u64,
}

/// The `size` best matching passages (of the accepted articles) by their
/// article's score plus their own, best first, and how many passages (and
/// articles) match. Equal scores are in article order (serial number, then passage),
/// so that which passages are kept, and read first, never depends on how
/// the index is split into segments.
pub(crate) fn rank(
    evidence: &Evidence,
    filter: Option<&ArticleSet>,
    primary: &Primary,
    size: usize,
) -> (Vec<Ranked>, Totals) {
    let size = size.max(1);
    let mut best: Vec<Ranked> = Vec::new();
    // Passages scoring below this cannot be among the best (once known).
    let mut floor: Option<(u64, u32)> = None;
    // The primary key of the article of the passages at hand.
    let mut article_key = (u32::MAX, 0);
    let mut totals = Totals::default();
    let mut last_article = None;
    let by_key = |a: &Ranked, b: &Ranked| b.key().cmp(&a.key());
    // Passages come in article order, like the article scores.
    let mut scores = evidence.scores.iter().peekable();
    for (seg, p) in accepted(evidence, filter) {
        totals.passages += 1;
        if last_article != Some(p.article) {
            // Passages come grouped by article.
            totals.articles += 1;
            last_article = Some(p.article);
        }
        while scores.next_if(|s| s.article < p.article).is_some() {}
        let article = scores
            .peek()
            .filter(|s| s.article == p.article)
            .map_or(0.0, |s| s.score);
        if article_key.0 != p.article {
            article_key = (p.article, primary.of(&evidence.articles, p.article));
        }
        let ranked = Ranked {
            primary: article_key.1,
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
    (best, totals)
}
