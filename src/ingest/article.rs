//! Parsing one article file's text into fields.
//!
//! Layouts recognised (see the README): A, a saved web page (tag line, photo
//! caption, body, `© YEAR Publisher` footer); B, headline, body and a
//! `Source: Publisher, YYYY-MM-DD, licence` line; Markdown `# Headline`,
//! bylines, `Updated …` lines and datelines. Anything else: the first
//! non-empty line is the title and the rest is the body.

use std::path::Path;

use serde::Serialize;

use crate::ingest::dates::{self, Date};
use crate::ingest::files::{self, FileMeta};

/// A parsed news article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    /// Stable id derived from the content (hex).
    pub id: String,
    /// Path relative to the seeds folder, with `/` separators.
    pub path: String,
    /// Headline, or the tag line when the page had none.
    pub title: String,
    pub tags: Vec<String>,
    pub caption: Option<String>,
    pub byline: Option<String>,
    pub paragraphs: Vec<String>,
    pub publisher: Option<String>,
    /// The day of the article, when it gives one (source line, `Updated …`
    /// line, dateline).
    pub date: Option<Date>,
    pub year: Option<u64>,
}

impl Article {
    /// Whether the article has text to search: a headline, caption or body
    /// (a file holding only a footer or source line has none).
    pub fn has_text(&self) -> bool {
        !(self.title.is_empty() && self.caption.is_none() && self.paragraphs.is_empty())
    }
}

/// Why a file with no text besides its metadata is not an article.
const NO_TEXT: &str = "no text besides its footer or source line, not an article";

/// Parses text read from a file (or standard input) whose path in the
/// seeds folder is `rel`; refuses one with nothing to search.
pub fn from_text(rel: &str, text: &str) -> Result<Article, String> {
    let article = parse(rel, text);
    if article.has_text() {
        Ok(article)
    } else {
        Err(NO_TEXT.to_string())
    }
}

/// Reads and parses an article file: the article, the file's size and
/// time, and the encoding its text was converted from; or why it is not an
/// article (the reason, ready to show after the path).
pub fn read(path: &Path, rel: &str) -> Result<(Article, FileMeta, Option<&'static str>), String> {
    let (text, meta) = files::read_text(path)?;
    let article = from_text(rel, &text.text)?;
    Ok((article, meta, text.converted_from))
}

