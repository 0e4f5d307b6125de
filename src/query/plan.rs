//! Compiling a parsed query for the index: each leaf analyzed into the
//! pattern it looks for (the forms of a stem, exact words, the words a
//! prefix expands to) and where it looks (the fields of its scope). Stems
//! and prefixes are expanded here, from the index's own dictionaries, to
//! the exact forms it holds.

use std::collections::BTreeMap;
use std::ops::Bound;

use anyhow::Result;
use tantivy::query::RangeQuery;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use crate::analysis::{self, analyzer, is_stop_word, stem_prefixes, Stems};
use crate::index::postings;
use crate::index::schema::Fields;
use crate::query::{Leaf, Node, QueryError, RangeField, Scope};

/// How much a headline or tag occurrence counts next to one in the text,
/// in an article's score (see [`crate::search::evidence`]). In a passage's own
/// score it counts nothing: the headline belongs to every passage of the
/// article alike, through the article's score (it still makes the first
/// passage match, so that an article found by its headline alone has a
/// passage to show).
const TITLE_WEIGHT: f32 = 2.0;
const TAGS_WEIGHT: f32 = 2.0;
/// A prefix expands to at most this many words (its most frequent ones), so
/// that no query can take seconds or gigabytes.
pub const MAX_EXPANSIONS: usize = 1000;
/// A whole query looks up at most this many words (the forms of its stems,
/// the expansions of its prefixes)…
pub const MAX_QUERY_WORDS: usize = 20_000;
/// …and reads at most this many entries of the index's dictionaries to
/// find them.
const MAX_SCANNED: usize = 1_000_000;

/// What one query leaf looks for in analyzed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// An unquoted word: its stem (`strikes` finds strike, striking), and
    /// the forms with that stem in the index, sorted.
    Stem(String, Vec<String>),
    /// Exact forms in a row (a quoted word or phrase, a hyphenated word),
    /// with tantivy's slop (total distance budget).
    Exact(Vec<String>, u32),
    /// Any of these exact forms, sorted: the words a prefix expands to.
    AnyOf(Vec<String>),
}

/// One field a leaf looks in, and how much an occurrence there counts in
/// the article's score (a passage's own score counts the text only).
#[derive(Debug, Clone, Copy)]
pub struct FieldUse {
    pub field: Field,
    pub article_weight: f32,
}

/// The fields of a scope.
pub fn scope_fields(scope: Scope, f: &Fields) -> Vec<FieldUse> {
    let alone = |field| FieldUse {
        field,
        article_weight: 1.0,
    };
    let weighted = |field, article_weight| FieldUse {
        field,
        article_weight,
    };
    match scope {
        Scope::Default => vec![
            alone(f.text),
            weighted(f.title, TITLE_WEIGHT),
            weighted(f.tags, TAGS_WEIGHT),
        ],
        Scope::Text => vec![alone(f.text)],
        Scope::Title => vec![alone(f.title)],
        Scope::Tags => vec![alone(f.tags)],
        Scope::Publisher => vec![alone(f.publisher)],
    }
}

/// What a compiled leaf looks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    Text {
        scope: Scope,
        pattern: Pattern,
        /// How much the leaf counts in the ranking (1 for the user's words).
        weight: f32,
        /// Whether it is the user's (highlighted, counted in coverage), as
        /// opposed to a word added by query expansion.
        shown: bool,
    },
    /// A year or date range (both ends included).
    Range {
        field: RangeField,
        from: u64,
        to: u64,
    },
}

/// The boolean tree over compiled leaves (indexes into `Plan::leaves`).
#[derive(Debug, Clone)]
pub enum Expr {
    Leaf(usize),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

/// A query ready to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub leaves: Vec<Matcher>,
    pub expr: Expr,
    /// Leaves that are not under a NOT.
    pub positive: Vec<usize>,
    /// Stop words that were not searched for (natural-language queries).
    pub ignored: Vec<String>,
    /// What the user should know about how the query was read.
    pub notes: Vec<String>,
}

