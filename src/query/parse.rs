//! newsdex's query language, parsed into a tree of boolean nodes over leaves.
//!
//! ```text
//! query    := or
//! or       := and ("OR" and)*
//! and      := unary (["AND"] unary)*          (words side by side are ANDed)
//! unary    := ("NOT" | "-") unary | "+"? primary
//! primary  := "(" or ")" | FIELD ":" value | value
//! value    := "\"phrase\"" ["~" N] | word ["*"] | "(" or ")" | "[" N "TO" M "]"
//! ```
//! `OR`, `AND` and `NOT` are operators only in capitals. Fields: `title:`,
//! `tags:`, `publisher:`, `text:` and `year:` (a number or a range).

use std::fmt;

use crate::ingest::dates::Date;

/// Where a leaf looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Passage text, headline and tags.
    Default,
    Title,
    Tags,
    Publisher,
    /// Passage text only.
    Text,
}

impl Scope {
    /// Whether matches of this scope are marked in the passage text.
    pub fn covers_text(self) -> bool {
        matches!(self, Scope::Default | Scope::Text)
    }

    /// Whether matches of this scope are marked in the headline.
    pub fn covers_title(self) -> bool {
        matches!(self, Scope::Default | Scope::Title)
    }
}

/// A leaf as the user wrote it (before analysis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaf {
    /// A bare word; it may analyze to several tokens (`multi-agent`), which
    /// then must be adjacent.
    Word {
        scope: Scope,
        text: String,
    },
    Phrase {
        scope: Scope,
        text: String,
        slop: u32,
    },
    Prefix {
        scope: Scope,
        text: String,
    },
    /// A year or date range, both ends included (`year:>=2020` is 2020 to
    /// the largest year); `written` is how the user wrote it.
    Range {
        field: RangeField,
        from: u64,
        to: u64,
        written: String,
    },
}

/// A field searched by ranges of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeField {
    /// The article's year.
    Year,
    /// The article's day, as `YYYYMMDD`; an article dated only by its year
    /// is `YYYY0000` (the start of that year).
    Date,
}

impl RangeField {
    fn name(self) -> &'static str {
        match self {
            RangeField::Year => "year",
            RangeField::Date => "date",
        }
    }

    /// The first and last value that `v` stands for: a year is itself; a
    /// date may be a day (`1987-10-19`), a month (`1987-10`) or a year
    /// (`1987`).
    fn span(self, v: &str) -> Option<(u64, u64)> {
        let year = |s: &str| {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u64>().ok())
                .flatten()
        };
        match self {
            RangeField::Year => parse_year(v).map(|y| (y, y)),
            RangeField::Date => {
                let parts: Vec<&str> = v.split('-').collect();
                match parts.as_slice() {
                    [y] => year(y).map(|y| (y * 10_000, y * 10_000 + 1231)),
                    [y, m] if m.len() == 2 => {
                        let (y, m) = (year(y)?, m.parse::<u64>().ok()?);
                        (1..=12)
                            .contains(&m)
                            .then(|| (y * 10_000 + m * 100 + 1, y * 10_000 + m * 100 + 31))
                    }
                    [_, _, _] => Date::parse_iso(v).map(|d| (d.key(), d.key())),
                    _ => None,
                }
            }
        }
    }

    fn example(self) -> &'static str {
        match self {
            RangeField::Year => "year:2025, year:>=2020 or year:[2004 TO 2006]",
            RangeField::Date => {
                "date:1987-10-19, date:1987-10, date:>=1987-10-01 or date:[1987-10-01 TO 1987-10-31]"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Leaf(Leaf),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// A malformed query: the message says what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

fn err<T>(msg: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(msg.into()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Phrase(String, Option<u32>),
    Open,
    Close,
    Minus,
    Plus,
    /// `field:` (the name, lowercased).
    Field(String),
    Range(String),
}

pub const FIELDS: &str = "title, tags, publisher, text, year, date";

fn lex(input: &str) -> Result<Vec<Tok>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            ')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            '"' | '“' | '”' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&c| matches!(c, '"' | '”' | '“'))
                    .map(|p| p + i + 1);
                let Some(close) = close else {
                    return err("unclosed quote: add the closing \" to end the exact phrase");
                };
                let text: String = chars[i + 1..close].iter().collect();
                i = close + 1;
                let mut slop = None;
                if chars.get(i) == Some(&'~') {
                    let digits: String = chars[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    if digits.is_empty() {
                        return err("`~` after a phrase needs a number, as in \"drone strikes\"~2");
                    }
                    i += 1 + digits.len();
                    slop =
                        Some(digits.parse().map_err(|_| {
                            QueryError(format!("phrase slop {digits} is too large"))
                        })?);
                }
                toks.push(Tok::Phrase(text, slop));
            }
            '[' | '{' => {
                let closing = if c == '[' { ']' } else { '}' };
                let Some(end) = chars[i..].iter().position(|&c| c == closing) else {
                    return err(format!(
                        "unclosed range: add the closing `{closing}`, as in year:[2004 TO 2006]"
                    ));
                };
                toks.push(Tok::Range(chars[i..i + end + 1].iter().collect()));
                i += end + 1;
            }
            '-' | '+'
                if chars
                    .get(i + 1)
                    .is_some_and(|n| !n.is_whitespace() && *n != ')') =>
            {
                toks.push(if c == '-' { Tok::Minus } else { Tok::Plus });
                i += 1;
            }
            _ => {
                let start = i;
                let mut field = None;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"' | '“' | '”')
                {
                    if chars[i] == ':' {
                        let name: String = chars[start..i].iter().collect();
                        if is_field_name(&name) {
                            field = Some(name.to_lowercase());
                            i += 1;
                            break;
                        }
                    }
                    i += 1;
                }
                toks.push(match field {
                    Some(name) => Tok::Field(name),
                    None => Tok::Word(chars[start..i].iter().collect()),
                });
            }
        }
    }
    Ok(toks)
}

