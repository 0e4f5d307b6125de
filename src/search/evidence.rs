//! The one pass over the postings of a query: which articles each leaf
//! matches, how well each article *as a whole* matches, and which passages
//! match and how well on their own.
//!
//! Search returns passages, but an article that speaks of the query
//! throughout is a better answer than one with a single lucky paragraph. So
//! each word's occurrences are summed over the article's passages, headline
//! and tags (BM25F: a headline or tag occurrence counts more, see
//! [`crate::query::plan::scope_fields`]) and scored with BM25 against article-level
//! statistics: how many articles have the word, the article's length against
//! the average. Each passage also gets its own BM25 over its text (every
//! form of a stem counted as one word). A phrase counts the passages that
//! hold it; a prefix scores each word it expands to.
//!
//! Every posting is read once, except those of the rarest of the words
//! every match must have (when there are several), read twice: first only
//! for its articles, then for its passages in the articles that have every
//! such word (most of its articles lack another, and listing their passages
//! cost more than reading it again). Postings come in document order, an
//! article's passages are neighbours, and articles are numbered in document
//! order (see [`Articles`]): so everything is kept as lists sorted by
//! document or by article, merged as they come, and the memory used follows
//! the postings read, not the size of the index.

use std::cmp::{Ordering, Reverse};

use anyhow::Result;
use tantivy::fastfield::AliveBitSet;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{EnableScoring, PhraseQuery, Query, RangeQuery, Scorer};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Searcher, SegmentReader, Term, TERMINATED};

use crate::index::postings;
use crate::index::schema::Fields;
use crate::query::plan::{range_query, scope_fields, FieldUse, Matcher, Pattern, Plan};
use crate::search::article_set::Bits;
use crate::search::articles::{Articles, NO_ARTICLE};

/// BM25's term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// A matching passage: its document in its segment, its article (see
/// [`Articles`]), and its own score (while a unit is read: its occurrences).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct PassageHit {
    pub doc: DocId,
    pub article: u32,
    pub score: f32,
}

/// An article's score.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ArticleScore {
    pub article: u32,
    pub score: f32,
}

/// An article's occurrences of the unit being read (weighted by field),
/// and its length.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct ArticleCount {
    article: u32,
    freq: f32,
    length: u32,
}

/// What the postings say of a query.
pub struct Evidence {
    /// The searcher's articles, by which all of this is numbered.
    pub articles: Articles,
    /// The articles with a score, sorted by article.
    pub scores: Vec<ArticleScore>,
    /// For each leaf of the plan, the articles it matches.
    pub sets: Vec<Bits>,
    /// For each segment, every passage that matches a positive leaf, once,
    /// sorted by document (so by article too).
    pub segments: Vec<Vec<PassageHit>>,
}

impl Evidence {
    /// Reads the postings of every leaf of `plan`: the leaves every match
    /// must have first, the rarest first, so that the rest lists only what
    /// is in the articles they all have (the rarest is listed last, see the
    /// module's comment).
    pub fn gather(searcher: &Searcher, fields: &Fields, plan: &Plan) -> Result<Evidence> {
        Evidence::read(searcher, fields, plan, true)
    }

