//! What a request to the JSON API asks for: its parameters read strictly
//! (unknown, repeated or out-of-range ones are refused with a message that
//! names them), and the filters a page adds to a query (`year`,
//! `publisher`) turned into the query language, so that the search itself
//! is the command line's.

use std::fmt;

use crate::query;
use crate::search::count::Facet;
use crate::search::{SearchOptions, Sort};

/// The longest query string accepted (the part of the URL after `?`).
pub const MAX_QUERY_STRING: usize = 8 * 1024;
/// The most hits one page may ask for (`limit`).
const MAX_LIMIT: usize = 100;
/// The most context passages around a hit.
const MAX_CONTEXT: usize = 20;
/// The deepest page (`offset`).
const MAX_OFFSET: usize = 1_000_000;

/// A request the API refuses: the HTTP status and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn bad(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 400,
            message: message.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The parameters of one request, each given at most once.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Reads a query string (`q=oil&sort=newest`), refusing names that are
    /// not in `allowed` and names given twice.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, Refusal> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_QUERY_STRING {
            return Err(Refusal {
                status: 414,
                message: format!(
                    "the request's parameters are {} bytes long; at most {MAX_QUERY_STRING} are read: shorten the query",
                    raw.len()
                ),
            });
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
            if !allowed.contains(&name.as_ref()) {
                return Err(Refusal::bad(format!(
                    "unknown parameter `{name}`: this endpoint takes {}",
                    allowed.join(", ")
                )));
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(Refusal::bad(format!("parameter `{name}` is given twice")));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(Params(pairs))
    }

    /// The value of `name`, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    /// A yes/no parameter: `1`, `true`, `yes`, `on` or `0`, `false`, `no`,
    /// `off`.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, Refusal> {
        match self.get(name) {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(Refusal::bad(format!(
                "parameter `{name}` is `{other}`: give true or false"
            ))),
        }
    }

    /// A number parameter within `min..=max`.
    pub fn number(
        &self,
        name: &str,
        default: usize,
        min: usize,
        max: usize,
    ) -> Result<usize, Refusal> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        match text.parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(Refusal::bad(format!(
                "parameter `{name}` is `{text}`: give a whole number from {min} to {max}"
            ))),
        }
    }

    /// One of `choices` (names as written in the URL).
    pub fn choice<T: Copy>(
        &self,
        name: &str,
        default: T,
        choices: &[(&str, T)],
    ) -> Result<T, Refusal> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        choices
            .iter()
            .find(|(n, _)| *n == text)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                Refusal::bad(format!(
                    "parameter `{name}` is `{text}`: give one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// The parameters of `/api/search`.
pub const SEARCH_PARAMS: [&str; 11] = [
    "q",
    "year",
    "publisher",
    "any",
    "expand",
    "sort",
    "offset",
    "limit",
    "per_article",
    "context",
    "_",
];
/// The parameters of `/api/counts`.
pub const COUNT_PARAMS: [&str; 6] = ["q", "year", "publisher", "any", "by", "_"];
/// The parameters of `/api/article`.
pub const ARTICLE_PARAMS: [&str; 3] = ["id", "q", "_"];

/// A search as the API was asked for it.
#[derive(Debug)]
pub struct Search {
    /// The query with the filters added (what the JSON's `query` says).
    pub query: String,
    pub options: SearchOptions,
}

/// Reads the parameters of `/api/search`.
pub fn search(params: &Params) -> Result<Search, Refusal> {
    let any = params.flag("any", false)?;
    let query = filtered_query(params, any)?.ok_or_else(|| {
        Refusal::bad("give a query: /api/search?q=WORDS (or a year or publisher)")
    })?;
    let defaults = SearchOptions::default();
    let options = SearchOptions {
        limit: params.number("limit", defaults.limit, 1, MAX_LIMIT)?,
        per_article: params.number("per_article", defaults.per_article, 1, MAX_LIMIT)?,
        any,
        expand: params.flag("expand", true)?,
        offset: params.number("offset", 0, 0, MAX_OFFSET)?,
        context: params.number("context", 0, 0, MAX_CONTEXT)?,
        sort: params.choice(
            "sort",
            Sort::Relevance,
            &[
                ("relevance", Sort::Relevance),
                ("newest", Sort::Newest),
                ("oldest", Sort::Oldest),
            ],
        )?,
    };
    Ok(Search { query, options })
}

/// A count as the API was asked for it.
#[derive(Debug)]
pub struct Count {
    /// `None`: every article.
    pub query: Option<String>,
    pub any: bool,
    pub by: Facet,
}

/// Reads the parameters of `/api/counts`.
pub fn count(params: &Params) -> Result<Count, Refusal> {
    let any = params.flag("any", false)?;
    Ok(Count {
        query: filtered_query(params, any)?,
        any,
        by: params.choice(
            "by",
            Facet::Year,
            &[
                ("year", Facet::Year),
                ("month", Facet::Month),
                ("publisher", Facet::Publisher),
            ],
        )?,
    })
}

/// The query `q` with the page's filters added as required fields:
/// `(q) year:1987 publisher:"Reuters"`. `None` when there is neither a
/// query nor a filter. `q` is checked on its own first, so that a
/// parenthesis in it can never reach past its own group; a natural-language
/// query (`any`) that is not valid syntax is read as its plain words, as
/// `search --any` reads it.
pub fn filtered_query(params: &Params, any: bool) -> Result<Option<String>, Refusal> {
    let q = match params.get("q") {
        None => None,
        Some(q) => Some(match query::parse(q) {
            Ok(_) => q.to_string(),
            Err(_) if any => query::plain_words(q),
            Err(e) => return Err(Refusal::bad(format!("invalid query: {e}"))),
        }),
    };
    let mut filters = Vec::new();
    if let Some(year) = params.get("year") {
        if year.len() > 4 || year.parse::<u16>().is_err() {
            return Err(Refusal::bad(format!(
                "parameter `year` is `{year}`: give a year such as 1987"
            )));
        }
        filters.push(format!("year:{year}"));
    }
    if let Some(publisher) = params.get("publisher") {
        // A phrase of the publisher's words; a quote inside would end it.
        let words: String = publisher
            .chars()
            .map(|c| if c == '"' || c == '\\' { ' ' } else { c })
            .collect();
        if words.trim().is_empty() || words.len() > 200 {
            return Err(Refusal::bad(
                "parameter `publisher` must name a publisher (at most 200 bytes)",
            ));
        }
        filters.push(format!("publisher:\"{}\"", words.trim()));
    }
    if filters.is_empty() {
        return Ok(q);
    }
    let mut parts: Vec<String> = q.map(|q| format!("({q})")).into_iter().collect();
    parts.extend(filters);
    Ok(Some(parts.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(raw: &str) -> Params {
        Params::parse(Some(raw), &SEARCH_PARAMS).unwrap()
    }

    #[test]
    fn filters_become_required_fields_around_the_query_in_parentheses() {
        let query = |raw: &str| filtered_query(&params(raw), false).unwrap();
        assert_eq!(query("q=oil+prices").as_deref(), Some("oil prices"));
        assert_eq!(
            query("q=oil+OR+gas&year=1987&publisher=Harbour+%22Wire%22").as_deref(),
            Some("(oil OR gas) year:1987 publisher:\"Harbour  Wire\"")
        );
        assert_eq!(query("year=2025").as_deref(), Some("year:2025"));
        assert_eq!(query("q=+&year=").as_deref(), None);
    }

    #[test]
    fn a_query_that_does_not_parse_is_refused_or_read_as_words() {
        let p = params("q=oil)+OR+(gas&year=1987");
        let refused = filtered_query(&p, false).unwrap_err();
        assert_eq!(refused.status, 400);
        assert!(refused.message.starts_with("invalid query:"), "{refused}");
        assert_eq!(
            filtered_query(&p, true).unwrap().as_deref(),
            Some("(oil or gas) year:1987")
        );
    }

    #[test]
    fn unknown_repeated_and_out_of_range_parameters_are_named() {
        let unknown = Params::parse(Some("q=x&limt=5"), &SEARCH_PARAMS).unwrap_err();
        assert!(
            unknown.message.contains("unknown parameter `limt`"),
            "{unknown}"
        );
        let twice = Params::parse(Some("q=x&q=y"), &SEARCH_PARAMS).unwrap_err();
        assert_eq!(twice.message, "parameter `q` is given twice");
        let limit = search(&params("q=x&limit=1000")).unwrap_err();
        assert_eq!(
            limit.message,
            "parameter `limit` is `1000`: give a whole number from 1 to 100"
        );
        let sort = search(&params("q=x&sort=best")).unwrap_err();
        assert!(sort.message.contains("relevance, newest, oldest"), "{sort}");
        let year = search(&params("q=x&year=19870")).unwrap_err();
        assert!(year.message.contains("give a year"), "{year}");
        let long = "q=".to_string() + &"a".repeat(MAX_QUERY_STRING);
        assert_eq!(
            Params::parse(Some(&long), &SEARCH_PARAMS)
                .unwrap_err()
                .status,
            414
        );
    }

    #[test]
    fn search_options_come_from_the_parameters() {
        let s = search(&params(
            "q=oil&sort=newest&offset=10&limit=5&any=1&context=2",
        ))
        .unwrap();
        assert_eq!(s.query, "oil");
        assert_eq!(s.options.sort, Sort::Newest);
        assert_eq!((s.options.offset, s.options.limit), (10, 5));
        assert!(s.options.any && s.options.expand);
        assert_eq!(s.options.context, 2);
        assert!(search(&params("sort=newest")).is_err(), "no query");
    }
}
