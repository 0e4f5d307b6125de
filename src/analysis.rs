//! Text analysis for English news: one tokenizer used for indexing, for query
//! terms and for highlighting, so that the three always agree.
//!
//! The tokenizer keeps what readers type as one word together:
//! `9,000` → `9000`, `1.13` → `1.13`, `U.S.` → `us`, `Sheinbaum’s` → `sheinbaum`
//! (the stemmer drops the possessive). Filters then lowercase, fold accents
//! (`Operación` → `operacion`) and stem (`strikes` → `strike`).

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter,
    TokenStream, Tokenizer,
};

/// Name under which the analyzer is registered in the index.
pub const ANALYZER_NAME: &str = "newsdex_en";

/// Tokens longer than this (in bytes) are dropped: they are never words.
const MAX_TOKEN_BYTES: usize = 64;

/// The analyzer used for every text field and every query word.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(NewsTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// The same analysis without stemming: used for prefix queries (`econ*`),
/// whose prefix must not be stemmed itself.
pub fn unstemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(NewsTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// How many stems a [`CachedStemmer`] remembers before starting afresh.
const STEM_CACHE_SIZE: usize = 50_000;

/// English (Snowball) stemming, as tantivy's `Stemmer`, with a cache: news
/// vocabulary repeats so much that most words are stemmed once per
/// indexing thread (stemming was a quarter of the indexing work).
#[derive(Clone, Copy, Default)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            cache: FxHashMap::default(),
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    cache: FxHashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
            stemmer: None,
        }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut FxHashMap<String, String>,
    stemmer: Option<frostem::Stemmer>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stemmer = self
            .stemmer
            .get_or_insert_with(|| frostem::Stemmer::new(frostem::Algorithm::English));
        let stem = stemmer.stem(&token.text).into_owned();
        if self.cache.len() >= STEM_CACHE_SIZE {
            self.cache.clear();
        }
        let word = std::mem::replace(&mut token.text, stem);
        self.cache.insert(word, token.text.clone());
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// One analyzed token: its indexed form and where it stands in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    pub term: String,
    /// Byte range in the analyzed text, half-open.
    pub start: usize,
    pub end: usize,
    pub position: usize,
}

/// Runs `analyzer` over `text` and collects its tokens.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push(AnalyzedToken {
            term: token.text.clone(),
            start: token.offset_from,
            end: token.offset_to,
            position: token.position,
        });
    }
    out
}

/// Splits text into words, keeping numbers with thousands separators or
/// decimals, dotted abbreviations and inner apostrophes inside one token.
#[derive(Clone, Default)]
pub struct NewsTokenizer {
    token: Token,
}

pub struct NewsTokenStream<'a> {
    text: &'a str,
    /// Byte offset where scanning resumes.
    cursor: usize,
    token: &'a mut Token,
}

impl Tokenizer for NewsTokenizer {
    type TokenStream<'a> = NewsTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> NewsTokenStream<'a> {
        self.token.reset();
        NewsTokenStream {
            text,
            cursor: 0,
            token: &mut self.token,
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// The character starting at byte `at`, if any.
fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|rest| rest.chars().next())
}

impl NewsTokenStream<'_> {
    /// Scans one token starting at `start` (an alphanumeric char); returns its
    /// end offset and fills the token text.
    fn scan(&mut self, start: usize) -> usize {
        let text = self.text;
        let out = &mut self.token.text;
        if let Some(end) = abbreviation_end(text, start, out) {
            return end;
        }
        let bytes = text.as_bytes();
        let mut at = start;
        loop {
            // Runs of ASCII letters and digits are copied in one go.
            let run = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            out.push_str(&text[at..at + run]);
            at += run;
            let Some(c) = char_at(text, at) else {
                break;
            };
            if c.is_alphanumeric() {
                out.push(c);
                at += c.len_utf8();
                continue;
            }
            let prev = out.chars().last();
            let next = char_at(text, at + c.len_utf8());
            let digit_before = prev.is_some_and(|p| p.is_ascii_digit());
            let digit_after = next.is_some_and(|n| n.is_ascii_digit());
            if c == ',' && digit_before && is_thousands_group(text, at + 1) {
                // `9,000`: the separator is dropped so that `9000` matches.
                at += 1;
            } else if c == '.' && digit_before && digit_after {
                out.push('.');
                at += 1;
            } else if is_apostrophe(c)
                && prev.is_some_and(char::is_alphabetic)
                && next.is_some_and(char::is_alphabetic)
            {
                out.push('\'');
                at += c.len_utf8();
            } else {
                break;
            }
        }
        at
    }
}

