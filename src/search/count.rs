//! Counting the articles a query matches by year, month or publisher
//! (`newsdex count`): which buckets, with the empty ones inside a range of
//! years or months, so that a chart of them shows the gaps.

use std::collections::BTreeMap;

use anyhow::Result;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::columnar::{Column, StrColumn};
use tantivy::Searcher;

use crate::index::schema::{DATE, PUBLISHER_NAME};
use crate::index::store::Store;
use crate::search::articles::Articles;
use crate::search::matching_articles;

/// What articles are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    Year,
    Month,
    Publisher,
}

/// The counts of a query (the JSON of `newsdex count`).
#[derive(Debug, Serialize)]
pub struct Counts {
    /// The query, `null` for every article.
    pub query: Option<String>,
    /// The query as newsdex read it.
    pub understood: Option<String>,
    pub by: Facet,
    /// Articles that match.
    pub total_articles: u64,
    /// One per year or month from the first to the last (empty ones
    /// included), or one per publisher, most articles first; then, with
    /// `key: null`, the articles without a date (a month, for months) or a
    /// publisher.
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// `1987`, `1987-10`, or a publisher; `null` for the articles that do
    /// not say.
    pub key: Option<String>,
    pub articles: u64,
}

/// Counts the articles that match `query` (every article when `None`) by
/// `by`. `any`: any of the words, as `search --any` (without expansion).
pub fn count(store: &Store, query: Option<&str>, any: bool, by: Facet) -> Result<Counts> {
    let searcher = store.reader()?.searcher();
    let articles = Articles::of(&searcher)?;
    let (matching, understood) = matching_articles(store, &searcher, &articles, query, any)?;
    let values = Values::of(&searcher)?;
    // Counted by number (a year or month) or by a segment's publisher
    // ordinal first; each bucket is named once, after the loop.
    let mut numbers: FxHashMap<u32, u64> = FxHashMap::default();
    let mut ordinals: Vec<FxHashMap<u64, u64>> = vec![FxHashMap::default(); values.dates.len()];
    let mut missing = 0u64;
    for first in articles.first_passages(&matching) {
        let (seg, doc) = (first.segment_ord as usize, first.doc_id);
        let date = || values.dates[seg].first(doc);
        let counter = match by {
            Facet::Year => date().map(|d| numbers.entry(month_number(d / 10_000, 1)).or_default()),
            Facet::Month => date().filter(|d| d % 10_000 != 0).map(|d| {
                numbers
                    .entry(month_number(d / 10_000, d / 100 % 100))
                    .or_default()
            }),
            Facet::Publisher => values.publishers[seg]
                .as_ref()
                .and_then(|column| column.ords().first(doc))
                .map(|ord| ordinals[seg].entry(ord).or_default()),
        };
        *counter.unwrap_or(&mut missing) += 1;
    }
    let tally = match by {
        Facet::Year | Facet::Month => Tally::Dated(numbers.into_iter().collect()),
        Facet::Publisher => {
            let mut named: BTreeMap<String, u64> = BTreeMap::new();
            for (seg, counted) in ordinals.iter().enumerate() {
                let Some(column) = values.publishers[seg].as_ref() else {
                    continue;
                };
                for (&ord, &n) in counted {
                    let mut name = String::new();
                    if column.ord_to_str(ord, &mut name)? {
                        *named.entry(name).or_default() += n;
                    } else {
                        missing += n;
                    }
                }
            }
            Tally::Named(named)
        }
    };
    Ok(Counts {
        query: query.map(str::to_string),
        understood,
        by,
        total_articles: matching.len() as u64,
        buckets: buckets(tally, missing, by),
    })
}

/// The articles counted per key, before they are put in order.
enum Tally {
    /// By year or month, as [`month_number`]s.
    Dated(BTreeMap<u32, u64>),
    /// By publisher.
    Named(BTreeMap<String, u64>),
}

/// A year and month (1–12) as one number, months counted from year 0.
fn month_number(year: u64, month: u64) -> u32 {
    (year * 12 + month.clamp(1, 12) - 1) as u32
}

