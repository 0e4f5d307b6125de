//! Dates as articles write them: `2025-01-05` in a source line, `Updated
//! Jan. 5, 2025` or `Published 5 January 2025` near the top, a dateline
//! (`WASHINGTON, March 3, 2025 (AP) —`, or `SALVADOR, Feb 26 -` with the
//! year from the footer). A date is kept only when it is a real calendar
//! day.

use std::fmt;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// The years a news article can be dated in.
const YEARS: std::ops::RangeInclusive<u16> = 1800..=2200;

impl Date {
    /// The day, if it exists (`2023-02-29` does not).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        (YEARS.contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in(year, month))
        .then_some(Date { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::new(
            s[..4].parse().ok()?,
            s[5..7].parse().ok()?,
            s[8..].parse().ok()?,
        )
    }

    /// The number an index stores and compares: `YYYYMMDD`.
    pub fn key(self) -> u64 {
        u64::from(self.year) * 10_000 + u64::from(self.month) * 100 + u64::from(self.day)
    }
}

impl serde::Serialize for Date {
    /// As `YYYY-MM-DD`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The days of a month of a year.
pub fn days_in(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A month by its English name or abbreviation (`Jan`, `Sept.`, `march`).
fn month(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    NAMES
        .iter()
        .position(|n| {
            w == *n || (w.len() >= 3 && n.starts_with(&w) && (w.len() == 3 || w == "sept"))
        })
        .map(|i| i as u8 + 1)
}

/// A day of the month as written (`5`, `05`, `5th`, `21st`).
fn day(word: &str) -> Option<u8> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    let ordinal = suffix.is_empty() || ["st", "nd", "rd", "th"].contains(&suffix);
    if !ordinal || digits.is_empty() || digits.len() > 2 {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// A four-digit year.
fn year(word: &str) -> Option<u16> {
    (word.len() == 4)
        .then(|| word.parse().ok())
        .flatten()
        .filter(|y| YEARS.contains(y))
}

/// The first date written in a short text: `2025-01-05`, `Jan 5, 2025`,
/// `January 5 2025`, `5 January 2025`; `Jan 5` (no year) is that day of
/// `default_year` when one is given.
pub fn find(text: &str, default_year: Option<u16>) -> Option<Date> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(date) = w.get(..10).and_then(Date::parse_iso) {
            return Some(date);
        }
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        if let Some(m) = month(w) {
            // Month day [year]
            if let Some(d) = day(next(1)) {
                if let Some(date) = year(next(2))
                    .or(default_year)
                    .and_then(|y| Date::new(y, m, d))
                {
                    return Some(date);
                }
            }
        } else if let (Some(d), Some(m)) = (day(w), month(next(1))) {
            // day Month year
            if let Some(date) = year(next(2))
                .or(default_year)
                .and_then(|y| Date::new(y, m, d))
            {
                return Some(date);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(text: &str, default_year: Option<u16>) -> Option<String> {
        find(text, default_year).map(|d| d.to_string())
    }

    #[test]
    fn dates_in_the_ways_articles_write_them() {
        let d = |s: &str| Some(s.to_string());
        assert_eq!(on("Updated Jan 5, 2025 3:14 PM", None), d("2025-01-05"));
        assert_eq!(on("Updated: Jan. 5, 2025", None), d("2025-01-05"));
        assert_eq!(on("Published 21st March 2024", None), d("2024-03-21"));
        assert_eq!(on("Last updated September 30 2019", None), d("2019-09-30"));
        assert_eq!(on("Sept. 3, 2019", None), d("2019-09-03"));
        assert_eq!(on("WASHINGTON, March 3, 2025 (AP)", None), d("2025-03-03"));
        assert_eq!(on("2006-11-13T10:00Z", None), d("2006-11-13"));
        // A dateline without its year takes the footer's.
        assert_eq!(on("SALVADOR, Feb 26", Some(1987)), d("1987-02-26"));
        assert_eq!(on("SALVADOR, Feb 26", None), None);
        // Not days: a month as a word, impossible days, numbers.
        assert_eq!(on("in May 2025 prices rose", None), None);
        assert_eq!(on("Feb 30, 2023", None), None);
        assert_eq!(on("Feb 29, 2024", None), d("2024-02-29"));
        assert_eq!(on("Jan 5, 1066", None), None);
        assert_eq!(on("March 300 2025", None), None);
        assert_eq!(on("mars 3 2025", None), None);
    }

    #[test]
    fn keys_sort_as_days() {
        let a = Date::parse_iso("1987-10-19").unwrap();
        assert_eq!(a.key(), 19_871_019);
        assert!(Date::parse_iso("1987-02-26").unwrap().key() < a.key());
        assert_eq!(Date::parse_iso("1987-13-01"), None);
        assert_eq!(days_in(1900, 2), 28);
        assert_eq!(days_in(2000, 2), 29);
    }
}