/// True when exactly three digits start at `at` and no further digit follows.
fn is_thousands_group(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    let digits = bytes[at.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    digits == 3
}

/// Recognises a dotted abbreviation of single letters (`U.S.`, `U.S.A.`,
/// `a.m.`) at `start`. Pushes its letters to `out` (empty on entry, and left
/// empty when there is none) and returns the end offset (after the final dot
/// when there is one).
fn abbreviation_end(text: &str, start: usize, out: &mut String) -> Option<usize> {
    let mut letters = 0;
    let mut at = start;
    loop {
        let Some(c) = char_at(text, at).filter(|c| c.is_alphabetic()) else {
            out.clear();
            return None;
        };
        let after = at + c.len_utf8();
        match char_at(text, after) {
            Some('.') => {
                out.push(c);
                letters += 1;
                at = after + 1;
                // Go on only if another single letter follows the dot.
                let next_is_letter = char_at(text, at).is_some_and(char::is_alphabetic);
                let next_next = char_at(text, at).and_then(|n| char_at(text, at + n.len_utf8()));
                let single = !next_next.is_some_and(char::is_alphanumeric);
                if !(next_is_letter && single) {
                    break;
                }
            }
            Some(n) if n.is_alphanumeric() => {
                out.clear();
                return None;
            }
            _ => {
                // The last letter without a final dot, as in `U.S` at the end.
                out.push(c);
                letters += 1;
                at = after;
                break;
            }
        }
    }
    if letters < 2 {
        out.clear();
        return None;
    }
    Some(at)
}

impl TokenStream for NewsTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        let bytes = self.text.as_bytes();
        loop {
            // ASCII spaces and punctuation are skipped without decoding.
            while bytes
                .get(self.cursor)
                .is_some_and(|b| b.is_ascii() && !b.is_ascii_alphanumeric())
            {
                self.cursor += 1;
            }
            let Some(c) = char_at(self.text, self.cursor) else {
                break;
            };
            if c.is_alphanumeric() {
                let start = self.cursor;
                let end = self.scan(start);
                self.cursor = end;
                self.token.offset_from = start;
                self.token.offset_to = end;
                return true;
            }
            self.cursor += c.len_utf8();
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokens(&mut analyzer(), text)
            .into_iter()
            .map(|t| t.term)
            .collect()
    }

    fn spans(text: &str) -> Vec<&str> {
        tokens(&mut analyzer(), text)
            .into_iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn numbers_keep_their_separators_meaningful() {
        assert_eq!(terms("9,000 troops"), ["9000", "troop"]);
        assert_eq!(terms("9000"), ["9000"]);
        assert_eq!(terms("1.13 million"), ["1.13", "million"]);
        assert_eq!(terms("1,234,567"), ["1234567"]);
        assert_eq!(terms("in 1914, then"), ["in", "1914", "then"]);
        // A comma that does not group thousands separates.
        assert_eq!(terms("1,2"), ["1", "2"]);
        assert_eq!(terms("year 2025."), ["year", "2025"]);
        assert_eq!(spans("9,000 troops"), ["9,000", "troops"]);
    }

    #[test]
    fn abbreviations_become_one_word() {
        assert_eq!(terms("The U.S. military"), ["the", "us", "militari"]);
        assert_eq!(spans("the U.S. military"), ["the", "U.S.", "military"]);
        assert_eq!(terms("U.S.A."), ["usa"]);
        assert_eq!(terms("us"), ["us"]);
        assert_eq!(terms("A.Smith"), ["a", "smith"]);
        assert_eq!(terms("plan A. Then"), ["plan", "a", "then"]);
    }

    #[test]
    fn accents_case_stems_and_apostrophes() {
        assert_eq!(terms("Operación Frontera"), ["operacion", "frontera"]);
        assert_eq!(
            terms("strikes Strike striking"),
            ["strike", "strike", "strike"]
        );
        assert_eq!(terms("Sheinbaum’s"), ["sheinbaum"]);
        assert_eq!(terms("Sheinbaum's"), ["sheinbaum"]);
        assert_eq!(terms("multi-agent"), ["multi", "agent"]);
        assert_eq!(terms("163kg"), ["163kg"]);
        assert_eq!(spans("“Operación” —"), ["Operación"]);
    }

    #[test]
    fn cached_stems_equal_tantivys() {
        let words = "strikes striking strikes economies economy running ran Operación";
        let mut reference = TextAnalyzer::builder(NewsTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(tantivy::tokenizer::Stemmer::new(
                tantivy::tokenizer::Language::English,
            ))
            .build();
        let mut cached = analyzer();
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, words), tokens(&mut reference, words));
        }
    }

    #[test]
    fn positions_are_consecutive() {
        let t = tokens(&mut analyzer(), "drone, strikes on U.S. soil");
        let positions: Vec<usize> = t.iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4]);
    }
}