struct Compiler<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    analyzer: TextAnalyzer,
    stems: Stems,
    /// Leave out unquoted stop words (a natural-language query).
    drop_stop_words: bool,
    leaves: Vec<Matcher>,
    ignored: Vec<String>,
    notes: Vec<String>,
    /// Prefixes already expanded, so that a repeated one costs nothing.
    expanded: BTreeMap<(String, Scope), Vec<String>>,
    /// Words looked up and dictionary entries read so far (bounded).
    words: usize,
    scanned: usize,
}

impl Plan {
    /// Compiles a query tree. `natural` marks a natural-language query (any
    /// of the words), whose unquoted stop words are left out unless nothing
    /// else is left.
    pub fn compile(
        node: &Node,
        searcher: &Searcher,
        fields: &Fields,
        natural: bool,
    ) -> Result<Plan> {
        if natural {
            // Only stop words (`the of`) leave nothing: search them after all.
            if let Ok(plan) = Compiler::new(searcher, fields, true).plan(node) {
                if !plan.positive.is_empty() {
                    return Ok(plan);
                }
            }
        }
        Compiler::new(searcher, fields, false).plan(node)
    }

    /// The leaves every matching article must match: the query's one leaf,
    /// or the leaves right under its top AND (words, phrases, fields,
    /// years; not what is under an OR or a NOT).
    pub fn required(&self) -> Vec<usize> {
        match &self.expr {
            Expr::Leaf(i) => vec![*i],
            Expr::And(items) => items
                .iter()
                .filter_map(|e| match e {
                    Expr::Leaf(i) => Some(*i),
                    _ => None,
                })
                .collect(),
            Expr::Or(_) | Expr::Not(_) => Vec::new(),
        }
    }

    /// Whether the boolean tree filters articles beyond "a passage matches
    /// one of the positive leaves" (that is, it has an AND or a NOT).
    pub fn needs_article_filter(&self) -> bool {
        fn simple(e: &Expr) -> bool {
            match e {
                Expr::Leaf(_) => true,
                Expr::Or(items) => items.iter().all(simple),
                Expr::And(_) | Expr::Not(_) => false,
            }
        }
        !simple(&self.expr)
    }

    /// The patterns of the user's positive leaves whose scope `covers` a
    /// part of the article (the passage text, or the headline), with their
    /// leaves: those are marked there.
    pub fn patterns(&self, covers: fn(Scope) -> bool) -> Vec<(usize, Pattern)> {
        self.positive
            .iter()
            .filter_map(|&i| match &self.leaves[i] {
                Matcher::Text {
                    scope,
                    pattern,
                    shown: true,
                    ..
                } if covers(*scope) => Some((i, pattern.clone())),
                _ => None,
            })
            .collect()
    }

    /// Adds words to a natural-language query (query expansion): each is
    /// one more alternative, with its weight, not shown as the user's. A word
    /// that is already an unquoted word of the query adds to its weight.
    pub fn expand(
        &mut self,
        searcher: &Searcher,
        fields: &Fields,
        words: &[(String, f32)],
    ) -> Result<()> {
        let mut compiler = Compiler::new(searcher, fields, false);
        for (stem, weight) in words {
            let weight = *weight;
            let pattern = compiler.stem(Scope::Default, stem.clone())?;
            let existing = self.positive.iter().copied().find(|&i| {
                matches!(&self.leaves[i], Matcher::Text {
                    scope: Scope::Default,
                    pattern: p,
                    ..
                } if *p == pattern)
            });
            if let Some(Matcher::Text { weight: w, .. }) = existing.map(|i| &mut self.leaves[i]) {
                *w += weight;
                continue;
            }
            self.leaves.push(Matcher::Text {
                scope: Scope::Default,
                pattern,
                weight,
                shown: false,
            });
            let leaf = Expr::Leaf(self.leaves.len() - 1);
            self.positive.push(self.leaves.len() - 1);
            // The alternatives are the tree itself, or the first item of an
            // AND of alternatives and constraints (see `query::relax`).
            let alternatives = match &mut self.expr {
                Expr::And(items) => &mut items[0],
                other => other,
            };
            match alternatives {
                Expr::Or(items) => items.push(leaf),
                other => *other = Expr::Or(vec![other.clone(), leaf]),
            }
        }
        Ok(())
    }
}

