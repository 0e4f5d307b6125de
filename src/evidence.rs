//! Article-level evidence: how well each article *as a whole* matches the
//! query, and which articles each leaf matches.
//!
//! Search returns passages, but an article that speaks of the query
//! throughout is a better answer than one with a single lucky paragraph. So
//! each word's occurrences are summed over the article's passages, headline
//! and tags (BM25F: a headline or tag occurrence counts more, see
//! [`crate::plan::scope_fields`]) and scored with BM25 against article-level
//! statistics: how many articles have the word, the article's length against
//! the average. A phrase counts the passages that hold it; a prefix scores
//! each word it expands to. The same pass over the postings gives the set
//! of articles each leaf matches, for the boolean tree.

use anyhow::Result;
use tantivy::columnar::Column;
use tantivy::postings::Postings;
use tantivy::query::{EnableScoring, PhraseQuery, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, Term, TERMINATED};

use crate::article_set::{ArticleKeys, Bits};
use crate::plan::{leaf_query, scope_fields, FieldUse, Matcher, Pattern, Plan};
use crate::schema::{Fields, ARTICLE_KEY, ARTICLE_LEN};

/// BM25's term-frequency saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Documents read at once from the fast fields.
const BLOCK: usize = 128;

/// What the postings say of each article.
pub struct Evidence {
    /// The article score of each article, by serial number (0 for an
    /// article with none of the words).
    pub scores: Vec<f32>,
    /// For each leaf of the plan, the articles it matches (empty for a year
    /// leaf when the plan needs no article filter).
    pub sets: Vec<Bits>,
}

impl Evidence {
    /// The score of an article.
    pub fn score(&self, serial: u64) -> f32 {
        self.scores.get(serial as usize).copied().unwrap_or(0.0)
    }

    /// Reads the postings of every leaf of `plan`.
    pub fn gather(searcher: &Searcher, fields: &Fields, plan: &Plan) -> Result<Evidence> {
        let mut pass = Pass::new(searcher)?;
        let mut sets = Vec::with_capacity(plan.leaves.len());
        for (i, leaf) in plan.leaves.iter().enumerate() {
            let set = match leaf {
                Matcher::Year { .. } if plan.needs_article_filter() => {
                    searcher.search(&*leaf_query(leaf, fields), &ArticleKeys)?
                }
                Matcher::Year { .. } => Bits::default(),
                Matcher::Text {
                    scope,
                    pattern,
                    weight,
                    ..
                } => {
                    let weight = if plan.positive.contains(&i) {
                        *weight
                    } else {
                        0.0
                    };
                    pass.leaf(&scope_fields(*scope, fields), pattern, weight)?
                }
            };
            sets.push(set);
        }
        Ok(Evidence {
            scores: pass.scores,
            sets,
        })
    }
}

/// One thing counted per article: a word (any of its forms), or a phrase.
enum Unit<'a> {
    Words(&'a [String]),
    Phrase(&'a [String], u32),
}

/// The state of the pass: per-article counts of the unit being read, and
/// the scores so far.
struct Pass<'a> {
    searcher: &'a Searcher,
    /// Articles in the index, and their average length in tokens.
    articles: f32,
    average_length: f32,
    /// Weighted occurrences of the current unit, by serial.
    freqs: Vec<f32>,
    /// Length of each article seen so far, by serial.
    lengths: Vec<u32>,
    /// The serials with occurrences of the current unit.
    touched: Vec<u32>,
    scores: Vec<f32>,
}