/// The per-segment columns counts are read from.
struct Values {
    dates: Vec<Column<u64>>,
    publishers: Vec<Option<StrColumn>>,
}

impl Values {
    fn of(searcher: &Searcher) -> Result<Values> {
        let mut v = Values {
            dates: Vec::new(),
            publishers: Vec::new(),
        };
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            v.dates.push(fast.u64(DATE)?);
            v.publishers.push(fast.str(PUBLISHER_NAME)?);
        }
        Ok(v)
    }
}

/// The buckets in order: years and months from the first to the last, the
/// empty ones included; publishers by count, then name; the `missing`
/// articles (without a key) last.
fn buckets(tally: Tally, missing: u64, by: Facet) -> Vec<Bucket> {
    let bucket = |key: String, articles: u64| Bucket {
        key: Some(key),
        articles,
    };
    let mut out: Vec<Bucket> = match tally {
        Tally::Named(named) => {
            let mut list: Vec<Bucket> = named.into_iter().map(|(k, n)| bucket(k, n)).collect();
            list.sort_by(|a, b| b.articles.cmp(&a.articles).then_with(|| a.key.cmp(&b.key)));
            list
        }
        Tally::Dated(dated) => {
            let name = |n: u32| match by {
                Facet::Year => format!("{}", n / 12),
                _ => format!("{}-{:02}", n / 12, n % 12 + 1),
            };
            let step = if by == Facet::Year { 12 } else { 1 };
            match (dated.keys().next(), dated.keys().last()) {
                (Some(&first), Some(&last)) => (first..=last)
                    .step_by(step)
                    .map(|n| bucket(name(n), dated.get(&n).copied().unwrap_or(0)))
                    .collect(),
                _ => Vec::new(),
            }
        }
    };
    if missing > 0 {
        out.push(Bucket {
            key: None,
            articles: missing,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counted keys as `count` tallies them (`None`: the articles without
    /// one), then put in order.
    fn buckets_of(items: &[(Option<&str>, u64)], by: Facet) -> Vec<Bucket> {
        let missing = items.iter().filter(|i| i.0.is_none()).map(|i| i.1).sum();
        let keys = items.iter().filter_map(|(k, n)| k.map(|k| (k, *n)));
        let tally = match by {
            Facet::Publisher => Tally::Named(keys.map(|(k, n)| (k.to_string(), n)).collect()),
            _ => Tally::Dated(
                keys.map(|(k, n)| {
                    let (y, m) = k.split_once('-').unwrap_or((k, "1"));
                    (month_number(y.parse().unwrap(), m.parse().unwrap()), n)
                })
                .collect(),
            ),
        };
        buckets(tally, missing, by)
    }

    fn shown(b: &[Bucket]) -> Vec<(String, u64)> {
        b.iter()
            .map(|b| (b.key.clone().unwrap_or("-".into()), b.articles))
            .collect()
    }

    #[test]
    fn years_and_months_run_from_first_to_last_with_the_gaps() {
        let years = buckets_of(
            &[(Some("1987"), 3), (Some("1990"), 1), (None, 2)],
            Facet::Year,
        );
        assert_eq!(
            shown(&years),
            [
                ("1987".into(), 3),
                ("1988".into(), 0),
                ("1989".into(), 0),
                ("1990".into(), 1),
                ("-".into(), 2)
            ]
        );
        let months = buckets_of(&[(Some("1987-11"), 1), (Some("1988-02"), 4)], Facet::Month);
        assert_eq!(
            shown(&months),
            [
                ("1987-11".into(), 1),
                ("1987-12".into(), 0),
                ("1988-01".into(), 0),
                ("1988-02".into(), 4)
            ]
        );
        let publishers = buckets_of(
            &[
                (Some("B Wire"), 2),
                (Some("A Post"), 2),
                (Some("C Daily"), 5),
            ],
            Facet::Publisher,
        );
        assert_eq!(
            shown(&publishers),
            [
                ("C Daily".into(), 5),
                ("A Post".into(), 2),
                ("B Wire".into(), 2)
            ]
        );
        assert!(buckets_of(&[], Facet::Year).is_empty());
    }
}
