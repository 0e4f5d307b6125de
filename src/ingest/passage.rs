//! Passages: the paragraph-sized pieces of an article that search returns.
//!
//! A body paragraph is a passage; one longer than [`MAX_WORDS`] words is cut
//! at sentence boundaries into passages of at most about that many words.
//! The photo caption is a passage of its own kind. An article with no body and
//! no caption is searchable through one passage holding its title.

use serde::Serialize;

use crate::ingest::article::Article;

/// The most words a passage should hold.
pub const MAX_WORDS: usize = 120;

/// What a passage is; stored in the index as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    Body,
    Caption,
    Title,
}

impl PassageKind {
    pub fn code(self) -> u64 {
        match self {
            PassageKind::Body => 0,
            PassageKind::Caption => 1,
            PassageKind::Title => 2,
        }
    }

    pub fn from_code(code: u64) -> PassageKind {
        match code {
            1 => PassageKind::Caption,
            2 => PassageKind::Title,
            _ => PassageKind::Body,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// 1-based position in the article, in reading order.
    pub ordinal: u64,
    pub kind: PassageKind,
    pub text: String,
}

/// The passages of an article in reading order: caption first (it stands
/// above the story on the page), then the body.
pub fn passages(article: &Article) -> Vec<Passage> {
    let mut pieces: Vec<(PassageKind, &str)> = Vec::new();
    if let Some(caption) = &article.caption {
        pieces.push((PassageKind::Caption, caption));
    }
    for paragraph in &article.paragraphs {
        for piece in split_paragraph(paragraph, MAX_WORDS) {
            pieces.push((PassageKind::Body, piece));
        }
    }
    if pieces.is_empty() && !article.title.is_empty() {
        pieces.push((PassageKind::Title, &article.title));
    }
    let texts: Vec<(PassageKind, String)> = if pieces.len() > MAX_PASSAGES {
        join_pieces(&pieces)
    } else {
        pieces
            .into_iter()
            .map(|(kind, text)| (kind, text.to_string()))
            .collect()
    };
    texts
        .into_iter()
        .zip(1..)
        .map(|((kind, text), ordinal)| Passage {
            ordinal,
            kind,
            text,
        })
        .collect()
}

/// An article has at most about this many passages: a file of thousands of
/// one-line paragraphs would otherwise be thousands of documents (and
/// gigabytes while it is indexed).
pub const MAX_PASSAGES: usize = 1000;

/// Joins neighbouring pieces of the body into passages long enough that
/// there are at most about [`MAX_PASSAGES`] of them (the caption stays a
/// passage of its own).
fn join_pieces(pieces: &[(PassageKind, &str)]) -> Vec<(PassageKind, String)> {
    let total: usize = pieces.iter().map(|(_, t)| word_count(t)).sum();
    let target = (total / MAX_PASSAGES + 1).max(MAX_WORDS);
    let mut out: Vec<(PassageKind, String)> = Vec::new();
    let mut words = 0;
    for &(kind, text) in pieces {
        match out.last_mut() {
            Some((PassageKind::Body, joined)) if kind == PassageKind::Body && words < target => {
                joined.push(' ');
                joined.push_str(text);
            }
            _ => {
                out.push((kind, text.to_string()));
                words = 0;
            }
        }
        words += word_count(text);
    }
    out
}

/// Cuts a paragraph into pieces of at most `max_words` words, at sentence
/// boundaries where it can (a single longer sentence is cut between words).
/// The pieces are slices of `paragraph`, trimmed.
pub fn split_paragraph(paragraph: &str, max_words: usize) -> Vec<&str> {
    let paragraph = paragraph.trim();
    if word_count(paragraph) <= max_words {
        return vec![paragraph];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut words = 0;
    for sentence in sentences(paragraph) {
        let n = word_count(sentence);
        let sentence_start = sentence.as_ptr() as usize - paragraph.as_ptr() as usize;
        if words > 0 && words + n > max_words {
            pieces.push(paragraph[start..sentence_start].trim());
            start = sentence_start;
            words = 0;
        }
        words += n;
        if words > max_words {
            // One sentence longer than a passage: cut it between words.
            let end = sentence_start + sentence.len();
            pieces.extend(split_words(&paragraph[start..end], max_words));
            start = end;
            words = 0;
        }
    }
    if start < paragraph.len() {
        pieces.push(paragraph[start..].trim());
    }
    pieces.retain(|p| !p.is_empty());
    pieces
}

fn split_words(text: &str, max_words: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = None;
    let mut count = 0;
    let mut last_end = 0;
    for (i, word) in word_spans(text) {
        if count == max_words {
            pieces.push(&text[start.unwrap_or(0)..last_end]);
            start = None;
            count = 0;
        }
        start.get_or_insert(i);
        count += 1;
        last_end = i + word.len();
    }
    if let Some(s) = start {
        pieces.push(&text[s..last_end]);
    }
    pieces
}

/// The number of whitespace-separated words, as `split_whitespace` counts
/// them, counted byte by byte when the text is ASCII (most news text is; this
/// runs on every paragraph).
fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let mut count = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        // `char::is_whitespace` on ASCII: space and \t \n \x0B \x0C \r.
        let space = b == b' ' || (b'\t'..=b'\r').contains(&b);
        count += usize::from(!space && !in_word);
        in_word = !space;
    }
    count
}

/// Whitespace-separated words with their byte offsets.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// Words after which a period does not end a sentence.
const ABBREVIATIONS: [&str; 32] = [
    "mr", "mrs", "ms", "dr", "prof", "gen", "sen", "rep", "gov", "lt", "col", "capt", "sgt", "st",
    "jr", "sr", "inc", "corp", "co", "ltd", "vs", "etc", "no", "jan", "feb", "aug", "sept", "oct",
    "nov", "dec", "ft", "mt",
];

/// Splits text into sentences, keeping every byte (each sentence includes
/// the space after it). A period ends a sentence only when a word starting
/// with a capital, digit or quote follows, and not after an abbreviation such
/// as `U.S.`, `Mr.` or a single initial.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut words = word_spans(text);
    let Some((_, mut word)) = words.next() else {
        return vec![text];
    };
    for (next_start, next) in words {
        if ends_sentence(word, next) {
            out.push(&text[start..next_start]);
            start = next_start;
        }
        word = next;
    }
    out.push(&text[start..]);
    out
}

