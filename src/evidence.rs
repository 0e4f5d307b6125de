//! The one pass over the postings of a query: which articles each leaf
//! matches, how well each article *as a whole* matches, and which passages
//! match and how well on their own.
//!
//! Search returns passages, but an article that speaks of the query
//! throughout is a better answer than one with a single lucky paragraph. So
//! each word's occurrences are summed over the article's passages, headline
//! and tags (BM25F: a headline or tag occurrence counts more, see
//! [`crate::plan::scope_fields`]) and scored with BM25 against article-level
//! statistics: how many articles have the word, the article's length against
//! the average. Each passage also gets its own BM25 over its text (every
//! form of a stem counted as one word). A phrase counts the passages that
//! hold it; a prefix scores each word it expands to. Every posting is read
//! once; the matching passages of a segment are kept as lists sorted by
//! document and merged at the end, so that the memory used follows the
//! postings read, not the size of the index.

use std::cmp::Reverse;

use anyhow::Result;
use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{EnableScoring, PhraseQuery, Query, Scorer};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Searcher, SegmentReader, Term, TERMINATED};

use crate::article_set::Bits;
use crate::plan::{scope_fields, year_query, FieldUse, Matcher, Pattern, Plan};
use crate::schema::{Fields, ARTICLE_KEY, ARTICLE_LEN, SIZE};

/// BM25's term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Documents whose article serials are read at once (a postings block).
const BLOCK: usize = 128;

/// A matching passage: its document in its segment, its article's serial
/// number, and its own score (while a unit is read: its occurrences).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PassageHit {
    pub doc: DocId,
    pub serial: u32,
    pub score: f32,
}

/// What the postings say of a query.
pub struct Evidence {
    /// The score of each article, by serial number (0 for an article with
    /// none of the words).
    pub articles: Vec<f32>,
    /// For each leaf of the plan, the articles it matches.
    pub sets: Vec<Bits>,
    /// For each segment, every passage that matches a positive leaf, once,
    /// sorted by document.
    pub segments: Vec<Vec<PassageHit>>,
}

impl Evidence {
    /// The score of an article.
    pub fn article(&self, serial: u32) -> f32 {
        self.articles.get(serial as usize).copied().unwrap_or(0.0)
    }