impl<'a> Pass<'a> {
    fn new(searcher: &'a Searcher) -> Result<Pass<'a>> {
        let mut articles = 0u64;
        let mut tokens = 0u64;
        let mut serials = 0usize;
        for reader in searcher.segment_readers() {
            let fields = reader.schema();
            let id = fields.get_field(crate::schema::ID)?;
            articles += reader.inverted_index(id)?.terms().num_terms() as u64;
            for name in [
                crate::schema::TEXT,
                crate::schema::TITLE,
                crate::schema::TAGS,
            ] {
                tokens += reader
                    .inverted_index(fields.get_field(name)?)?
                    .total_num_tokens();
            }
            let keys = reader.fast_fields().u64(ARTICLE_KEY)?;
            if keys.num_docs() > 0 {
                serials = serials.max(keys.max_value() as usize + 1);
            }
        }
        let articles = articles.max(1) as f32;
        Ok(Pass {
            searcher,
            articles,
            average_length: (tokens as f32 / articles).max(1.0),
            freqs: vec![0.0; serials],
            lengths: vec![0; serials],
            touched: Vec::new(),
            scores: vec![0.0; serials],
        })
    }

    /// Reads one leaf in the fields of its scope; adds `weight` times its
    /// BM25 to the articles' scores and returns the articles it matches.
    fn leaf(&mut self, fields: &[FieldUse], pattern: &Pattern, weight: f32) -> Result<Bits> {
        let mut set = Bits::default();
        let units: Vec<Unit> = match pattern {
            Pattern::Stem(_, forms) => vec![Unit::Words(forms)],
            Pattern::Exact(words, _) if words.len() == 1 => vec![Unit::Words(words)],
            Pattern::Exact(words, slop) => vec![Unit::Phrase(words, *slop)],
            Pattern::AnyOf(words) => words.chunks(1).map(Unit::Words).collect(),
        };
        for unit in &units {
            for u in fields {
                self.count(u.field, unit, u.article_weight)?;
            }
            self.score_unit(weight, &mut set);
        }
        Ok(set)
    }

    /// Adds the occurrences of `unit` in `field` (times `weight`) to the
    /// articles' counts.
    fn count(&mut self, field: Field, unit: &Unit, weight: f32) -> Result<()> {
        for reader in self.searcher.segment_readers() {
            let mut block = Block::new(reader)?;
            match unit {
                Unit::Words(words) => {
                    let index = reader.inverted_index(field)?;
                    for word in *words {
                        let term = Term::from_field_text(field, word);
                        let Some(mut postings) =
                            index.read_postings(&term, IndexRecordOption::WithFreqs)?
                        else {
                            continue;
                        };
                        while postings.doc() != TERMINATED {
                            let freq = postings.term_freq() as f32;
                            block.push(postings.doc(), freq * weight, self);
                            postings.advance();
                        }
                    }
                }
                Unit::Phrase(words, slop) => {
                    let terms = words
                        .iter()
                        .enumerate()
                        .map(|(i, w)| (i, Term::from_field_text(field, w)))
                        .collect();
                    let query = PhraseQuery::new_with_offset_and_slop(terms, *slop);
                    let scoring = EnableScoring::disabled_from_searcher(self.searcher);
                    let mut scorer = query.weight(scoring)?.scorer(reader, 1.0)?;
                    while scorer.doc() != TERMINATED {
                        block.push(scorer.doc(), weight, self);
                        scorer.advance();
                    }
                }
            }
            block.flush(self);
        }
        Ok(())
    }

    /// Turns the counts of the unit just read into BM25 scores, and clears
    /// them for the next one.
    fn score_unit(&mut self, weight: f32, set: &mut Bits) {
        let df = self.touched.len() as f32;
        let idf = (1.0 + (self.articles - df + 0.5) / (df + 0.5)).ln();
        for &serial in &self.touched {
            let s = serial as usize;
            let tf = self.freqs[s];
            let norm = K1 * (1.0 - B + B * self.lengths[s] as f32 / self.average_length);
            self.scores[s] += weight * idf * tf * (K1 + 1.0) / (tf + norm);
            self.freqs[s] = 0.0;
            set.insert(u64::from(serial));
        }
        self.touched.clear();
    }
}

/// Passages with occurrences, whose article serials and lengths are read
/// from the fast fields a block at a time.
struct Block<'r> {
    reader: &'r SegmentReader,
    keys: Column<u64>,
    lengths: Column<u64>,
    docs: Vec<DocId>,
    freqs: Vec<f32>,
    values: Vec<Option<u64>>,
    doc_lengths: Vec<Option<u64>>,
}

impl<'r> Block<'r> {
    fn new(reader: &'r SegmentReader) -> Result<Block<'r>> {
        Ok(Block {
            reader,
            keys: reader.fast_fields().u64(ARTICLE_KEY)?,
            lengths: reader.fast_fields().u64(ARTICLE_LEN)?,
            docs: Vec::with_capacity(BLOCK),
            freqs: Vec::with_capacity(BLOCK),
            values: Vec::with_capacity(BLOCK),
            doc_lengths: Vec::with_capacity(BLOCK),
        })
    }

    fn push(&mut self, doc: DocId, freq: f32, pass: &mut Pass) {
        if self
            .reader
            .alive_bitset()
            .is_some_and(|a| a.is_deleted(doc))
        {
            return;
        }
        self.docs.push(doc);
        self.freqs.push(freq);
        if self.docs.len() == BLOCK {
            self.flush(pass);
        }
    }

    fn flush(&mut self, pass: &mut Pass) {
        let n = self.docs.len();
        self.values.clear();
        self.values.resize(n, None);
        self.doc_lengths.clear();
        self.doc_lengths.resize(n, None);
        self.keys.first_vals(&self.docs, &mut self.values);
        self.lengths.first_vals(&self.docs, &mut self.doc_lengths);
        for i in 0..n {
            let Some(serial) = self.values[i] else {
                continue;
            };
            let s = serial as usize;
            if s >= pass.freqs.len() {
                continue;
            }
            if pass.freqs[s] == 0.0 {
                pass.touched.push(serial as u32);
                pass.lengths[s] = self.doc_lengths[i].unwrap_or(0) as u32;
            }
            pass.freqs[s] += self.freqs[i];
        }
        self.docs.clear();
        self.freqs.clear();
    }
}