/// A name followed by `:` is meant as a field when it is a word of letters.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic())
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
    /// How deep the parser is in parentheses, fields and `NOT`s.
    depth: usize,
}

/// How deep parentheses, fields and `NOT`s may nest: a bound on every
/// recursion over a query (parsing, compiling, describing it).
pub const MAX_DEPTH: usize = 64;
/// How many words, phrases and prefixes a query may hold.
pub const MAX_LEAVES: usize = 1024;

/// Parses a query. Fails on unbalanced parentheses or quotes, unknown fields,
/// bad ranges, a dangling operator, or a query with nothing to look for.
pub fn parse(input: &str) -> Result<Node, QueryError> {
    let toks = lex(input)?;
    if toks.is_empty() {
        return err("the query is empty: give at least one word to search for");
    }
    let mut p = Parser {
        toks,
        at: 0,
        depth: 0,
    };
    let node = p.or(Scope::Default)?;
    match p.peek() {
        None => {}
        Some(Tok::Close) => {
            return err("unbalanced `)`: remove it or add the `(` it closes");
        }
        Some(t) => return err(format!("unexpected {t:?} in the query")),
    }
    let leaves = count_leaves(&node);
    if leaves > MAX_LEAVES {
        return err(format!(
            "the query has {leaves} words, phrases and prefixes; at most {MAX_LEAVES} are searched: shorten it"
        ));
    }
    if positive_leaves(&node).is_empty() {
        return err(
            "the query only excludes words: add a word to search for, as in `mexico -trade`",
        );
    }
    Ok(node)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w == op)
    }

    fn or(&mut self, scope: Scope) -> Result<Node, QueryError> {
        let mut items = vec![self.and(scope)?];
        while self.is_op("OR") {
            self.at += 1;
            items.push(self.and(scope)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn and(&mut self, scope: Scope) -> Result<Node, QueryError> {
        let mut items = vec![self.unary(scope)?];
        loop {
            if self.is_op("AND") {
                self.at += 1;
                items.push(self.unary(scope)?);
                continue;
            }
            match self.peek() {
                None | Some(Tok::Close) => break,
                _ if self.is_op("OR") => break,
                _ => items.push(self.unary(scope)?),
            }
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::And(items)
        })
    }

    fn unary(&mut self, scope: Scope) -> Result<Node, QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(format!(
                "the query nests parentheses, fields or NOT more than {MAX_DEPTH} levels deep: simplify it"
            ));
        }
        let node = self.unary_at_depth(scope);
        self.depth -= 1;
        node
    }

    fn unary_at_depth(&mut self, scope: Scope) -> Result<Node, QueryError> {
        if self.is_op("NOT") || self.peek() == Some(&Tok::Minus) {
            self.at += 1;
            if self.peek().is_none() {
                return err("`NOT` or `-` must be followed by a word to exclude");
            }
            return Ok(Node::Not(Box::new(self.unary(scope)?)));
        }
        if self.peek() == Some(&Tok::Plus) {
            self.at += 1;
        }
        self.primary(scope)
    }

    fn primary(&mut self, scope: Scope) -> Result<Node, QueryError> {
        match self.next() {
            None => err("the query ends with an operator: add a word after it"),
            Some(Tok::Open) => {
                if self.peek() == Some(&Tok::Close) {
                    return err("empty parentheses `()`: put words inside or remove them");
                }
                let node = self.or(scope)?;
                if self.next() != Some(Tok::Close) {
                    return err("unbalanced `(`: add the `)` that closes it");
                }
                Ok(node)
            }
            Some(Tok::Close) => err("unbalanced `)`: remove it or add the `(` it closes"),
            Some(Tok::Field(name)) => self.field(&name),
            Some(Tok::Word(w)) if matches!(w.as_str(), "AND" | "OR") => err(format!(
                "`{w}` needs a word on each side (write it in lower case to search for it)"
            )),
            Some(Tok::Word(w)) => word_leaf(scope, &w),
            Some(Tok::Phrase(text, slop)) => Ok(Node::Leaf(Leaf::Phrase {
                scope,
                text,
                slop: slop.unwrap_or(0),
            })),
            Some(Tok::Range(r)) => err(format!("a range like `{r}` needs a field: write year:{r}")),
            Some(Tok::Minus | Tok::Plus) => err("misplaced `-` or `+` in the query"),
        }
    }

    fn field(&mut self, name: &str) -> Result<Node, QueryError> {
        let scope = match name {
            "title" | "headline" => Scope::Title,
            "tags" | "tag" | "people" => Scope::Tags,
            "publisher" | "source" => Scope::Publisher,
            "text" | "body" => Scope::Text,
            "year" => return self.range(RangeField::Year),
            "date" => return self.range(RangeField::Date),
            other => {
                return err(format!(
                    "unknown field `{other}:`; the fields are {FIELDS} (quote the words to search for the text \"{other}:\")"
                ))
            }
        };
        match self.peek() {
            None | Some(Tok::Close) => err(format!("`{name}:` needs a word after it")),
            _ => self.primary(scope),
        }
    }

    fn range(&mut self, field: RangeField) -> Result<Node, QueryError> {
        let name = field.name();
        let bad = |v: &str| {
            QueryError(format!(
                "`{name}:{v}` is not a {name}: use {}",
                field.example()
            ))
        };
        let leaf = |from: u64, to: u64, written: &str| {
            if from > to {
                return err(format!(
                    "`{name}:{written}` is an empty range: put the earlier {name} first"
                ));
            }
            Ok(Node::Leaf(Leaf::Range {
                field,
                from,
                to,
                written: format!("{name}:{written}"),
            }))
        };
        match self.next() {
            Some(Tok::Word(w)) => {
                let span = |v: &str| field.span(v).ok_or_else(|| bad(&w));
                let (from, to) = if let Some(rest) = w.strip_prefix(">=") {
                    (span(rest)?.0, u64::MAX)
                } else if let Some(rest) = w.strip_prefix('>') {
                    (span(rest)?.1.saturating_add(1), u64::MAX)
                } else if let Some(rest) = w.strip_prefix("<=") {
                    (0, span(rest)?.1)
                } else if let Some(rest) = w.strip_prefix('<') {
                    let first = span(rest)?.0;
                    if first == 0 {
                        return leaf(1, 0, &w);
                    }
                    (0, first - 1)
                } else {
                    span(&w)?
                };
                leaf(from, to, &w)
            }
            Some(Tok::Range(r)) => {
                let inclusive_start = r.starts_with('[');
                let inclusive_end = r.ends_with(']');
                let inner = &r[1..r.len() - 1];
                let parts: Vec<&str> = inner.split_whitespace().collect();
                let [lo, "TO", hi] = parts.as_slice() else {
                    return Err(bad(&r));
                };
                let from = match *lo {
                    "*" => 0,
                    lo => {
                        let (first, last) = field.span(lo).ok_or_else(|| bad(&r))?;
                        if inclusive_start {
                            first
                        } else {
                            last.saturating_add(1)
                        }
                    }
                };
                let to = match *hi {
                    "*" => u64::MAX,
                    hi => {
                        let (first, last) = field.span(hi).ok_or_else(|| bad(&r))?;
                        if inclusive_end {
                            last
                        } else if first == 0 {
                            return leaf(1, 0, &r);
                        } else {
                            first - 1
                        }
                    }
                };
                leaf(from, to, &r)
            }
            _ => Err(bad("")),
        }
    }
}

