//! Exact highlights: which bytes of a passage made it match.
//!
//! The passage is analyzed with the index's own analyzers, so a stemmed or
//! accent-folded match is found exactly where the index found it. A phrase
//! marks only its occurrences (never the same words elsewhere), with the
//! same slop rule as tantivy's phrase query; a prefix marks every word it
//! expanded to.

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, AnalyzedToken};
use crate::query::plan::{Pattern, Plan};
use crate::query::Scope;

/// What a query marks: in passages, and in headlines.
pub struct Highlighter {
    /// The patterns that search the passage text, in the plan's order.
    pub text_patterns: Vec<Pattern>,
    title_patterns: Vec<Pattern>,
    analyzer: TextAnalyzer,
}

impl Highlighter {
    /// The highlights of a compiled query (its positive, shown patterns).
    pub fn of(plan: &Plan) -> Highlighter {
        let patterns = |covers| plan.patterns(covers).into_iter().map(|(_, p)| p).collect();
        Highlighter {
            text_patterns: patterns(Scope::covers_text),
            title_patterns: patterns(Scope::covers_title),
            analyzer: analysis::analyzer(),
        }
    }

    /// Marks nothing.
    pub fn none() -> Highlighter {
        Highlighter {
            text_patterns: Vec::new(),
            title_patterns: Vec::new(),
            analyzer: analysis::analyzer(),
        }
    }

    /// The query's words in a passage's text.
    pub fn text(&mut self, text: &str) -> Found {
        find(
            &analysis::tokens(&mut self.analyzer, text),
            &self.text_patterns,
        )
    }

    /// The query's words in a headline.
    pub fn title(&mut self, title: &str) -> Vec<(usize, usize)> {
        find(
            &analysis::tokens(&mut self.analyzer, title),
            &self.title_patterns,
        )
        .spans
    }
}

/// The spans found in one text, and which patterns matched at all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    /// Sorted, non-overlapping, half-open byte ranges.
    pub spans: Vec<(usize, usize)>,
    /// `matched[i]` is true when `patterns[i]` occurs in the text.
    pub matched: Vec<bool>,
}

/// Finds every occurrence of the patterns in the analyzed tokens of a text.
pub fn find(tokens: &[AnalyzedToken], patterns: &[Pattern]) -> Found {
    let mut spans = Vec::new();
    let mut matched = vec![false; patterns.len()];
    for (i, pattern) in patterns.iter().enumerate() {
        let before = spans.len();
        let mut mark = |keep: &dyn Fn(&AnalyzedToken) -> bool| {
            spans.extend(tokens.iter().filter(|t| keep(t)).map(|t| (t.start, t.end)));
        };
        match pattern {
            // The forms of the stem that the index holds: every word of a
            // passage is one of them or has another stem.
            Pattern::Stem(_, forms) => mark(&|t| forms.binary_search(&t.exact).is_ok()),
            Pattern::Exact(words, _) if words.len() == 1 => mark(&|t| t.exact == words[0]),
            Pattern::Exact(words, slop) => phrase(tokens, words, *slop, &mut spans),
            Pattern::AnyOf(words) => mark(&|t| words.binary_search(&t.exact).is_ok()),
        }
        matched[i] = spans.len() > before;
    }
    Found {
        spans: merge(spans),
        matched,
    }
}

/// Marks each occurrence of a phrase of exact forms. An exact phrase (slop
/// 0) is marked as one span from its first word to its last; a sloppy one
/// word by word, so that the words between are not marked.
fn phrase(tokens: &[AnalyzedToken], terms: &[String], slop: u32, out: &mut Vec<(usize, usize)>) {
    if terms.is_empty() {
        return;
    }
    // For each phrase term, the tokens equal to it.
    let candidates: Vec<Vec<usize>> = terms
        .iter()
        .map(|want| {
            (0..tokens.len())
                .filter(|&i| tokens[i].exact == *want)
                .collect()
        })
        .collect();
    if candidates.iter().any(Vec::is_empty) {
        return;
    }
    let mut chosen = Vec::with_capacity(terms.len());
    for &first in &candidates[0] {
        chosen.clear();
        chosen.push(first);
        let start = tokens[first].position as i64;
        if extend(tokens, &candidates, 1, start, i64::from(slop), &mut chosen) {
            if slop == 0 {
                let first_token = &tokens[chosen[0]];
                let last = &tokens[*chosen.last().unwrap_or(&first)];
                out.push((first_token.start, last.end));
            } else {
                out.extend(chosen.iter().map(|&i| (tokens[i].start, tokens[i].end)));
            }
        }
    }
}

