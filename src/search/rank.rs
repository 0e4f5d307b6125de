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

/// The best matching passages (of the accepted articles) by their
/// article's score plus their own, as many as asked for, best first (see
/// [`Ranking::top`]), and how many passages (and articles) match. Equal
/// scores are in article order (serial number, then passage), so that which
/// passages are kept, and read first, never depends on how the index is
/// split into segments.
pub(crate) struct Ranking<'a> {
    evidence: &'a Evidence,
    /// At least the `size` best passages, in no order but the first
    /// `sorted`, which are the best in order.
    kept: Vec<Ranked>,
    sorted: usize,
    /// How many of the best `kept` holds.
    pub size: usize,
    pub totals: Totals,
}

impl<'a> Ranking<'a> {
    /// Ranks every accepted passage, keeping the `size` best (and those
    /// that tie with the last of them).
    pub fn new(
        evidence: &'a Evidence,
        filter: Option<&ArticleSet>,
        primary: &Primary,
        size: usize,
    ) -> Ranking<'a> {
        let size = size.max(1);
        let mut kept: Vec<Ranked> = Vec::new();
        // Passages scoring below this cannot be among the best (once known).
        let mut floor: Option<(u64, u32)> = None;
        let mut totals = Totals::default();
        // The article of the passages at hand, its score and primary key.
        let (mut article, mut article_score, mut article_key) = (None, 0.0, 0);
        // Passages come in article order, like the article scores.
        let mut scores = evidence.scores.iter().peekable();
        for (seg, p) in accepted(evidence, filter) {
            totals.passages += 1;
            if article != Some(p.article) {
                // Passages come grouped by article.
                totals.articles += 1;
                article = Some(p.article);
                while scores.next_if(|s| s.article < p.article).is_some() {}
                article_score = scores
                    .peek()
                    .filter(|s| s.article == p.article)
                    .map_or(0.0, |s| s.score);
                article_key = primary.of(&evidence.articles, p.article);
            }
            let ranked = Ranked {
                primary: article_key,
                score: PASSAGE_FACTOR * p.score + article_score,
                article: p.article,
                addr: DocAddress::new(seg as SegmentOrdinal, p.doc),
            };
            if floor.is_some_and(|f| ranked.key() < f) {
                continue;
            }
            kept.push(ranked);
            if kept.len() >= 2 * size {
                floor = Some(keep_best(&mut kept, size));
            }
        }
        Ranking {
            evidence,
            kept,
            sorted: 0,
            size,
            totals,
        }
    }

    /// The `n` best passages (fewer when fewer match; at most `size`), best
    /// first.
    pub fn top(&mut self, n: usize) -> &[Ranked] {
        let n = n.min(self.size).min(self.kept.len());
        if n > self.sorted {
            // The n best and those that tie with the last of them, in order.
            let mut end = self.kept.len();
            if n < end {
                end = keep_best_first(&mut self.kept, n).1;
            }
            let best = &mut self.kept[..end];
            best.sort_by(by_key);
            // Runs of equal scores in serial order (read only for those).
            let mut start = 0;
            while start < best.len() {
                let run = best[start..].partition_point(|r| r.key() == best[start].key());
                if run > 1 {
                    let articles = &self.evidence.articles;
                    best[start..start + run]
                        .sort_by_cached_key(|r| (articles.serial(r.article), r.addr));
                }
                start += run;
            }
            self.sorted = n;
        }
        &self.kept[..n]
    }
}

/// Larger keys first.
fn by_key(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.key().cmp(&a.key())
}

/// Moves the `n` best of `list` (n ≥ 1, fewer than in the list) to its
/// front, then those that tie with the last of them; returns that key and
/// where those end.
fn keep_best_first(list: &mut [Ranked], n: usize) -> ((u64, u32), usize) {
    list.select_nth_unstable_by(n - 1, by_key);
    let edge = list[n - 1].key();
    let mut end = n;
    for i in n..list.len() {
        if list[i].key() == edge {
            list.swap(i, end);
            end += 1;
        }
    }
    (edge, end)
}

/// Keeps the `n` best of `list` and those that tie with the last of them;
/// returns that key.
fn keep_best(list: &mut Vec<Ranked>, n: usize) -> (u64, u32) {
    let (edge, end) = keep_best_first(list, n);
    list.truncate(end);
    edge
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{parse, plan::Plan};
    use crate::testing::store_with;

    /// Nine articles over three segments, each with the same passage and
    /// one of its own: every copy ties. Whatever was asked before, the n
    /// best are the first n of one order: by score, ties by serial number.
    #[test]
    fn each_top_is_the_start_of_one_order_with_ties_by_serial() {
        let texts: Vec<(String, String)> = (0..9)
            .map(|i| {
                let own = if i % 2 == 0 { "tide tide tide" } else { "tide" };
                (
                    format!("t{i}.txt"),
                    format!("Notice {i}\n\nThe harbour closes at noon.\n\nA {own} table, edition {i}.\n"),
                )
            })
            .collect();
        let store = store_with(&texts, 3);
        let searcher = store.reader().unwrap().searcher();
        let plan = Plan::compile(
            &parse("harbour OR tide").unwrap(),
            &searcher,
            &store.fields,
            false,
        )
        .unwrap();
        let evidence = Evidence::gather(&searcher, &store.fields, &plan).unwrap();
        let primary = Primary::new(&searcher, crate::search::Sort::Relevance).unwrap();
        let key = |r: &Ranked| {
            (
                std::cmp::Reverse(r.key()),
                evidence.articles.serial(r.article),
                r.addr,
            )
        };
        let mut all: Vec<Ranked> = Ranking::new(&evidence, None, &primary, 100)
            .top(100)
            .to_vec();
        assert_eq!(all.len(), 18);
        all.sort_by_key(key);
        for sizes in [[1, 3, 18], [4, 4, 9], [2, 7, 18], [18, 1, 5]] {
            let mut ranking = Ranking::new(&evidence, None, &primary, 18);
            for n in sizes {
                let top: Vec<Ranked> = ranking.top(n).to_vec();
                assert_eq!(
                    top.iter().map(|r| r.addr).collect::<Vec<_>>(),
                    all[..n].iter().map(|r| r.addr).collect::<Vec<_>>(),
                    "{sizes:?} {n}"
                );
            }
        }
        let small = Ranking::new(&evidence, None, &primary, 5).top(9).len();
        assert_eq!(small, 5, "no more than the ranking kept");
    }
}