    /// Reads the postings of every leaf of `plan`.
    pub fn gather(searcher: &Searcher, fields: &Fields, plan: &Plan) -> Result<Evidence> {
        let mut pass = Pass::new(searcher, fields)?;
        let mut sets = Vec::with_capacity(plan.leaves.len());
        for (i, leaf) in plan.leaves.iter().enumerate() {
            let positive = plan.positive.contains(&i);
            let set = match leaf {
                Matcher::Year { from, to } => {
                    pass.year(&year_query(*from, *to, fields), positive)?
                }
                Matcher::Text {
                    scope,
                    pattern,
                    weight,
                    ..
                } => {
                    let weight = if positive { *weight } else { 0.0 };
                    pass.leaf(&scope_fields(*scope, fields), pattern, weight, positive)?
                }
            };
            sets.push(set);
        }
        Ok(Evidence {
            articles: pass.scores,
            sets,
            segments: pass.streams.into_iter().map(merge).collect(),
        })
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
    keys: Column<u64>,
    lengths: Column<u64>,
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

/// The state of the pass: the counts of the unit being read per article,
/// the article scores so far, and the passage lists of each segment.
struct Pass<'a> {
    searcher: &'a Searcher,
    text: Field,
    stats: Stats,
    segments: Vec<Segment<'a>>,
    /// Weighted occurrences of the current unit, by serial, and the
    /// serials that have some.
    freqs: Vec<f32>,
    touched: Vec<u32>,
    /// Length of each article seen so far, by serial.
    lengths: Vec<u32>,
    scores: Vec<f32>,
    /// Article serials of a block of documents.
    serials: Vec<Option<u64>>,
    /// Per segment, lists of matching passages, each sorted by document.
    streams: Vec<Vec<Vec<PassageHit>>>,
}

impl<'a> Pass<'a> {
    fn new(searcher: &'a Searcher, fields: &Fields) -> Result<Pass<'a>> {
        let mut articles = 0u64;
        let mut article_tokens = 0u64;
        let mut text_tokens = 0u64;
        let mut serials = 0usize;
        let mut segments = Vec::new();
        for reader in searcher.segment_readers() {
            // The file size is recorded once per article, on its first passage.
            articles += reader.fast_fields().u64(SIZE)?.values.num_vals() as u64;
            for field in [fields.text, fields.title, fields.tags] {
                let tokens = reader.inverted_index(field)?.total_num_tokens();
                article_tokens += tokens;
                if field == fields.text {
                    text_tokens += tokens;
                }
            }
            let keys = reader.fast_fields().u64(ARTICLE_KEY)?;
            if keys.num_docs() > 0 {
                serials = serials.max(keys.max_value() as usize + 1);
            }
            segments.push(Segment {
                reader,
                keys,
                lengths: reader.fast_fields().u64(ARTICLE_LEN)?,
                norms: reader.get_fieldnorms_reader(fields.text)?,
            });
        }
        let articles = articles.max(1) as f32;
        let passages = searcher.num_docs().max(1) as f32;
        Ok(Pass {
            searcher,
            text: fields.text,
            stats: Stats {
                articles,
                article_length: (article_tokens as f32 / articles).max(1.0),
                passages,
                passage_length: (text_tokens as f32 / passages).max(1.0),
            },
            streams: segments.iter().map(|_| Vec::new()).collect(),
            segments,
            freqs: vec![0.0; serials],
            touched: Vec::new(),
            lengths: vec![0; serials],
            scores: vec![0.0; serials],
            serials: Vec::with_capacity(BLOCK),
        })
    }

    /// The idf of a unit among passages (a phrase: the sum of its words').
    fn passage_idf(&self, unit: &Unit) -> Result<f32> {
        let df = |word: &str| -> Result<f32> {
            Ok(self
                .searcher
                .doc_freq(&Term::from_field_text(self.text, word))? as f32)
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
            for seg in 0..self.segments.len() {
                for u in fields {
                    let mut passages = self.read(seg, u, unit)?;
                    if !positive || passages.is_empty() {
                        continue;
                    }
                    let scored = u.field == self.text;
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
            }
            self.score_articles(weight, &mut set);
        }
        Ok(set)
    }

    /// Reads the occurrences of `unit` in one field of one segment: counts
    /// them for the articles, and returns the passages with their counts
    /// (in `score`), sorted by document.
    fn read(&mut self, seg: usize, u: &FieldUse, unit: &Unit) -> Result<Vec<PassageHit>> {
        let reader = self.segments[seg].reader;
        let mut runs = Vec::new();
        match unit {
            Unit::Words(forms) => {
                let index = reader.inverted_index(u.field)?;
                for form in *forms {
                    let term = Term::from_field_text(u.field, form);
                    let Some(mut postings) =
                        index.read_block_postings(&term, IndexRecordOption::WithFreqs)?
                    else {
                        continue;
                    };
                    let mut passages = Vec::with_capacity(postings.doc_freq() as usize);
                    loop {
                        let docs = postings.docs();
                        if docs.is_empty() {
                            break;
                        }
                        let freqs = postings.freqs();
                        self.absorb(seg, docs, freqs, u.article_weight, &mut passages);
                        postings.advance();
                    }
                    runs.push(passages);
                }
            }
            Unit::Phrase(words, slop) => {
                let terms = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i, Term::from_field_text(u.field, w)))
                    .collect();
                let query = PhraseQuery::new_with_offset_and_slop(terms, *slop);
                let scoring = EnableScoring::disabled_from_searcher(self.searcher);
                let mut scorer = query.weight(scoring)?.scorer(reader, 1.0)?;
                let mut docs = Vec::new();
                drain(scorer.as_mut(), &mut |doc| docs.push(doc));
                let ones = [1; BLOCK];
                let mut passages = Vec::with_capacity(docs.len());
                for chunk in docs.chunks(BLOCK) {
                    let freqs = &ones[..chunk.len()];
                    self.absorb(seg, chunk, freqs, u.article_weight, &mut passages);
                }
                runs.push(passages);
            }
        }
        Ok(merge(runs))
    }