fn ends_sentence(word: &str, next: &str) -> bool {
    let core = word.trim_end_matches(['"', '\'', '”', '’', ')']);
    let Some(stripped) = core.strip_suffix(['.', '!', '?']) else {
        return false;
    };
    let opens_sentence = next
        .trim_start_matches(['"', '\'', '“', '‘', '('])
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric());
    if !opens_sentence {
        return false;
    }
    if core.ends_with('.') {
        let lower = stripped
            .trim_start_matches(['"', '\'', '“', '‘', '('])
            .to_lowercase();
        let is_initial = lower.chars().count() == 1;
        let is_dotted = lower.contains('.');
        if is_initial || is_dotted || ABBREVIATIONS.contains(&lower.as_str()) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::article::parse;

    #[test]
    fn word_count_agrees_with_split_whitespace() {
        for text in [
            "",
            "   ",
            "one",
            " two  words ",
            "tab\tand\nnewline\x0bvertical\x0cform\rreturn",
            "\x1fnot-a-space\x1f",
            "non\u{a0}breaking and\u{2003}em space, café",
        ] {
            assert_eq!(
                word_count(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
        assert_eq!(word_count("a\x0bb"), 2);
        assert_eq!(word_count("a\u{a0}b"), 2);
    }

    #[test]
    fn sentences_respect_abbreviations_and_decimals() {
        let text =
            "The U.S. Army sent 3.5 tons. Mr. Lee said so. Then it rained! \"Yes,\" she said.";
        assert_eq!(
            sentences(text),
            [
                "The U.S. Army sent 3.5 tons. ",
                "Mr. Lee said so. ",
                "Then it rained! ",
                "\"Yes,\" she said."
            ]
        );
        assert_eq!(
            sentences("It ended in the U.S. Then"),
            ["It ended in the U.S. Then"]
        );
        assert_eq!(
            sentences("prices fell. and rose"),
            ["prices fell. and rose"]
        );
    }

    fn words(n: usize, tag: &str) -> String {
        let body: Vec<String> = (0..n).map(|i| format!("{tag}{i}")).collect();
        format!("{}.", body.join(" "))
    }

    #[test]
    fn short_paragraph_is_one_passage() {
        assert_eq!(split_paragraph(" A short one. ", 120), ["A short one."]);
    }

    #[test]
    fn long_paragraph_is_cut_at_sentences() {
        let s1 = words(70, "Alpha");
        let s2 = words(70, "Beta");
        let s3 = words(30, "Gamma");
        let paragraph = format!("{s1} {s2} {s3}");
        let pieces = split_paragraph(&paragraph, 120);
        assert_eq!(pieces, [s1.as_str(), format!("{s2} {s3}").as_str()]);
    }

    #[test]
    fn one_huge_sentence_is_cut_between_words() {
        let s = words(250, "W");
        let pieces = split_paragraph(&s, 120);
        let counts: Vec<usize> = pieces
            .iter()
            .map(|p| p.split_whitespace().count())
            .collect();
        assert_eq!(counts, [120, 120, 10]);
        assert_eq!(pieces.join(" "), s);
    }

    #[test]
    fn caption_comes_first_and_ordinals_are_one_based() {
        let a = parse(
            "a.txt",
            "Ana Ruiz, Tom Lee\nA crowd gathers. JOHN DOE/Getty Images\n\nFirst.\n\nSecond.\n",
        );
        let p = passages(&a);
        let kinds: Vec<(u64, PassageKind)> = p.iter().map(|p| (p.ordinal, p.kind)).collect();
        assert_eq!(
            kinds,
            [
                (1, PassageKind::Caption),
                (2, PassageKind::Body),
                (3, PassageKind::Body)
            ]
        );
    }

    #[test]
    fn thousands_of_tiny_paragraphs_make_at_most_about_a_thousand_passages() {
        let text = format!("Title\n\n{}", "ab\n\n".repeat(50_000));
        let p = passages(&parse("t.txt", &text));
        assert!(p.len() <= MAX_PASSAGES + 1 && p.len() > 300, "{}", p.len());
        let words: usize = p.iter().map(|p| word_count(&p.text)).sum();
        assert_eq!(words, 50_000, "no word is lost");
        assert!(p.iter().all(|p| p.kind == PassageKind::Body));
        let normal = format!("Title\n\n{}", "ab cd ef.\n\n".repeat(900));
        assert_eq!(passages(&parse("n.txt", &normal)).len(), 900);
    }

    #[test]
    fn title_only_article_has_a_title_passage() {
        let p = passages(&parse("t.txt", "Only a headline"));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].kind, PassageKind::Title);
        assert_eq!(p[0].text, "Only a headline");
    }
}