    /// [`Evidence::gather`]; the first required leaf read in full at once
    /// unless `defer` (the same evidence, more work: for tests).
    fn read(searcher: &Searcher, fields: &Fields, plan: &Plan, defer: bool) -> Result<Evidence> {
        let mut pass = Pass::new(searcher, fields)?;
        let mut sets: Vec<Bits> = vec![Bits::default(); plan.leaves.len()];
        let required = plan.required();
        let mut order: Vec<(bool, u64, usize)> = Vec::with_capacity(plan.leaves.len());
        for i in 0..plan.leaves.len() {
            let first = required.contains(&i);
            let cost = if first {
                pass.cost(&plan.leaves[i])?
            } else {
                0
            };
            order.push((!first, cost, i));
        }
        order.sort_unstable();
        // The first required leaf, when another follows, is first read only
        // for the articles it is in (as a leaf that is not scored: nothing
        // listed, most of them lack a later leaf), and read again at the end
        // in the articles that have them all.
        let deferred = match order.as_slice() {
            [(false, _, first), (false, _, _), ..] if defer => Some(*first),
            _ => None,
        };
        for &(_, _, i) in &order {
            let positive = deferred != Some(i) && plan.positive.contains(&i);
            let set = pass.read_leaf(plan, i, positive)?;
            if required.contains(&i) {
                // No article outside this set can match: what the leaves
                // read next find there is not listed, only counted.
                pass.within = Some(match pass.within.take() {
                    Some(within) => within.and(&set),
                    None => set.clone(),
                });
            }
            sets[i] = set;
        }
        if let Some(i) = deferred {
            // Its lists and scores go first, where they would be had it been
            // read in full first (sums are then added up in the same order).
            let streams: Vec<_> = pass.streams.iter_mut().map(std::mem::take).collect();
            let scored = std::mem::take(&mut pass.scored);
            pass.read_leaf(plan, i, plan.positive.contains(&i))?;
            pass.streams
                .iter_mut()
                .zip(streams)
                .for_each(|(s, later)| s.extend(later));
            pass.scored.extend(scored);
        }
        let mut scores = Vec::new();
        for unit in std::mem::take(&mut pass.scored) {
            scores = merge(vec![scores, unit]);
        }
        if let Some(within) = &pass.within {
            // The leaves read before the last required one listed articles
            // that lack a later one: no match is there.
            for runs in &mut pass.streams {
                for run in runs.iter_mut() {
                    run.retain(|p| within.contains(u64::from(p.article)));
                }
            }
            scores.retain(|s| within.contains(u64::from(s.article)));
        }
        Ok(Evidence {
            articles: pass.articles,
            scores,
            sets,
            segments: pass.streams.into_iter().map(merge).collect(),
        })
    }
}

/// A list sorted by a key, whose entries with the same key add up.
trait Entry: Copy + Default {
    fn key(&self) -> u32;
    fn add(&mut self, other: &Self);
}

impl Entry for PassageHit {
    fn key(&self) -> u32 {
        self.doc
    }

    fn add(&mut self, other: &Self) {
        self.score += other.score;
    }
}

impl Entry for ArticleScore {
    fn key(&self) -> u32 {
        self.article
    }

    fn add(&mut self, other: &Self) {
        self.score += other.score;
    }
}

impl Entry for ArticleCount {
    fn key(&self) -> u32 {
        self.article
    }

    fn add(&mut self, other: &Self) {
        self.freq += other.freq;
    }
}

/// One thing counted: a word (any of its forms), or a phrase.
enum Unit<'a> {
    Words(&'a [String]),
    Phrase(&'a [String], u32),
}

/// What the pass keeps open for one segment.
struct Segment<'a> {
    reader: &'a SegmentReader,
    /// Passage lengths (tokens) of the text field.
    norms: FieldNormReader,
}

/// Index-wide counts for BM25.
struct Stats {
    articles: f32,
    article_length: f32,
    passages: f32,
    passage_length: f32,
}

/// The state of the pass: the article scores so far and the passage lists
/// of each segment.
struct Pass<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    stats: Stats,
    articles: Articles,
    segments: Vec<Segment<'a>>,
    /// The article scores of each unit read, in the order read.
    scored: Vec<Vec<ArticleScore>>,
    /// Per segment, lists of matching passages, each sorted by document.
    streams: Vec<Vec<Vec<PassageHit>>>,
    /// The articles that can still match (those of the required leaves
    /// read so far); `None`: any.
    within: Option<Bits>,
}