impl<'a> Compiler<'a> {
    fn new(searcher: &'a Searcher, fields: &'a Fields, drop_stop_words: bool) -> Self {
        Compiler {
            searcher,
            fields,
            analyzer: analyzer(),
            stems: Stems::default(),
            drop_stop_words,
            leaves: Vec::new(),
            ignored: Vec::new(),
            notes: Vec::new(),
            expanded: BTreeMap::new(),
            words: 0,
            scanned: 0,
        }
    }

    fn plan(mut self, node: &Node) -> Result<Plan> {
        let expr = self.node(node)?.ok_or_else(|| {
            QueryError("the query has no words to search for (only punctuation): add a word".into())
        })?;
        let mut positive = Vec::new();
        collect_positive(&expr, false, &mut positive);
        positive.sort_unstable();
        positive.dedup();
        if positive.is_empty() && !self.drop_stop_words {
            return Err(QueryError(
                "the query only excludes words: add a word to search for, as in `mexico -trade`"
                    .into(),
            )
            .into());
        }
        Ok(Plan {
            leaves: self.leaves,
            expr,
            positive,
            ignored: self.ignored,
            notes: self.notes,
        })
    }

    /// Compiles a node; `None` when it holds nothing searchable
    /// (punctuation, or only stop words left out).
    fn node(&mut self, node: &Node) -> Result<Option<Expr>> {
        Ok(match node {
            Node::Leaf(leaf) => self.leaf(leaf)?.map(|m| Expr::Leaf(self.add_leaf(m))),
            Node::And(items) => collapse(self.list(items)?, Expr::And),
            Node::Or(items) => collapse(self.list(items)?, Expr::Or),
            Node::Not(inner) => self.node(inner)?.map(|e| Expr::Not(Box::new(e))),
        })
    }

    /// Adds a leaf, or counts it again when it was written before (`oil
    /// … oil`, `econ* econ*`): a repeated word is read once and weighs as
    /// many times as it is written, as a reader's emphasis (BM25's query
    /// term frequency).
    fn add_leaf(&mut self, m: Matcher) -> usize {
        let same = |l: &Matcher| match (l, &m) {
            (
                Matcher::Text { scope, pattern, .. },
                Matcher::Text {
                    scope: s,
                    pattern: p,
                    ..
                },
            ) => scope == s && pattern == p,
            (a, b) => a == b,
        };
        if let Some(at) = self.leaves.iter().position(same) {
            if let (Matcher::Text { weight, .. }, Matcher::Text { weight: w, .. }) =
                (&mut self.leaves[at], &m)
            {
                *weight += w;
            }
            return at;
        }
        self.leaves.push(m);
        self.leaves.len() - 1
    }

    fn list(&mut self, items: &[Node]) -> Result<Vec<Expr>> {
        let mut out = Vec::new();
        for item in items {
            out.extend(self.node(item)?);
        }
        Ok(out)
    }

    fn leaf(&mut self, leaf: &Leaf) -> Result<Option<Matcher>> {
        let matcher = self.leaf_matcher(leaf)?;
        if let Some(Matcher::Text { pattern, .. }) = &matcher {
            self.words += match pattern {
                Pattern::Stem(_, words) | Pattern::AnyOf(words) | Pattern::Exact(words, _) => {
                    words.len()
                }
            };
            if self.words > MAX_QUERY_WORDS {
                return Err(QueryError(format!(
                    "the query looks up more than {MAX_QUERY_WORDS} words (its prefixes match too many): use fewer or longer prefixes"
                ))
                .into());
            }
        }
        Ok(matcher)
    }