fn parse_year(s: &str) -> Option<u64> {
    (s.len() <= 4 && !s.is_empty())
        .then(|| s.parse().ok())
        .flatten()
}

fn word_leaf(scope: Scope, w: &str) -> Result<Node, QueryError> {
    if let Some(prefix) = w.strip_suffix('*') {
        let letters = prefix.chars().filter(|c| c.is_alphanumeric()).count();
        if letters < 2 || prefix.contains('*') {
            return err(format!(
                "`{w}`: a prefix needs at least 2 letters before a final `*`, as in econ*"
            ));
        }
        return Ok(Node::Leaf(Leaf::Prefix {
            scope,
            text: prefix.to_string(),
        }));
    }
    Ok(Node::Leaf(Leaf::Word {
        scope,
        text: w.to_string(),
    }))
}

fn count_leaves(node: &Node) -> usize {
    match node {
        Node::Leaf(_) => 1,
        Node::And(items) | Node::Or(items) => items.iter().map(count_leaves).sum(),
        Node::Not(inner) => count_leaves(inner),
    }
}

/// The leaves that a passage can match to be a hit: those not under a NOT.
pub fn positive_leaves(node: &Node) -> Vec<&Leaf> {
    fn walk<'a>(node: &'a Node, negated: bool, out: &mut Vec<&'a Leaf>) {
        match node {
            Node::Leaf(l) if !negated => out.push(l),
            Node::Leaf(_) => {}
            Node::And(items) | Node::Or(items) => {
                items.iter().for_each(|n| walk(n, negated, out));
            }
            Node::Not(inner) => walk(inner, !negated, out),
        }
    }
    let mut out = Vec::new();
    walk(node, false, &mut out);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plain word, as the parser reads one.
    pub(crate) fn word(t: &str) -> Node {
        Node::Leaf(Leaf::Word {
            scope: Scope::Default,
            text: t.into(),
        })
    }

    #[test]
    fn words_are_anded_and_or_binds_looser() {
        assert_eq!(parse("a b").unwrap(), Node::And(vec![word("a"), word("b")]));
        assert_eq!(
            parse("a b OR c").unwrap(),
            Node::Or(vec![Node::And(vec![word("a"), word("b")]), word("c")])
        );
        assert_eq!(
            parse("a AND (b OR c)").unwrap(),
            Node::And(vec![word("a"), Node::Or(vec![word("b"), word("c")])])
        );
        assert_eq!(
            parse("a or b").unwrap(),
            Node::And(vec![word("a"), word("or"), word("b")])
        );
    }

    #[test]
    fn negation_phrases_slop_prefix() {
        assert_eq!(
            parse("mexico -trade NOT tariff").unwrap(),
            Node::And(vec![
                word("mexico"),
                Node::Not(Box::new(word("trade"))),
                Node::Not(Box::new(word("tariff")))
            ])
        );
        assert_eq!(
            parse("\"drone strikes\"~2").unwrap(),
            Node::Leaf(Leaf::Phrase {
                scope: Scope::Default,
                text: "drone strikes".into(),
                slop: 2
            })
        );
        assert_eq!(
            parse("econ*").unwrap(),
            Node::Leaf(Leaf::Prefix {
                scope: Scope::Default,
                text: "econ".into()
            })
        );
        // A hyphen inside a word is not a negation.
        assert_eq!(parse("multi-agent").unwrap(), word("multi-agent"));
    }

    #[test]
    fn fields_and_years() {
        assert_eq!(
            parse("title:mexico").unwrap(),
            Node::Leaf(Leaf::Word {
                scope: Scope::Title,
                text: "mexico".into()
            })
        );
        assert_eq!(
            parse("tags:\"Donald Trump\"").unwrap(),
            Node::Leaf(Leaf::Phrase {
                scope: Scope::Tags,
                text: "Donald Trump".into(),
                slop: 0
            })
        );
        assert_eq!(
            parse("title:(border OR trade)").unwrap(),
            Node::Or(vec![
                Node::Leaf(Leaf::Word {
                    scope: Scope::Title,
                    text: "border".into()
                }),
                Node::Leaf(Leaf::Word {
                    scope: Scope::Title,
                    text: "trade".into()
                })
            ])
        );
        // Times and URLs are not fields.
        assert_eq!(parse("10:30").unwrap(), word("10:30"));
    }

    #[test]
    fn years_and_dates_are_ranges_of_numbers() {
        let range = |q: &str| match parse(q).unwrap() {
            Node::Leaf(Leaf::Range {
                field, from, to, ..
            }) => (field, from, to),
            other => panic!("not a range: {other:?}"),
        };
        use RangeField::{Date, Year};
        assert_eq!(range("year:2025"), (Year, 2025, 2025));
        assert_eq!(range("year:[2004 TO 2006]"), (Year, 2004, 2006));
        assert_eq!(range("year:{2004 TO 2006}"), (Year, 2005, 2005));
        assert_eq!(range("year:>=2020"), (Year, 2020, u64::MAX));
        assert_eq!(range("year:>2020"), (Year, 2021, u64::MAX));
        assert_eq!(range("year:<2020"), (Year, 0, 2019));
        assert_eq!(range("year:<=2020"), (Year, 0, 2020));
        assert_eq!(range("date:1987-10-19"), (Date, 19_871_019, 19_871_019));
        assert_eq!(range("date:1987-10"), (Date, 19_871_001, 19_871_031));
        assert_eq!(range("date:1987"), (Date, 19_870_000, 19_871_231));
        assert_eq!(
            range("date:[1987-10-01 TO 1987-10-31]"),
            (Date, 19_871_001, 19_871_031)
        );
        assert_eq!(
            range("date:{1987-10 TO 1987-12}"),
            (Date, 19_871_032, 19_871_200)
        );
        assert_eq!(range("date:>=1987-10-19"), (Date, 19_871_019, u64::MAX));
        assert_eq!(range("date:>1987-10"), (Date, 19_871_032, u64::MAX));
        assert_eq!(range("date:<1987-10-19"), (Date, 0, 19_871_018));
        assert_eq!(range("date:[* TO 1987]"), (Date, 0, 19_871_231));
        let Node::Leaf(Leaf::Range { written, .. }) = parse("date:>=1987-10").unwrap() else {
            unreachable!()
        };
        assert_eq!(written, "date:>=1987-10");
    }

    #[test]
    fn malformed_queries_explain_the_fix() {
        let msg = |q: &str| parse(q).unwrap_err().0;
        assert!(msg("\"drone strikes").contains("unclosed quote"));
        assert!(msg("(a OR b").contains("unbalanced `(`"));
        assert!(msg("a)").contains("unbalanced `)`"));
        assert!(msg("-trade").contains("only excludes"));
        assert!(msg("NOT trade").contains("only excludes"));
        assert!(msg("a OR").contains("ends with an operator"));
        assert!(msg("e*").contains("at least 2 letters"));
        assert!(msg("*").contains("at least 2 letters"));
        assert!(msg("titel:mexico").contains("unknown field `titel:`"));
        assert!(msg("year:abc").contains("not a year"));
        assert!(msg("year:[2006 TO 2004]").contains("empty range"));
        assert_eq!(
            msg("date:1987-13-01"),
            "`date:1987-13-01` is not a date: use date:1987-10-19, date:1987-10, date:>=1987-10-01 or date:[1987-10-01 TO 1987-10-31]"
        );
        assert!(msg("date:1987-02-30").contains("not a date"));
        assert!(msg("date:87-10").contains("not a date"));
        assert!(msg("year:<0").contains("empty range"));
        assert!(msg("   ").contains("empty"));
        assert!(msg("()").contains("empty parentheses"));
        assert!(msg("\"a b\"~").contains("needs a number"));
        let deep = format!("{}oil{}", "(".repeat(12_000), ")".repeat(12_000));
        assert!(msg(&deep).contains("more than 64 levels deep"));
        assert!(msg(&format!("{}oil", "NOT ".repeat(30_000))).contains("levels deep"));
        assert!(msg(&"title:(".repeat(20_000)).contains("levels deep"));
        let words = vec!["w"; 2000].join(" ");
        assert!(msg(&words).contains("has 2000 words"));
        // Right at the limits.
        let nested = format!("{}oil{}", "(".repeat(63), ")".repeat(63));
        assert!(parse(&nested).is_ok());
        assert!(parse(&vec!["w"; 1024].join(" ")).is_ok());
    }
}