impl<'a> Pass<'a> {
    fn new(searcher: &'a Searcher, fields: &Fields) -> Result<Pass<'a>> {
        let articles = Articles::of(searcher)?;
        let mut article_tokens = 0u64;
        let mut text_tokens = 0u64;
        let mut segments = Vec::new();
        for reader in searcher.segment_readers() {
            for field in [fields.text, fields.title, fields.tags] {
                let Some(index) = postings::inverted_index(searcher, reader, field)? else {
                    continue;
                };
                let tokens = index.total_num_tokens();
                article_tokens += tokens;
                if field == fields.text {
                    text_tokens += tokens;
                }
            }
            segments.push(Segment {
                reader,
                norms: reader.get_fieldnorms_reader(fields.text)?,
            });
        }
        let n = articles.count().max(1) as f32;
        let passages = searcher.num_docs().max(1) as f32;
        Ok(Pass {
            searcher,
            fields: *fields,
            stats: Stats {
                articles: n,
                article_length: (article_tokens as f32 / n).max(1.0),
                passages,
                passage_length: (text_tokens as f32 / passages).max(1.0),
            },
            streams: segments.iter().map(|_| Vec::new()).collect(),
            segments,
            scored: Vec::new(),
            articles,
            within: None,
        })
    }

    /// Reads leaf `i` of `plan` (see [`Pass::leaf`]), scored when it is
    /// `positive`.
    fn read_leaf(&mut self, plan: &Plan, i: usize, positive: bool) -> Result<Bits> {
        match &plan.leaves[i] {
            Matcher::Range { field, from, to } => {
                let query = range_query(*field, *from, *to, &self.fields);
                self.range(&query, positive)
            }
            Matcher::Text {
                scope,
                pattern,
                weight,
                ..
            } => {
                let weight = if positive { *weight } else { 0.0 };
                let fields = scope_fields(*scope, &self.fields);
                self.leaf(&fields, pattern, weight, positive)
            }
        }
    }

    /// How many passages a leaf's text words are in (the fewest for a
    /// phrase, which is in no more than its rarest word); a year or date:
    /// unknown, as many as there are.
    fn cost(&self, leaf: &Matcher) -> Result<u64> {
        let Matcher::Text { pattern, .. } = leaf else {
            return Ok(self.stats.passages as u64);
        };
        let df = |word: &String| {
            self.searcher
                .doc_freq(&Term::from_field_text(self.fields.text, word))
        };
        Ok(match pattern {
            Pattern::Exact(words, _) if words.len() > 1 => words
                .iter()
                .map(df)
                .collect::<tantivy::Result<Vec<u64>>>()?
                .into_iter()
                .min()
                .unwrap_or(0),
            Pattern::Stem(_, words) | Pattern::Exact(words, _) | Pattern::AnyOf(words) => {
                words.iter().map(df).sum::<tantivy::Result<u64>>()?
            }
        })
    }

    /// The idf of a unit among passages (a phrase: the sum of its words').
    fn passage_idf(&self, unit: &Unit) -> Result<f32> {
        let df = |word: &str| -> Result<f32> {
            Ok(self
                .searcher
                .doc_freq(&Term::from_field_text(self.fields.text, word))? as f32)
        };
        let idf = |df: f32| {
            let df = df.min(self.stats.passages);
            (1.0 + (self.stats.passages - df + 0.5) / (df + 0.5)).ln()
        };
        Ok(match unit {
            Unit::Words(forms) => idf(forms.iter().map(|w| df(w)).sum::<Result<f32>>()?),
            Unit::Phrase(words, _) => words.iter().map(|w| df(w).map(idf)).sum::<Result<f32>>()?,
        })
    }

    /// Reads one leaf in the fields of its scope: adds `weight` times its
    /// BM25 to the articles' and passages' scores, lists the passages it
    /// matches when it is `positive`, and returns the articles it matches.
    fn leaf(
        &mut self,
        fields: &[FieldUse],
        pattern: &Pattern,
        weight: f32,
        positive: bool,
    ) -> Result<Bits> {
        let mut set = Bits::default();
        let units: Vec<Unit> = match pattern {
            Pattern::Stem(_, forms) => vec![Unit::Words(forms)],
            Pattern::Exact(words, _) if words.len() == 1 => vec![Unit::Words(words)],
            Pattern::Exact(words, slop) => vec![Unit::Phrase(words, *slop)],
            Pattern::AnyOf(words) => words.chunks(1).map(Unit::Words).collect(),
        };
        for unit in &units {
            let passage_weight = weight * self.passage_idf(unit)?;
            let mut counts = Vec::new();
            let mut seen = Bits::default();
            for seg in 0..self.segments.len() {
                // Each segment's articles come after the last segment's.
                let mut by_field = Vec::with_capacity(fields.len());
                for u in fields {
                    // A leaf that is not positive (its weight is then 0)
                    // needs only its articles.
                    let mut passages = self.read(seg, u, unit, positive, &mut seen)?;
                    if weight > 0.0 {
                        by_field.push(self.article_counts(seg, &passages, u.article_weight));
                    }
                    if !positive || passages.is_empty() {
                        continue;
                    }
                    let scored = u.field == self.fields.text;
                    let norms = &self.segments[seg].norms;
                    for p in &mut passages {
                        p.score = if scored {
                            let length = norms.fieldnorm(p.doc) as f32;
                            passage_weight * bm25(p.score, length, self.stats.passage_length)
                        } else {
                            0.0
                        };
                    }
                    self.streams[seg].push(passages);
                }
                counts.extend(merge(by_field));
            }
            self.score_articles(counts, seen.count(), weight);
            set = set.or(&seen);
        }
        Ok(set)
    }

    /// The occurrences of each article in `passages` (listed by `read`, so
    /// sorted by document and article) times `article_weight`, with its
    /// length.
    fn article_counts(
        &self,
        seg: usize,
        passages: &[PassageHit],
        article_weight: f32,
    ) -> Vec<ArticleCount> {
        let mut counts: Vec<ArticleCount> = Vec::new();
        for p in passages {
            match counts.last_mut() {
                Some(last) if last.article == p.article => last.freq += p.score * article_weight,
                _ => counts.push(ArticleCount {
                    article: p.article,
                    freq: p.score * article_weight,
                    length: self.articles.length(seg, p.article),
                }),
            }
        }
        counts
    }

    /// Reads the occurrences of `unit` in one field of one segment: when
    /// `wanted`, the passages with their counts (in `score`), sorted by
    /// document, of the articles that can still match; every article with
    /// an occurrence goes in `seen`.
    fn read(
        &self,
        seg: usize,
        u: &FieldUse,
        unit: &Unit,
        wanted: bool,
        seen: &mut Bits,
    ) -> Result<Vec<PassageHit>> {
        let reader = self.segments[seg].reader;
        let mut passage_runs = Vec::new();
        match unit {
            Unit::Words(forms) => {
                let Some(index) = postings::inverted_index(self.searcher, reader, u.field)? else {
                    return Ok(Vec::new());
                };
                for form in *forms {
                    let term = Term::from_field_text(u.field, form);
                    let Some(mut list) =
                        index.read_block_postings(&term, IndexRecordOption::WithFreqs)?
                    else {
                        continue;
                    };
                    let room = if wanted { list.doc_freq() as usize } else { 0 };
                    let mut passages = Vec::with_capacity(room);
                    let mut articles = Vec::with_capacity(128);
                    let mut sift = Sift::new(reader.alive_bitset(), self.within.as_ref(), wanted);
                    loop {
                        let docs = list.docs();
                        if docs.is_empty() {
                            break;
                        }
                        self.articles.articles_of(seg, docs, &mut articles);
                        for ((&doc, &freq), &article) in
                            docs.iter().zip(list.freqs()).zip(&articles)
                        {
                            sift.absorb(doc, article, freq, seen, &mut passages);
                        }
                        list.advance();
                    }
                    passage_runs.push(passages);
                }
            }
            Unit::Phrase(_, _) if !postings::has(self.searcher, reader, u.field) => {}
            Unit::Phrase(words, slop) => {
                let terms = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i, Term::from_field_text(u.field, w)))
                    .collect();
                let query = PhraseQuery::new_with_offset_and_slop(terms, *slop);
                let scoring = EnableScoring::disabled_from_searcher(self.searcher);
                let mut scorer = query.weight(scoring)?.scorer(reader, 1.0)?;
                let mut passages = Vec::new();
                let mut sift = Sift::new(reader.alive_bitset(), self.within.as_ref(), wanted);
                drain(scorer.as_mut(), &mut |doc| {
                    let article = self.articles.article(seg, doc).unwrap_or(NO_ARTICLE);
                    sift.absorb(doc, article, 1, seen, &mut passages);
                });
                passage_runs.push(passages);
            }
        }
        Ok(merge(passage_runs))
    }

    /// A year or date leaf: the articles it matches and, when positive,
    /// their first passages (which hold the year and date) as matches
    /// without a score.
    fn range(&mut self, query: &RangeQuery, positive: bool) -> Result<Bits> {
        let mut set = Bits::default();
        let weight = query.weight(EnableScoring::disabled_from_searcher(self.searcher))?;
        for (seg, s) in self.segments.iter().enumerate() {
            if !postings::has(self.searcher, s.reader, query.field()) {
                continue;
            }
            let mut scorer = weight.scorer(s.reader, 1.0)?;
            let mut sift = Sift::new(s.reader.alive_bitset(), self.within.as_ref(), positive);
            let mut passages = Vec::new();
            drain(scorer.as_mut(), &mut |doc| {
                let article = self.articles.article(seg, doc).unwrap_or(NO_ARTICLE);
                sift.absorb(doc, article, 0, &mut set, &mut passages);
            });
            if !passages.is_empty() {
                self.streams[seg].push(passages);
            }
        }
        Ok(set)
    }

    /// Scores the articles' counts of the unit just read (BM25 times
    /// `weight`; `df`: how many articles have it) and adds them to the
    /// articles' scores.
    fn score_articles(&mut self, counts: Vec<ArticleCount>, df: u64, weight: f32) {
        let df = df as f32;
        let idf = (1.0 + (self.stats.articles - df + 0.5) / (df + 0.5)).ln();
        let scores: Vec<ArticleScore> = counts
            .iter()
            .map(|c| ArticleScore {
                article: c.article,
                score: weight * idf * bm25(c.freq, c.length as f32, self.stats.article_length),
            })
            .collect();
        if weight > 0.0 {
            self.scored.push(scores);
        }
    }
}