    fn leaf_matcher(&mut self, leaf: &Leaf) -> Result<Option<Matcher>> {
        let (scope, pattern) = match leaf {
            Leaf::Range {
                field, from, to, ..
            } => {
                return Ok(Some(Matcher::Range {
                    field: *field,
                    from: *from,
                    to: *to,
                }))
            }
            Leaf::Word { scope, text } => (*scope, self.word(*scope, text)?),
            Leaf::Phrase { scope, text, slop } => {
                let words = analysis::terms(&mut self.analyzer, text);
                (*scope, exact_words_with_slop(words, *slop))
            }
            Leaf::Prefix { scope, text } => (*scope, self.prefix(*scope, text)?),
        };
        Ok(pattern.map(|pattern| Matcher::Text {
            scope,
            pattern,
            weight: 1.0,
            shown: true,
        }))
    }

    /// An unquoted word: the forms of its stem; a word of several parts
    /// (`multi-agent`) is the phrase of its parts as written.
    fn word(&mut self, scope: Scope, text: &str) -> Result<Option<Pattern>> {
        let mut exact = analysis::terms(&mut self.analyzer, text);
        if exact.len() == 1
            && scope == Scope::Default
            && self.drop_stop_words
            && is_stop_word(&exact[0])
        {
            self.ignored.append(&mut exact);
            return Ok(None);
        }
        if scope == Scope::Publisher || exact.len() > 1 {
            return Ok(exact_words(exact));
        }
        let Some(word) = exact.pop() else {
            return Ok(None);
        };
        let stem = self.stems.stem(&word);
        self.stem(scope, stem).map(Some)
    }

    /// The pattern of a stem: the forms of the scope's fields that have it.
    fn stem(&mut self, scope: Scope, stem: String) -> Result<Pattern> {
        let mut forms = Vec::new();
        for prefix in stem_prefixes(&stem) {
            for (form, _) in self.dictionary(scope, &prefix)? {
                if self.stems.stem(&form) == stem {
                    forms.push(form);
                }
            }
        }
        forms.sort_unstable();
        forms.dedup();
        Ok(Pattern::Stem(stem, forms))
    }

    /// A prefix (`immigra*`): the exact words of the scope's fields that
    /// start with it, at most [`MAX_EXPANSIONS`] of them (the most frequent).
    fn prefix(&mut self, scope: Scope, text: &str) -> Result<Option<Pattern>> {
        let mut words = analysis::terms(&mut self.analyzer, text);
        if words.len() != 1 {
            // `u.s-trade*`: the parts as written.
            return Ok(exact_words(words));
        }
        let prefix = words.remove(0);
        let key = (prefix.clone(), scope);
        if let Some(done) = self.expanded.get(&key) {
            return Ok(Some(Pattern::AnyOf(done.clone())));
        }
        let mut ranked = self.dictionary(scope, &prefix)?;
        if ranked.len() > MAX_EXPANSIONS {
            self.notes.push(format!(
                "`{text}*` matches {} words; searching the {MAX_EXPANSIONS} most frequent (make the prefix longer to reach the others)",
                ranked.len()
            ));
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            ranked.truncate(MAX_EXPANSIONS);
        }
        let mut expansion: Vec<String> = ranked.into_iter().map(|(w, _)| w).collect();
        expansion.sort_unstable();
        self.expanded.insert(key, expansion.clone());
        Ok(Some(Pattern::AnyOf(expansion)))
    }