/// Normalises line endings, a byte-order mark and trailing spaces, so that
/// the same article saved on Windows or Unix gets the same id.
pub fn normalize(raw: &str) -> String {
    let text = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    let mut blank_run = false;
    for line in text.lines() {
        let line = line.trim_end();
        // Runs of blank lines count as one.
        if line.is_empty() && blank_run {
            continue;
        }
        blank_run = line.is_empty();
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

/// The stable id of an article: a hash of its normalised text.
pub fn content_id(normalized: &str) -> String {
    blake3::hash(normalized.as_bytes()).to_hex()[..16].to_string()
}

/// Parses the text of one file. `path` is only recorded, never read.
pub fn parse(path: &str, raw: &str) -> Article {
    let text = normalize(raw);
    let mut article = Article {
        id: content_id(&text),
        path: path.to_string(),
        title: String::new(),
        tags: Vec::new(),
        caption: None,
        byline: None,
        paragraphs: Vec::new(),
        publisher: None,
        date: None,
        year: None,
    };
    let joined = join_lines_of_huge_files(&text);
    let joined = joined.as_deref().unwrap_or(&text);
    let merged = merge_tiny_blocks(joined);
    let mut blocks = blocks(merged.as_deref().unwrap_or(joined));
    take_footer(&mut blocks, &mut article);
    let footer_year = article.year.and_then(|y| u16::try_from(y).ok());
    // `Updated …` lines near the top are page furniture, not prose; the
    // first one dated dates the article when the footer does not.
    let mut updated = None;
    for block in blocks.iter_mut().take(4) {
        block.retain(|line| {
            let furniture = is_updated_line(line);
            if furniture && updated.is_none() {
                updated = dates::find(line, footer_year);
            }
            !furniture
        });
    }
    blocks.retain(|b| !(b.is_empty() || b.len() == 1 && is_rule(b[0])));
    take_head(&mut blocks, &mut article);
    take_byline(&mut blocks, &mut article);
    if article.caption.is_none() {
        take_standalone_caption(&mut blocks, &mut article);
    }
    article.paragraphs = blocks.iter().map(|b| paragraph_text(b)).collect();
    article.paragraphs.retain(|p| !p.is_empty());
    let dateline = article.paragraphs.first().and_then(|p| dateline(p));
    if article.publisher.is_none() {
        article.publisher = dateline.and_then(dateline_agency);
    }
    if article.date.is_none() {
        article.date = updated.or_else(|| dateline.and_then(|d| dates::find(d, footer_year)));
    }
    // A full date says the year (a copyright year may be another).
    if let Some(date) = article.date {
        article.year = Some(u64::from(date.year));
    }
    article
}

/// More blocks (paragraphs) than this in one file are merged, a few into
/// one, before parsing: a file of millions of one-line paragraphs would
/// otherwise take gigabytes. (A long article has a few hundred.)
const MAX_BLOCKS: usize = 4000;
/// The blocks at the start and end of a file, which hold its headline,
/// caption, byline and footer, are never merged.
const KEPT_BLOCKS: usize = 8;

/// The text with its paragraphs merged in groups (the blank lines between
/// them made line breaks) when it has more than [`MAX_BLOCKS`] of them;
/// `None` when it has fewer. `text` is normalised: one blank line between
/// blocks.
fn merge_tiny_blocks(text: &str) -> Option<String> {
    let breaks = text.matches("\n\n").count();
    if breaks <= MAX_BLOCKS {
        return None;
    }
    let group = breaks.div_ceil(MAX_BLOCKS - 2 * KEPT_BLOCKS);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut n = 0;
    while let Some(at) = rest.find("\n\n") {
        out.push_str(&rest[..at]);
        let kept = n < KEPT_BLOCKS || n + KEPT_BLOCKS >= breaks || n % group == 0;
        out.push_str(if kept { "\n\n" } else { "\n" });
        rest = &rest[at + 2..];
        n += 1;
    }
    out.push_str(rest);
    Some(out)
}

/// More lines than this in one file are joined (within their paragraphs)
/// before parsing, but for the first and last few.
const MAX_LINES: usize = 50_000;

/// The text with the lines of each paragraph joined into one (line breaks
/// made spaces, blank lines kept) when it has more than [`MAX_LINES`] lines;
/// `None` when it has fewer. The first and last lines, which may be a
/// headline, byline or footer, are kept.
fn join_lines_of_huge_files(text: &str) -> Option<String> {
    let lines = text.matches('\n').count();
    if lines <= MAX_LINES {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (n, at) in text.match_indices('\n').map(|(at, _)| at).enumerate() {
        let blank_around = bytes.get(at + 1) == Some(&b'\n') || at > 0 && bytes[at - 1] == b'\n';
        let kept = blank_around || n < KEPT_BLOCKS || n + KEPT_BLOCKS >= lines;
        out.push_str(&text[from..at]);
        out.push(if kept { '\n' } else { ' ' });
        from = at + 1;
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// Groups the lines into blocks separated by blank lines.
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Joins the lines of a block into one paragraph, without Markdown heading marks.
fn paragraph_text(block: &[&str]) -> String {
    let joined = block.join(" ");
    joined.trim_start_matches('#').trim().to_string()
}

/// Removes the footer line (`© 2025 Publisher…` or `Source: …`) and records
/// what it says.
fn take_footer(blocks: &mut Vec<Vec<&str>>, article: &mut Article) {
    let Some(last_block) = blocks.last_mut() else {
        return;
    };
    let Some(last) = last_block.last() else {
        return;
    };
    let Some(footer) = parse_footer(last) else {
        return;
    };
    last_block.pop();
    if last_block.is_empty() {
        blocks.pop();
    }
    article.publisher = footer.publisher;
    article.date = footer.date;
    article.year = footer.year;
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Footer {
    publisher: Option<String>,
    date: Option<Date>,
    year: Option<u64>,
}

fn parse_footer(line: &str) -> Option<Footer> {
    if let Some(rest) = line.strip_prefix("Source:") {
        return Some(parse_source_line(rest));
    }
    let rest = ["©", "(c)", "(C)", "Copyright ©", "Copyright"]
        .iter()
        .find_map(|p| line.strip_prefix(p))?;
    let rest = rest.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let (year, rest) = if digits.len() == 4 {
        (digits.parse().ok(), &rest[4..])
    } else {
        (None, rest)
    };
    // The publisher runs to the first sentence end (`Latin Times. All rights…`).
    let publisher = rest
        .split(". ")
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('.')
        .trim();
    Some(Footer {
        publisher: (!publisher.is_empty()).then(|| publisher.to_string()),
        date: None,
        year,
    })
}

/// `Source: Publisher, 2006-11-13, licence` (date and licence optional).
fn parse_source_line(rest: &str) -> Footer {
    let mut parts = rest.split(',').map(str::trim);
    let publisher = parts.next().filter(|p| !p.is_empty()).map(str::to_string);
    let mut footer = Footer {
        publisher,
        ..Footer::default()
    };
    for part in parts {
        if let Some(date) = Date::parse_iso(part) {
            footer.year = Some(u64::from(date.year));
            footer.date = Some(date);
            break;
        }
        if part.len() == 4 && part.chars().all(|c| c.is_ascii_digit()) {
            footer.year = part.parse().ok();
            break;
        }
    }
    footer
}

fn is_updated_line(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.starts_with("updated ")
        || lower.starts_with("updated:")
        || lower.starts_with("published ")
        || lower.starts_with("published:")
        || lower.starts_with("last updated"))
        && line.split_whitespace().count() <= 12
        && line.chars().any(|c| c.is_ascii_digit())
}

fn is_rule(line: &str) -> bool {
    line.len() >= 3 && line.chars().all(|c| matches!(c, '-' | '*' | '_' | '='))
}

/// Takes the headline (or the tag line and caption of layout A) from the
/// first blocks.
fn take_head(blocks: &mut Vec<Vec<&str>>, article: &mut Article) {
    if blocks.is_empty() {
        return;
    }
    let first = blocks[0][0];
    if let Some(heading) = first.strip_prefix('#') {
        article.title = heading.trim_start_matches('#').trim().to_string();
        blocks[0].remove(0);
    } else if blocks[0].len() >= 2
        && is_tag_line(first)
        && (first.contains(',') || is_caption(blocks[0][1]))
    {
        // Layout A: tag line, then the caption, with no blank line between.
        set_tags(article, first);
        article.caption = Some(blocks[0][1].to_string());
        blocks[0].drain(..2);
    } else if blocks[0].len() == 1
        && first.contains(',')
        && is_tag_line(first)
        && blocks
            .get(1)
            .is_some_and(|b| b.len() == 1 && is_caption(b[0]))
    {
        // Layout A with a blank line between the tag line and the caption.
        set_tags(article, first);
        article.caption = Some(blocks[1][0].to_string());
        blocks.drain(..2);
    } else if stands_alone(&blocks[0]) {
        article.title = first.to_string();
        blocks[0].remove(0);
        // A headline directly above a photo caption.
        if blocks[0].first().is_some_and(|line| is_caption(line)) {
            article.caption = Some(blocks[0].remove(0).to_string());
        }
    }
    // Otherwise the first line runs on into the next one: it is body text
    // (a hard-wrapped paragraph), and the article has no headline.
    if blocks.first().is_some_and(Vec::is_empty) {
        blocks.remove(0);
    }
}

/// Whether the first line of a block is a headline: alone in its block, or
/// followed directly by a photo caption or a byline.
fn stands_alone(block: &[&str]) -> bool {
    block
        .get(1)
        .is_none_or(|next| is_caption(next) || is_byline(next))
}

fn set_tags(article: &mut Article, line: &str) {
    article.title = line.to_string();
    article.tags = line
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
}

/// A short comma-separated list of names, not a sentence.
fn is_tag_line(line: &str) -> bool {
    let ends_like_sentence = line.ends_with(['.', '!', '?', ':', '"', '”']);
    line.chars().count() <= 200
        && !ends_like_sentence
        && line.split(',').all(|item| {
            let words = item.split_whitespace().count();
            (1..=6).contains(&words)
                && item
                    .trim()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_numeric())
        })
}

/// Photo credit words that end a caption.
const CREDITS: [&str; 12] = [
    "getty images",
    "ap photo",
    "reuters",
    "afp",
    "epa",
    "shutterstock",
    "bloomberg",
    "alamy",
    "pool",
    "photo",
    "ap",
    "efe",
];

/// A photo caption: ends with a credit such as `NAME/NAME/Getty Images`.
pub fn is_caption(line: &str) -> bool {
    let trimmed = line.trim_end_matches(['.', ')', ' ']);
    // The credit is what follows the last sentence of the caption.
    let credit = trimmed
        .rfind(". ")
        .map_or(trimmed, |i| &trimmed[i + 2..])
        .trim();
    let lower = credit.to_lowercase();
    let slash_credit = credit.contains('/')
        && credit.split_whitespace().count() <= 12
        && credit
            .split('/')
            .all(|p| p.trim().chars().next().is_some_and(char::is_uppercase));
    let named_credit = CREDITS.iter().any(|c| {
        lower.ends_with(c)
            && lower[..lower.len() - c.len()]
                .chars()
                .last()
                .is_none_or(|b| !b.is_alphanumeric())
    }) && credit.split_whitespace().count() <= 6;
    let labelled = ["photo:", "photo by", "credit:", "image:"]
        .iter()
        .any(|l| lower.contains(l));
    line.split_whitespace().count() >= 3 && (slash_credit || named_credit || labelled)
}

/// A byline opening the body: `By Jane Doe` (or `By Jane Doe and John Roe`).
fn take_byline(blocks: &mut Vec<Vec<&str>>, article: &mut Article) {
    let Some(first) = blocks.first_mut() else {
        return;
    };
    let line = first[0];
    if is_byline(line) {
        article.byline = Some(line[3..].trim().to_string());
        first.remove(0);
        if first.is_empty() {
            blocks.remove(0);
        }
    }
}

/// `By Jane Doe` (or `By Jane Doe and John Roe`): a short name, no sentence.
fn is_byline(line: &str) -> bool {
    line.strip_prefix("By ").is_some_and(|rest| {
        let words = rest.split_whitespace().count();
        (1..=10).contains(&words)
            && rest.chars().next().is_some_and(char::is_uppercase)
            && !rest.ends_with('.')
    })
}

/// A caption standing alone as one of the first two blocks.
fn take_standalone_caption(blocks: &mut Vec<Vec<&str>>, article: &mut Article) {
    let found = blocks
        .iter()
        .take(2)
        .position(|b| b.len() == 1 && is_caption(b[0]) && b[0].split_whitespace().count() <= 80);
    if let Some(i) = found {
        article.caption = Some(blocks.remove(i)[0].to_string());
    }
}

/// The dateline opening a first paragraph, without its dash: `MEXICO CITY
/// (AP)`, `WASHINGTON, March 3, 2025 (Reuters)`, `SALVADOR, Feb 26`. A
/// place in capitals, then what follows it up to a dash.
fn dateline(paragraph: &str) -> Option<&str> {
    let head_end = paragraph
        .char_indices()
        .nth(80)
        .map_or(paragraph.len(), |(i, _)| i);
    let head = &paragraph[..head_end];
    let dash = head.find(['—', '–']).or_else(|| head.find(" - "))?;
    let line = head[..dash].trim();
    let place = line.split([',', '(']).next().unwrap_or("").trim();
    let is_place = place.chars().any(char::is_alphabetic)
        && place
            .chars()
            .all(|c| c.is_uppercase() || c.is_whitespace() || c == '.' || c == '-');
    is_place.then_some(line)
}

/// The agency of a dateline such as `MEXICO CITY (AP)`.
fn dateline_agency(dateline: &str) -> Option<String> {
    let open = dateline.find('(')?;
    let close = dateline.rfind(')')?;
    let agency = dateline.get(open + 1..close)?.trim();
    (!agency.is_empty() && agency.len() <= 20).then(|| agency.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT_A: &str = "Jane Roe, Carlos Mendez\n\
The minister spoke to reporters at the port on Tuesday. JOHN DOE/Wire Pictures/Getty Images\n\
\n\
The first paragraph of the story says something about the port.\n\
\n\
A second paragraph follows with 9,000 tonnes of cargo.\n\
\n\
© 2024 Harbour Gazette. All rights reserved. Do not reproduce.\n";

    const LAYOUT_B: &str = "Port strike ends after ten days\n\
\n\
Dock workers returned on Monday.\n\
\n\
The union said talks would continue.\n\
\n\
Source: Wire Service, 2006-11-13, CC BY 2.5\n";

    #[test]
    fn layout_a_tags_caption_footer() {
        let a = parse("a.txt", LAYOUT_A);
        assert_eq!(a.title, "Jane Roe, Carlos Mendez");
        assert_eq!(a.tags, ["Jane Roe", "Carlos Mendez"]);
        assert!(a.caption.as_deref().unwrap().ends_with("Getty Images"));
        assert_eq!(a.paragraphs.len(), 2);
        assert!(a.paragraphs[1].contains("9,000"));
        assert_eq!(a.publisher.as_deref(), Some("Harbour Gazette"));
        assert_eq!(a.year, Some(2024));
        assert_eq!(a.date, None);
        assert!(!a.paragraphs.iter().any(|p| p.contains("reserved")));
    }

    #[test]
    fn layout_b_headline_source_line() {
        let a = parse("b.txt", LAYOUT_B);
        assert_eq!(a.title, "Port strike ends after ten days");
        assert!(a.tags.is_empty());
        assert_eq!(a.caption, None);
        assert_eq!(
            a.paragraphs,
            [
                "Dock workers returned on Monday.",
                "The union said talks would continue."
            ]
        );
        assert_eq!(a.publisher.as_deref(), Some("Wire Service"));
        assert_eq!(a.date.map(|d| d.to_string()).as_deref(), Some("2006-11-13"));
        assert_eq!(a.year, Some(2006));
    }

    #[test]
    fn markdown_headline_byline_updated_and_dateline() {
        let text = "# Border talks resume\n\nBy Ana Ruiz and Tom Lee\nUpdated March 3, 2025\n\n\
MEXICO CITY (AP) — Officials met again on Monday.\n\nMore talks are planned.\n";
        let a = parse("c.md", text);
        assert_eq!(a.title, "Border talks resume");
        assert_eq!(a.byline.as_deref(), Some("Ana Ruiz and Tom Lee"));
        assert_eq!(a.paragraphs.len(), 2);
        assert!(a.paragraphs[0].starts_with("MEXICO CITY (AP) —"));
        assert_eq!(a.publisher.as_deref(), Some("AP"));
        assert_eq!(a.date.map(|d| d.to_string()).as_deref(), Some("2025-03-03"));
        assert_eq!(a.year, Some(2025));
    }

    #[test]
    fn dates_from_datelines_updated_lines_and_footers() {
        let date = |text: &str| {
            let a = parse("d.txt", text);
            (a.date.map(|d| d.to_string()), a.year)
        };
        // A dateline with its year; the agency is the publisher.
        let text = "Storm hits coast\n\nWASHINGTON, March 3, 2025 (Reuters) - Winds rose.\n";
        assert_eq!(date(text), (Some("2025-03-03".into()), Some(2025)));
        assert_eq!(parse("d.txt", text).publisher.as_deref(), Some("Reuters"));
        // A dateline without one takes the footer's year.
        let text =
            "Cocoa review\n\nSALVADOR, Feb 26 - Showers continued.\n\n© 1987 Harbour Gazette.\n";
        assert_eq!(date(text), (Some("1987-02-26".into()), Some(1987)));
        // The source line's date comes first; then an Updated line.
        let text = "Quay\n\nUpdated Jan 5, 2025\n\nLIMA, Feb 2 - Work began.\n\nSource: Wire, 2024-12-30\n";
        assert_eq!(date(text), (Some("2024-12-30".into()), Some(2024)));
        let text = "Quay\n\nUpdated Jan 5, 2025\n\nLIMA, Feb 2 - Work began.\n";
        assert_eq!(date(text), (Some("2025-01-05".into()), Some(2025)));
        // A copyright year is a year only; dates in the prose are not the article's.
        let text = "Quay\n\nThe quay opened on March 3, 2019 after years of work.\n\n© 2025 Harbour Gazette.\n";
        assert_eq!(date(text), (None, Some(2025)));
        // A place in capitals is needed for a dateline.
        let text = "Quay\n\nOn Feb 2 - the day work began - rain fell.\n\n© 2025 Gazette.\n";
        assert_eq!(date(text), (None, Some(2025)));
    }

    #[test]
    fn windows_endings_bom_and_many_blank_lines() {
        let unix = parse("b.txt", LAYOUT_B);
        let windows_text = format!("\u{feff}{}", LAYOUT_B.replace('\n', "  \r\n\r\n"));
        let windows = parse("b.txt", &windows_text);
        assert_eq!(windows.title, unix.title);
        assert_eq!(windows.paragraphs, unix.paragraphs);
        assert_eq!(windows.id, unix.id);
    }

    #[test]
    fn headline_above_a_caption() {
        let text = "Navy raids a lab in the hills\n\
Marines carry barrels out of a camp. JANE DOE/Test Wire/AP Photo\n\
\n\
The raid began at dawn.\n";
        let a = parse("h.txt", text);
        assert_eq!(a.title, "Navy raids a lab in the hills");
        assert!(a.tags.is_empty());
        assert!(a.caption.as_deref().unwrap().ends_with("AP Photo"));
        assert_eq!(a.paragraphs, ["The raid began at dawn."]);
    }

    #[test]
    fn plain_text_and_one_line_files() {
        let a = parse("p.txt", "Just a note\n\nwith a second line\nand more text");
        assert_eq!(a.title, "Just a note");
        assert_eq!(a.paragraphs, ["with a second line and more text"]);
        let one = parse("o.txt", "Only a headline");
        assert_eq!(one.title, "Only a headline");
        assert!(one.paragraphs.is_empty());
    }

    #[test]
    fn a_first_line_that_runs_on_is_body_text() {
        let text = "Rainfall in the northern valleys was the lowest\n\
in forty years, the water board said on Friday.\n\
\n\
Reservoirs stand at a third of capacity.\n";
        let a = parse("w.txt", text);
        assert_eq!(a.title, "");
        assert_eq!(
            a.paragraphs,
            [
                "Rainfall in the northern valleys was the lowest in forty years, the water board said on Friday.",
                "Reservoirs stand at a third of capacity."
            ]
        );
        let bylined = parse(
            "b.txt",
            "Dry spell deepens\nBy Ana Ruiz\n\nThe board met.\n",
        );
        assert_eq!(bylined.title, "Dry spell deepens");
        assert_eq!(bylined.byline.as_deref(), Some("Ana Ruiz"));
        assert_eq!(bylined.paragraphs, ["The board met."]);
    }

    #[test]
    fn hard_wrapped_paragraphs_are_joined() {
        let a = parse("w.txt", "Title\n\nThe first line\nwraps onto a second.\n");
        assert_eq!(a.paragraphs, ["The first line wraps onto a second."]);
    }

    #[test]
    fn captions_are_recognised_by_their_credits() {
        assert!(is_caption(
            "Troops patrol the border. RODRIGO SOTO/Jane Bell/Getty Images"
        ));
        assert!(is_caption(
            "A man waves a flag in the square. AP Photo/Eduardo Verdugo"
        ));
        assert!(is_caption(
            "Rescue teams search the rubble. REUTERS/Jose Luis Gonzalez"
        ));
        assert!(!is_caption(
            "The agency said the figures were confirmed by Reuters."
        ));
        assert!(!is_caption("Prices rose 3/4 of a point on the day."));
    }

    #[test]
    fn millions_of_tiny_paragraphs_are_merged_keeping_head_and_footer() {
        let text = format!(
            "Tiny words\n\n{}\n\nSource: Test Wire, 2006-11-13, test\n",
            "ab\n\n".repeat(100_000).trim_end()
        );
        let a = parse("t.txt", &text);
        assert_eq!(a.title, "Tiny words");
        assert_eq!(a.publisher.as_deref(), Some("Test Wire"));
        assert!(a.paragraphs.len() <= MAX_BLOCKS, "{}", a.paragraphs.len());
        let words: usize = a
            .paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum();
        assert_eq!(words, 100_000, "no word is lost");
        assert_eq!(a.id, parse("u.txt", &text).id);
    }

    #[test]
    fn millions_of_lines_in_one_paragraph_are_one_paragraph() {
        let text = format!(
            "Many lines\n\n{}\nSource: Test Wire, 2006-11-13, test\n",
            "ab cd\n".repeat(60_000).trim_end()
        );
        let a = parse("l.txt", &text);
        assert_eq!(a.title, "Many lines");
        assert_eq!(a.publisher.as_deref(), Some("Test Wire"));
        assert_eq!(a.paragraphs.len(), 1);
        assert_eq!(a.paragraphs[0].split_whitespace().count(), 120_000);
    }

    #[test]
    fn ids_depend_on_content_only() {
        assert_eq!(parse("x.txt", LAYOUT_B).id, parse("y/z.txt", LAYOUT_B).id);
        assert_ne!(parse("x.txt", LAYOUT_A).id, parse("x.txt", LAYOUT_B).id);
    }
}