    /// Counts a block of occurrences (documents of one segment, in order,
    /// with how often each holds the unit) for their articles, and lists
    /// their passages, with those counts, in `out`.
    fn absorb(
        &mut self,
        seg: usize,
        docs: &[DocId],
        freqs: &[u32],
        article_weight: f32,
        out: &mut Vec<PassageHit>,
    ) {
        let s = &self.segments[seg];
        self.serials.clear();
        self.serials.resize(docs.len(), None);
        s.keys.first_vals(docs, &mut self.serials);
        let alive = s.reader.alive_bitset();
        for ((&doc, &freq), serial) in docs.iter().zip(freqs).zip(&self.serials) {
            let Some(serial) = *serial else {
                continue;
            };
            let i = serial as usize;
            if i >= self.freqs.len() || alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            if self.freqs[i] == 0.0 {
                self.touched.push(serial as u32);
                self.lengths[i] = s.lengths.first(doc).unwrap_or(0) as u32;
            }
            self.freqs[i] += freq as f32 * article_weight;
            out.push(PassageHit {
                doc,
                serial: serial as u32,
                score: freq as f32,
            });
        }
    }

    /// A year leaf: the articles it matches and, when positive, their first
    /// passages (which hold the year) as matches without a score.
    fn year(&mut self, query: &dyn Query, positive: bool) -> Result<Bits> {
        let mut set = Bits::default();
        let weight = query.weight(EnableScoring::disabled_from_searcher(self.searcher))?;
        for (seg, s) in self.segments.iter().enumerate() {
            let mut scorer = weight.scorer(s.reader, 1.0)?;
            let alive = s.reader.alive_bitset();
            let mut passages = Vec::new();
            drain(scorer.as_mut(), &mut |doc| {
                if alive.is_some_and(|a| a.is_deleted(doc)) {
                    return;
                }
                if let Some(serial) = s.keys.first(doc) {
                    set.insert(serial);
                    passages.push(PassageHit {
                        doc,
                        serial: serial as u32,
                        score: 0.0,
                    });
                }
            });
            if positive && !passages.is_empty() {
                self.streams[seg].push(passages);
            }
        }
        Ok(set)
    }

    /// Turns the counts of the unit just read into article scores, and
    /// clears them for the next one.
    fn score_articles(&mut self, weight: f32, set: &mut Bits) {
        let df = self.touched.len() as f32;
        let idf = (1.0 + (self.stats.articles - df + 0.5) / (df + 0.5)).ln();
        for &serial in &self.touched {
            let s = serial as usize;
            let tf = std::mem::take(&mut self.freqs[s]);
            let length = self.lengths[s] as f32;
            self.scores[s] += weight * idf * bm25(tf, length, self.stats.article_length);
            set.insert(u64::from(serial));
        }
        self.touched.clear();
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

/// Merges lists of passages sorted by document into one, each passage
/// once, with the scores of its copies added up. Lists are merged two by
/// two, shortest first: one long list and a few short ones (a common word
/// in the text, rarely in headlines) cost one linear pass.
fn merge(mut runs: Vec<Vec<PassageHit>>) -> Vec<PassageHit> {
    runs.retain(|r| !r.is_empty());
    while runs.len() > 1 {
        runs.sort_by_key(|r| Reverse(r.len()));
        let (Some(a), Some(b)) = (runs.pop(), runs.pop()) else {
            break;
        };
        runs.push(merge_two(&a, &b));
    }
    runs.pop().unwrap_or_default()
}

fn merge_two(a: &[PassageHit], b: &[PassageHit]) -> Vec<PassageHit> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].doc.cmp(&b[j].doc) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(PassageHit {
                    score: a[i].score + b[j].score,
                    ..a[i]
                });
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
                serial: doc / 10,
                score,
            })
            .collect()
    }

    #[test]
    fn merged_lists_hold_each_passage_once_with_its_scores_added() {
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
        assert!(merge(Vec::new()).is_empty());
    }
}