/// Depth-first search for the rest of a phrase occurrence. Positions are
/// compared after subtracting each term's offset in the phrase, and the
/// distances between neighbours must add up to at most `budget`.
fn extend(
    tokens: &[AnalyzedToken],
    candidates: &[Vec<usize>],
    k: usize,
    prev: i64,
    budget: i64,
    chosen: &mut Vec<usize>,
) -> bool {
    if k == candidates.len() {
        return true;
    }
    for &i in &candidates[k] {
        let adjusted = tokens[i].position as i64 - k as i64;
        let distance = (adjusted - prev).abs();
        if distance <= budget && !chosen.contains(&i) {
            chosen.push(i);
            if extend(
                tokens,
                candidates,
                k + 1,
                adjusted,
                budget - distance,
                chosen,
            ) {
                return true;
            }
            chosen.pop();
        }
    }
    false
}

/// Sorts spans and merges those that overlap.
pub fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match out.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyzer, tokens, Stems};

    fn marked<'a>(text: &'a str, patterns: &[Pattern]) -> Vec<&'a str> {
        let toks = tokens(&mut analyzer(), text);
        find(&toks, patterns)
            .spans
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    /// An unquoted word, with the forms of its stem among `forms`.
    fn word_in(word: &str, forms: &str) -> Pattern {
        let mut stems = Stems::default();
        let stem = stems.stem(word);
        let mut matching: Vec<String> = forms
            .split_whitespace()
            .filter(|f| stems.stem(f) == stem)
            .map(str::to_string)
            .collect();
        matching.sort();
        Pattern::Stem(stem, matching)
    }

    fn phrase_of(words: &[&str], slop: u32) -> Pattern {
        Pattern::Exact(words.iter().map(|w| w.to_string()).collect(), slop)
    }

    #[test]
    fn stemmed_and_folded_words_are_marked() {
        assert_eq!(
            marked(
                "Drone Strikes and a strike; Operación Frontera",
                &[
                    word_in("strike", "drone strikes and a strike operacion frontera"),
                    word_in("operacion", "operacion")
                ]
            ),
            ["Strikes", "strike", "Operación"]
        );
    }

    #[test]
    fn phrase_marks_only_its_occurrences() {
        let text = "A drone flew. Later, drone strikes began, and strikes went on.";
        assert_eq!(
            marked(text, &[phrase_of(&["drone", "strikes"], 0)]),
            ["drone strikes"]
        );
        // Exact forms: the phrase as written, not its stems.
        assert_eq!(
            marked("a drone strike", &[phrase_of(&["drone", "strikes"], 0)]),
            Vec::<&str>::new()
        );
        assert_eq!(
            marked(
                "Executions, not executives",
                &[phrase_of(&["executions"], 0)]
            ),
            ["Executions"]
        );
    }

    #[test]
    fn sloppy_phrase_marks_its_words_not_the_gap() {
        let text = "drone and missile strikes";
        assert_eq!(
            marked(text, &[phrase_of(&["drone", "strikes"], 1)]),
            Vec::<&str>::new()
        );
        assert_eq!(
            marked(text, &[phrase_of(&["drone", "strikes"], 2)]),
            ["drone", "strikes"]
        );
    }

    #[test]
    fn prefix_marks_each_expanded_word() {
        assert_eq!(
            marked(
                "The economy and economic policy of Ecuador",
                &[Pattern::AnyOf(vec!["economic".into(), "economy".into()])]
            ),
            ["economy", "economic"]
        );
    }

    #[test]
    fn numbers_and_abbreviations() {
        assert_eq!(
            marked("about 9,000 troops", &[word_in("9000", "9000")]),
            ["9,000"]
        );
        assert_eq!(
            marked("the U.S. and us", &[word_in("us", "the u.s and us")]),
            ["us"]
        );
        assert_eq!(
            marked("the U.S. and us", &[word_in("u.s", "the u.s and us")]),
            ["U.S."]
        );
    }

    #[test]
    fn matched_flags_and_merging() {
        let toks = tokens(&mut analyzer(), "border talks");
        let found = find(
            &toks,
            &[
                word_in("border", "border talks"),
                word_in("trade", "border talks"),
                phrase_of(&["border", "talks"], 0),
            ],
        );
        assert_eq!(found.matched, [true, false, true]);
        assert_eq!(found.spans, [(0, 12)]);
        assert_eq!(merge(vec![(5, 9), (0, 3), (2, 4)]), [(0, 4), (5, 9)]);
    }
}
