//! Compiling a parsed query for the index: each leaf analyzed into the
//! terms, phrase or prefix it looks for, and the tantivy query that finds
//! the passages matching it.

use std::ops::Bound;

use anyhow::Result;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Term};

use crate::analysis::{self, analyzer, unstemmed_analyzer};
use crate::highlight::Pattern;
use crate::query::{Leaf, Node, Scope};
use crate::schema::Fields;

/// How much a match in the headline or the tags counts next to one in the
/// passage text.
const TITLE_BOOST: Score = 0.6;
const TAGS_BOOST: Score = 0.6;

/// What a compiled leaf looks for.
#[derive(Debug, Clone)]
pub enum Matcher {
    Text { scope: Scope, pattern: Pattern },
    Year { from: u64, to: u64 },
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
pub struct Plan {
    pub leaves: Vec<Matcher>,
    pub expr: Expr,
    /// Leaves that are not under a NOT.
    pub positive: Vec<usize>,
}

struct Analyzers {
    stemmed: TextAnalyzer,
    unstemmed: TextAnalyzer,
}

impl Plan {
    pub fn compile(node: &Node) -> Result<Plan> {
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

    /// The patterns of the positive leaves whose scope `covers` a part of
    /// the article (the passage text, or the headline): those are marked there.
    pub fn patterns(&self, covers: fn(Scope) -> bool) -> Vec<Pattern> {
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

/// The tantivy query of a leaf.
pub fn leaf_query(m: &Matcher, f: &Fields) -> Box<dyn Query> {
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
