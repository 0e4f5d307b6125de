//! Property tests: the query parser, the article parser and the
//! highlighter never panic, keep their outputs in bounds, and give the same
//! result for equivalent inputs. A longer run:
//! `PROPTEST_CASES=100000 cargo test --release --test properties`.

use newsdex::analysis::{analyzer, tokens};
use newsdex::ingest::article;
use newsdex::ingest::passage;
use newsdex::query;
use newsdex::query::plan::Pattern;
use newsdex::search::highlight;
use proptest::prelude::*;

/// Text made of what queries and articles are made of: words, numbers,
/// operators, punctuation, quotes, accents, control characters, newlines.
fn texty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z]{1,8}",
        "[0-9]{1,5}([.,][0-9]{1,3})?",
        Just("AND".to_string()),
        Just("OR".to_string()),
        Just("NOT".to_string()),
        Just("U.S.".to_string()),
        Just("Operación".to_string()),
        Just("don’t".to_string()),
        "[\\(\\)\\[\\]\\{\\}\":*~^+\\-.,;!?'“”’#©]",
        "(title|tags|year|publisher|text|titel):",
        "\\PC{1,3}",
        Just("\u{1b}[2J".to_string()),
        Just("\u{feff}".to_string()),
    ];
    let sep = prop_oneof![
        Just(" ".to_string()),
        Just("".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
    ];
    prop::collection::vec((piece, sep), 0..40)
        .prop_map(|parts| parts.into_iter().map(|(p, s)| p + &s).collect())
}

/// A query tree with the text of its leaves' whitespace squeezed.
fn squeezed(node: query::Node) -> query::Node {
    use query::{Leaf, Node};
    let squeeze = |t: String| t.split_whitespace().collect::<Vec<_>>().join(" ");
    match node {
        Node::Leaf(Leaf::Phrase { scope, text, slop }) => Node::Leaf(Leaf::Phrase {
            scope,
            text: squeeze(text),
            slop,
        }),
        Node::Leaf(leaf) => Node::Leaf(leaf),
        Node::And(items) => Node::And(items.into_iter().map(squeezed).collect()),
        Node::Or(items) => Node::Or(items.into_iter().map(squeezed).collect()),
        Node::Not(inner) => Node::Not(Box::new(squeezed(*inner))),
    }
}

proptest! {
    #[test]
    fn the_query_parser_never_panics_and_ignores_extra_spaces(q in texty()) {
        let parsed = query::parse(&q);
        if let Ok(node) = &parsed {
            let _ = query::describe(node);
            let _ = query::describe(&query::relax(node));
        }
        let _ = query::parse(&query::plain_words(&q));
        // Runs of spaces are one space (inside quotes too, once analyzed).
        let spaced = query::parse(&q.replace(' ', "   "));
        prop_assert_eq!(spaced.is_ok(), parsed.is_ok());
        if let (Ok(a), Ok(b)) = (parsed, spaced) {
            prop_assert_eq!(squeezed(a), squeezed(b));
        }
    }

    #[test]
    fn the_article_parser_never_panics_nor_invents_words(text in texty()) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let a = article::parse("p.txt", &text);
        // The same text with Windows line endings is the same article.
        let windows = article::parse("p.txt", &text.replace('\n', "\r\n"));
        prop_assert_eq!(&a.id, &windows.id);
        prop_assert_eq!(&a.paragraphs, &windows.paragraphs);
        let source: std::collections::HashSet<&str> = text.split_whitespace().collect();
        for p in passage::passages(&a) {
            for word in p.text.split_whitespace() {
                // Words of a passage come from the text (a `#` heading mark may be dropped).
                let w = word.trim_start_matches('#');
                prop_assert!(
                    w.is_empty() || source.iter().any(|s| s.contains(w)),
                    "{:?} not in {:?}", word, text
                );
            }
        }
    }

    #[test]
    fn highlights_are_in_bounds_on_char_boundaries_and_match(
        text in texty(),
        picks in prop::collection::vec(0usize..64, 0..4),
        slop in 0u32..3,
    ) {
        let mut analyzer = analyzer();
        let toks = tokens(&mut analyzer, &text);
        let words: Vec<String> = toks.iter().map(|t| t.exact.clone()).collect();
        let mut patterns = Vec::new();
        if !words.is_empty() {
            let chosen: Vec<String> = picks.iter().map(|i| words[i % words.len()].clone()).collect();
            let mut sorted = chosen.clone();
            sorted.sort();
            sorted.dedup();
            patterns.push(Pattern::AnyOf(sorted.clone()));
            patterns.push(Pattern::Stem("x".into(), sorted));
            if !chosen.is_empty() {
                patterns.push(Pattern::Exact(chosen, slop));
            }
        }
        let found = highlight::find(&toks, &patterns);
        prop_assert_eq!(found.matched.len(), patterns.len());
        let mut last_end = 0;
        for &(s, e) in &found.spans {
            prop_assert!(s < e && e <= text.len());
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            prop_assert!(s >= last_end, "sorted, not overlapping: {:?}", found.spans);
            last_end = e;
            // A span starts and ends on a token.
            prop_assert!(toks.iter().any(|t| t.start == s));
            prop_assert!(toks.iter().any(|t| t.end == e));
        }
    }
}