/// Sifts one list of postings, in document order: counts `freq`
/// occurrences in passage `doc` of `article` ([`NO_ARTICLE`]: none) unless
/// the passage is deleted (`alive`): marks the article in `seen` and, if
/// passages are wanted and the article can still match (is `within`),
/// lists them for the passage (in `passages`). An article's postings are
/// neighbours, so each article is looked up once.
struct Sift<'b> {
    alive: Option<&'b AliveBitSet>,
    within: Option<&'b Bits>,
    /// The article of the last passage counted, and whether it is listed.
    last: u32,
    listed: bool,
}

impl<'b> Sift<'b> {
    /// `wanted`: whether passages are listed at all.
    fn new(alive: Option<&'b AliveBitSet>, within: Option<&'b Bits>, wanted: bool) -> Sift<'b> {
        // No passage wanted: no article is in play.
        static NONE: Bits = Bits::new();
        Sift {
            alive,
            within: if wanted { within } else { Some(&NONE) },
            last: NO_ARTICLE,
            listed: false,
        }
    }

    #[inline]
    fn absorb(
        &mut self,
        doc: DocId,
        article: u32,
        freq: u32,
        seen: &mut Bits,
        passages: &mut Vec<PassageHit>,
    ) {
        if article == NO_ARTICLE || self.alive.is_some_and(|a| a.is_deleted(doc)) {
            return;
        }
        if article != self.last {
            seen.insert(u64::from(article));
            self.last = article;
            self.listed = self.within.is_none_or(|w| w.contains(u64::from(article)));
        }
        if self.listed {
            passages.push(PassageHit {
                doc,
                article,
                score: freq as f32,
            });
        }
    }
}