    /// The words of the scope's fields that start with `prefix`, with how
    /// many passages hold each, in dictionary order.
    fn dictionary(&mut self, scope: Scope, prefix: &str) -> Result<Vec<(String, u64)>> {
        let mut found: BTreeMap<String, u64> = BTreeMap::new();
        for u in scope_fields(scope, self.fields) {
            for reader in self.searcher.segment_readers() {
                let Some(index) = postings::inverted_index(self.searcher, reader, u.field)? else {
                    continue;
                };
                let mut stream = index.terms().range().ge(prefix.as_bytes()).into_stream()?;
                while stream.advance() {
                    if !stream.key().starts_with(prefix.as_bytes()) {
                        break;
                    }
                    self.scanned += 1;
                    if self.scanned > MAX_SCANNED {
                        return Err(QueryError(
                            "the query's prefixes match too many words to look them up: use fewer or longer prefixes"
                                .into(),
                        )
                        .into());
                    }
                    if let Ok(word) = std::str::from_utf8(stream.key()) {
                        *found.entry(word.to_string()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        Ok(found.into_iter().collect())
    }
}

/// The pattern of exact words in a row (`None` when there is no word).
fn exact_words_with_slop(words: Vec<String>, slop: u32) -> Option<Pattern> {
    (!words.is_empty()).then_some(Pattern::Exact(words, slop))
}

fn exact_words(words: Vec<String>) -> Option<Pattern> {
    exact_words_with_slop(words, 0)
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

fn collapse(mut items: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Option<Expr> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(make(items)),
    }
}

/// The tantivy query of a year or date range.
pub fn range_query(field: RangeField, from: u64, to: u64, f: &Fields) -> RangeQuery {
    let field = match field {
        RangeField::Year => f.year,
        RangeField::Date => f.date,
    };
    RangeQuery::new(
        Bound::Included(Term::from_field_u64(field, from)),
        Bound::Included(Term::from_field_u64(field, to)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{parse, relax};
    use crate::testing::store_with;

    fn compile(query: &str, natural: bool) -> Plan {
        let store = store_with(
            &[
                ("a.txt", "Strikes\n\nThe strike and the striking workers.\n"),
                (
                    "b.txt",
                    "Stroke\n\nA stroke of luck; economy, economic, econometrics.\n",
                ),
            ],
            1,
        );
        let searcher = store.reader().unwrap().searcher();
        let node = parse(query).unwrap();
        let node = if natural { relax(&node) } else { node };
        Plan::compile(&node, &searcher, &store.fields, natural).unwrap()
    }

    fn pattern(plan: &Plan, leaf: usize) -> &Pattern {
        match &plan.leaves[leaf] {
            Matcher::Text { pattern, .. } => pattern,
            Matcher::Range { .. } => panic!("a range"),
        }
    }

    #[test]
    fn a_word_is_every_form_of_its_stem_in_the_index() {
        let plan = compile("strikes", false);
        assert_eq!(
            pattern(&plan, 0),
            &Pattern::Stem(
                "strike".into(),
                vec!["strike".into(), "strikes".into(), "striking".into()]
            )
        );
        // Quoted: the form as written.
        let plan = compile("\"strikes\"", false);
        assert_eq!(
            pattern(&plan, 0),
            &Pattern::Exact(vec!["strikes".into()], 0)
        );
    }

    #[test]
    fn a_prefix_is_the_words_that_start_with_it_and_repeats_weigh_more() {
        let plan = compile("econ* econ*", false);
        assert_eq!(plan.leaves.len(), 1, "read once");
        assert_eq!(
            pattern(&plan, 0),
            &Pattern::AnyOf(vec![
                "econometrics".into(),
                "economic".into(),
                "economy".into()
            ])
        );
        assert!(matches!(plan.leaves[0], Matcher::Text { weight, .. } if weight == 2.0));
    }

    #[test]
    fn natural_queries_leave_stop_words_out_unless_nothing_is_left() {
        let plan = compile("the striking of luck", true);
        assert_eq!(plan.ignored, ["the", "of"]);
        assert_eq!(plan.positive.len(), 2);
        let only = compile("the of", true);
        assert!(only.ignored.is_empty());
        assert_eq!(only.positive.len(), 2);
    }
}