/// BM25's weight of `tf` occurrences in a text of `length` tokens (times idf).
fn bm25(tf: f32, length: f32, average: f32) -> f32 {
    tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average))
}

/// Calls `f` with every document of a scorer.
fn drain(scorer: &mut dyn Scorer, f: &mut dyn FnMut(DocId)) {
    while scorer.doc() != TERMINATED {
        f(scorer.doc());
        scorer.advance();
    }
}

/// Merges lists sorted by key into one, each key once, the entries with
/// the same key added up. Lists are merged two by two, shortest first, each
/// into the larger: one long list and a few short ones (a common word in
/// the text, rarely in headlines) cost one linear pass and no copy.
fn merge<T: Entry>(mut runs: Vec<Vec<T>>) -> Vec<T> {
    runs.retain(|r| !r.is_empty());
    while runs.len() > 1 {
        runs.sort_by_key(|r| Reverse(r.len()));
        let (Some(small), Some(mut large)) = (runs.pop(), runs.pop()) else {
            break;
        };
        merge_into(&mut large, &small);
        runs.push(large);
    }
    runs.pop().unwrap_or_default()
}

/// Merges `small` into `large` (both sorted by key) in place, from the
/// back into the room after `large`, so that the larger list is not
/// copied. A key in both takes one place: what is merged then starts after
/// what is left of `large` and is moved down once.
fn merge_into<T: Entry>(large: &mut Vec<T>, small: &[T]) {
    let most = large.len() + small.len();
    if large.capacity() < most {
        // Growing would copy `large` first: merge into new memory instead.
        *large = merge_two(large, small, most);
        return;
    }
    let (mut i, mut j) = (large.len(), small.len());
    let mut at = most;
    large.resize(most, T::default());
    // Unmerged: large[..i] and small[..j]; merged: large[at..]. As at - i
    // is j plus the keys met in both, large[..i] is never written over.
    while j > 0 {
        at -= 1;
        let (l, s) = (i.checked_sub(1).map(|i| large[i]), small[j - 1]);
        match l.map(|l| l.key().cmp(&s.key())) {
            Some(Ordering::Greater) => {
                large[at] = large[i - 1];
                i -= 1;
            }
            Some(Ordering::Equal) => {
                large[at] = large[i - 1];
                large[at].add(&s);
                i -= 1;
                j -= 1;
            }
            _ => {
                large[at] = s;
                j -= 1;
            }
        }
    }
    if at > i {
        large.copy_within(at..most, i);
        large.truncate(i + most - at);
    }
}

/// Merges two lists sorted by key into a new one (room for `len` entries).
fn merge_two<T: Entry>(a: &[T], b: &[T], len: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(len);
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].key().cmp(&b[j].key()) {
            Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            Ordering::Equal => {
                let mut sum = a[i];
                sum.add(&b[j]);
                out.push(sum);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(docs: &[(DocId, f32)]) -> Vec<PassageHit> {
        docs.iter()
            .map(|&(doc, score)| PassageHit {
                doc,
                article: doc / 10,
                score,
            })
            .collect()
    }

    #[test]
    fn merged_lists_hold_each_entry_once_with_its_scores_added() {
        let merged = merge(vec![
            hits(&[(1, 1.0), (5, 1.0), (9, 1.0)]),
            Vec::new(),
            hits(&[(2, 2.0), (5, 2.0)]),
            hits(&[(5, 4.0), (12, 4.0)]),
        ]);
        assert_eq!(
            merged,
            hits(&[(1, 1.0), (2, 2.0), (5, 7.0), (9, 1.0), (12, 4.0)])
        );
        assert_eq!(merge(vec![hits(&[(3, 1.0)])]), hits(&[(3, 1.0)]));
        assert!(merge(Vec::<Vec<PassageHit>>::new()).is_empty());
        let merged = hits(&[(1, 2.0), (2, 1.0), (4, 3.0), (6, 1.0), (8, 1.0), (9, 2.0)]);
        for spare in [0, 10] {
            // In place (room to spare) or into new memory.
            let mut large = hits(&[(2, 1.0), (4, 1.0), (6, 1.0), (8, 1.0)]);
            large.reserve_exact(spare);
            merge_into(&mut large, &hits(&[(1, 2.0), (4, 2.0), (9, 2.0)]));
            assert_eq!(large, merged);
        }
    }
}

#[cfg(test)]
mod index_tests {
    use crate::query::parse;
    use crate::query::plan::Plan;
    use crate::search::evidence::Evidence;
    use crate::testing::store_with;

    #[test]
    fn each_leaf_gives_its_articles_and_articles_their_scores() {
        assert!(check_evidence("coffee OR quota") > 0.0);
    }

    /// What `gather` says of three articles for `query` (coffee and quota,
    /// with all the words or any): the articles of each leaf, the scores and
    /// the passages listed. With all the words, only the articles that have
    /// them all are scored and listed, each as with any of the words.
    fn check_evidence(query: &str) -> f32 {
        // Three articles over two segments; "quota" only in b's headline.
        let store = store_with(
            &[
                (
                    "a.txt",
                    "Coffee\n\nCoffee exports rose.\n\nCoffee prices too.\n",
                ),
                ("b.txt", "Export quota\n\nCoffee exports fell once.\n"),
                ("c.txt", "Tea\n\nTea exports held.\n"),
            ],
            2,
        );
        let searcher = store.reader().unwrap().searcher();
        let plan = Plan::compile(&parse(query).unwrap(), &searcher, &store.fields, false).unwrap();
        let evidence = Evidence::gather(&searcher, &store.fields, &plan).unwrap();
        let number = |path: &str| {
            let none = &mut crate::search::highlight::Highlighter::none();
            let read = crate::search::read::article(&searcher, &store.fields, path, none)
                .unwrap()
                .unwrap();
            let first = crate::search::articles::Articles::of(&searcher).unwrap();
            (0..first.count() as u32)
                .find(|n| {
                    let (seg, docs) = first.passages(*n).unwrap();
                    let doc: tantivy::TantivyDocument = searcher
                        .doc(tantivy::DocAddress::new(seg, docs.start))
                        .unwrap();
                    crate::index::schema::Header::from_doc(&doc, &store.fields)
                        .is_some_and(|h| h.path == read.article.header.path)
                })
                .unwrap()
        };
        let (a, b, c) = (number("a.txt"), number("b.txt"), number("c.txt"));
        let members = |leaf: usize| -> Vec<u32> {
            (0..3)
                .filter(|n| evidence.sets[leaf].contains(u64::from(*n)))
                .collect()
        };
        let mut coffee = vec![a, b];
        coffee.sort();
        assert_eq!(members(0), coffee);
        assert_eq!(members(1), [b], "found by its headline");
        let score = |n: u32| {
            evidence
                .scores
                .iter()
                .find(|s| s.article == n)
                .map_or(0.0, |s| s.score)
        };
        let passages: usize = evidence.segments.iter().map(Vec::len).sum();
        if query.contains(" OR ") {
            assert!(score(b) > score(a), "b has both words");
            assert!(score(a) > 0.0 && score(c) == 0.0);
            // Every matching passage once, in document order.
            assert_eq!(
                passages, 3,
                "a's two coffee passages and b's one (which also holds its headline)"
            );
        } else {
            // quota, the rarer, was read first: coffee lists only b.
            assert!(score(b) > 0.0 && score(a) == 0.0 && score(c) == 0.0);
            assert_eq!(passages, 1, "b's one passage: {:?}", evidence.segments);
        }
        for segment in &evidence.segments {
            assert!(segment.windows(2).all(|w| w[0].doc < w[1].doc));
        }
        score(b)
    }

    /// An article's count of a word is summed over its passages, and a
    /// headline occurrence counts twice: three articles of the same length
    /// with three occurrences each way score the same.
    #[test]
    fn an_articles_count_adds_its_passages_and_weighs_its_headline() {
        let store = store_with(
            &[
                (
                    "spread.txt",
                    "Port news\n\nTide one two.\n\nTide three four.\n\nTide five six.\n",
                ),
                (
                    "bunched.txt",
                    "Port news\n\nTide tide tide.\n\nOne two three.\n\nFour five six.\n",
                ),
                (
                    "headline.txt",
                    "Tide news\n\nTide one two.\n\nThree four five.\n\nSix seven eight.\n",
                ),
                (
                    "other.txt",
                    "Port news\n\nNothing here at all.\n\nOne two three.\n\nFour five six.\n",
                ),
            ],
            2,
        );
        let searcher = store.reader().unwrap().searcher();
        let plan = Plan::compile(&parse("tide").unwrap(), &searcher, &store.fields, false).unwrap();
        let evidence = Evidence::gather(&searcher, &store.fields, &plan).unwrap();
        let passages: usize = evidence.segments.iter().map(Vec::len).sum();
        assert_eq!(passages, 5, "three passages of one, one of each other");
        let scores: Vec<f32> = evidence.scores.iter().map(|s| s.score).collect();
        assert_eq!(scores.len(), 3, "{scores:?}");
        assert!(scores[0] > 0.0);
        for s in &scores {
            assert!((s - scores[0]).abs() <= 1e-6 * scores[0], "{scores:?}");
        }
    }

    /// Reading the first of the words every match must have only for its
    /// articles, and again at the end for those that have them all, gives
    /// what reading it in full at once gives, to the last bit of every sum
    /// (the words are summed in the same order).
    #[test]
    fn the_first_word_read_twice_gives_the_same_evidence() {
        let texts: Vec<(String, String)> = (0..60)
            .map(|i| {
                let extra = " harbour".repeat(i % 7) + &" freight".repeat(i % 5);
                let headline = if i % 4 == 0 {
                    "Harbour freight"
                } else {
                    "Port"
                };
                let body = match i % 3 {
                    0 => format!("Ships and freight{extra} at dock {i}.\n\nCranes idle{extra}."),
                    1 => format!("Harbour cranes{extra}.\n\nCrane crews and ships {i}."),
                    _ => format!("Ship {i} left the harbour{extra}."),
                };
                (format!("p/{i}.txt"), format!("{headline}\n\n{body}\n"))
            })
            .collect();
        let store = store_with(&texts, 25);
        let searcher = store.reader().unwrap().searcher();
        for query in [
            "harbour freight cranes",
            "ship harbour",
            "crane freight -dock",
        ] {
            let plan =
                Plan::compile(&parse(query).unwrap(), &searcher, &store.fields, false).unwrap();
            let read = |defer| Evidence::read(&searcher, &store.fields, &plan, defer).unwrap();
            let (twice, once) = (read(true), read(false));
            assert!(!once.scores.is_empty(), "{query}");
            let bits = |e: &Evidence| -> Vec<(u32, u32)> {
                e.scores
                    .iter()
                    .map(|s| (s.article, s.score.to_bits()))
                    .collect()
            };
            assert_eq!(bits(&twice), bits(&once), "{query}");
            assert_eq!(twice.segments, once.segments, "{query}");
            assert_eq!(twice.sets, once.sets, "{query}");
        }
    }

    #[test]
    fn with_all_the_words_only_articles_with_all_of_them_are_listed() {
        let all = check_evidence("coffee quota");
        let any = check_evidence("coffee OR quota");
        assert!((all - any).abs() <= 1e-5 * any, "b's score: {all} {any}");
    }
}
