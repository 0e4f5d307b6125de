//! Output: the JSON document for programs, and wrapped, highlighted text for
//! people on a terminal.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::index::schema::Header;
use crate::index::sync::Status;
use crate::ingest::files;
use crate::ingest::passage::PassageKind;
use crate::search::count::{Counts, Facet};
use crate::search::read::FullArticle;
use crate::search::{Hit, PassageInfo, Results, Sort};

/// Terminal width the text output is laid out for.
pub const WIDTH: usize = 80;
const INDENT: &str = "   ";
/// What marks the lines of a context passage.
const CONTEXT_BAR: &str = "┆ ";

const HIGHLIGHT: &str = "\x1b[1;31m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Text as it may be shown on a terminal: control characters (escape
/// sequences could retitle the window or clear the screen; a newline in a
/// file name would split a line in two) and the characters that reorder
/// text on screen are shown as `\x1b`, `\u{202e}`. JSON output is never
/// escaped this way.
pub fn terminal(s: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `1 article`, `2 articles`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Writes one JSON document (search results or status; see the README for
/// the contracts), ending with a newline.
pub fn json<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Writes `newsdex status` for people, like `git status` for the corpus.
pub fn status(s: &Status, out: &mut dyn Write) -> io::Result<()> {
    let updated = s.updated_at.as_deref().unwrap_or("never");
    writeln!(
        out,
        "index {}: {} articles, {} passages, last updated {updated}",
        s.index, s.articles, s.passages
    )?;
    if s.in_sync {
        writeln!(out, "seeds {}: in sync with the index", s.seeds)?;
    } else {
        writeln!(
            out,
            "seeds {}: {} new, {} changed, {} deleted (run `newsdex index` to update the index)",
            s.seeds,
            s.new.len(),
            s.changed.len(),
            s.deleted.len()
        )?;
    }
    for (label, paths) in [
        ("new", &s.new),
        ("changed", &s.changed),
        ("deleted", &s.deleted),
    ] {
        for p in paths {
            writeln!(out, "  {label:<9} {}", terminal(p))?;
        }
    }
    for d in &s.duplicates {
        writeln!(
            out,
            "  duplicate {} (same content as {}, indexed once)",
            terminal(&d.path),
            terminal(&d.of)
        )?;
    }
    for skip in &s.skipped {
        writeln!(out, "  {}", terminal(&skip.to_string()))?;
    }
    for i in &s.ignored {
        let why = if i.is_readme_or_licence() {
            "a README or licence file, not an article".to_string()
        } else {
            format!("`{}` in {}", i.by, files::IGNORE_FILE)
        };
        writeln!(
            out,
            "  ignored   {} ({})",
            terminal(&i.path),
            terminal(&why)
        )?;
    }
    for w in &s.warnings {
        writeln!(out, "  warning: {}", terminal(w))?;
    }
    Ok(())
}

/// Writes the results for people: a summary of what was searched, then for
/// each hit its rank and headline, a line of metadata and the passage
/// wrapped to 80 columns, highlights in colour if `color`. Nothing when
/// nothing was found.
pub fn text(results: &Results, color: bool, out: &mut dyn Write) -> io::Result<()> {
    if results.hits.is_empty() {
        return Ok(());
    }
    for line in summary(results) {
        writeln!(out, "{}", paint(color, DIM, &terminal(&line)))?;
    }
    for hit in &results.hits {
        writeln!(out)?;
        write_hit(hit, color, out)?;
    }
    Ok(())
}

/// What was searched, as newsdex understood it, and how much matched:
/// `phrase "interest rates": 12 passages` (or `words interest, rates: …`),
/// then the words left out and the words added, wrapped to the width.
fn summary(results: &Results) -> Vec<String> {
    let (first, last) = (results.offset + 1, results.offset + results.hits.len());
    let shown = if first == last {
        format!("shown {first}")
    } else {
        format!("shown {first}–{last}")
    };
    let order = match results.sort {
        Sort::Relevance => "",
        Sort::Newest => ", newest first",
        Sort::Oldest => ", oldest first",
    };
    let mut items = vec![format!(
        "{}: {shown} of {} in {}{order}",
        results.understood,
        plural(results.total_hits, "passage"),
        plural(results.total_articles, "article")
    )];
    if !results.ignored.is_empty() {
        items.push(format!("left out: {}", results.ignored.join(", ")));
    }
    if !results.expanded.is_empty() {
        items.push(format!(
            "also searched, not highlighted: {}",
            results.expanded.join(", ")
        ));
    }
    items
        .iter()
        .flat_map(|item| {
            wrap(item, WIDTH)
                .into_iter()
                .map(|(s, e)| item[s..e].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("{code}{s}{RESET}")
    } else {
        s.to_string()
    }
}

fn write_hit(hit: &Hit, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let a = &hit.article.header;
    let head = format!("{}. {}", hit.rank, title_of(a));
    let head_lines = wrap(&head, WIDTH);
    for (n, (s, e)) in head_lines.into_iter().enumerate() {
        let indent = if n == 0 { "" } else { INDENT };
        writeln!(
            out,
            "{indent}{}",
            paint(color, BOLD, &terminal(&head[s..e]))
        )?;
    }
    let mut meta = metadata(a);
    match hit.also_in.len() {
        0 => {}
        1 => meta.push("+1 copy".to_string()),
        n => meta.push(format!("+{n} copies")),
    }
    meta.push(format!("passage {}", hit.passage.ordinal));
    meta.push(format!("score {:.2}", hit.score));
    for line in join_wrapped(&meta, " · ", WIDTH - INDENT.len()) {
        writeln!(out, "{INDENT}{}", paint(color, DIM, &terminal(&line)))?;
    }
    for p in &hit.context_before {
        write_context(p, color, out)?;
    }
    let text = &hit.passage.text;
    for (s, e) in wrap(text, WIDTH - INDENT.len()) {
        writeln!(
            out,
            "{INDENT}{}",
            marked(text, s, e, &hit.passage.highlights, color)
        )?;
    }
    for p in &hit.context_after {
        write_context(p, color, out)?;
    }
    Ok(())
}

/// A passage shown around a hit: each line behind a `┆` bar, the passage's
/// number first, dimmed when in colour (its highlights still marked).
fn write_context(p: &PassageInfo, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let number = format!("({}) ", p.ordinal);
    let bar = paint(color, DIM, CONTEXT_BAR);
    let lines = wrap(
        &p.text,
        WIDTH - INDENT.len() - CONTEXT_BAR.width() - number.len(),
    );
    for (n, (s, e)) in lines.into_iter().enumerate() {
        let label = if n == 0 {
            paint(color, DIM, &number)
        } else {
            " ".repeat(number.len())
        };
        let text = marked(&p.text, s, e, &p.highlights, color);
        writeln!(out, "{INDENT}{bar}{label}{text}")?;
    }
    Ok(())
}

/// Writes a whole article for people: the headline, a line of metadata,
/// the tags, then every passage with its number, wrapped to 80 columns,
/// highlights in colour if `color`.
pub fn article(full: &FullArticle, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let a = &full.article.header;
    for (s, e) in wrap(title_of(a), WIDTH) {
        writeln!(out, "{}", paint(color, BOLD, &terminal(&title_of(a)[s..e])))?;
    }
    let mut meta = metadata(a);
    meta.push(format!("id {}", a.id));
    for line in join_wrapped(&meta, " · ", WIDTH) {
        writeln!(out, "{}", paint(color, DIM, &terminal(&line)))?;
    }
    if !a.tags.is_empty() {
        let tags = format!("tags: {}", a.tags.join(", "));
        for (s, e) in wrap(&tags, WIDTH) {
            writeln!(out, "{}", paint(color, DIM, &terminal(&tags[s..e])))?;
        }
    }
    // Passage numbers in a column of their own, the text beside them.
    let digits = full
        .passages
        .last()
        .map_or(1, |p| p.ordinal.to_string().len());
    let pad = " ".repeat(digits + 2);
    for p in &full.passages {
        writeln!(out)?;
        let caption = if p.kind == PassageKind::Caption {
            paint(color, DIM, "(caption) ")
        } else {
            String::new()
        };
        for (n, (s, e)) in wrap(&p.text, WIDTH - pad.len()).into_iter().enumerate() {
            let text = marked(&p.text, s, e, &p.highlights, color);
            if n == 0 {
                let number = format!("{:>digits$}", p.ordinal);
                writeln!(out, "{}  {caption}{text}", paint(color, DIM, &number))?;
            } else {
                writeln!(out, "{pad}{text}")?;
            }
        }
    }
    Ok(())
}

/// The headline as shown (`(untitled)` when there is none).
fn title_of(a: &Header) -> &str {
    if a.title.is_empty() {
        "(untitled)"
    } else {
        &a.title
    }
}

/// Publisher, date (or year) and path, those the article has.
fn metadata(a: &Header) -> Vec<String> {
    let mut meta = Vec::new();
    if let Some(p) = &a.publisher {
        meta.push(p.clone());
    }
    match (&a.date, a.year) {
        (Some(d), _) => meta.push(d.clone()),
        (None, Some(y)) => meta.push(y.to_string()),
        _ => {}
    }
    meta.push(a.path.clone());
    meta
}

/// Most publishers a text chart shows (JSON lists them all).
const MOST_PUBLISHERS: usize = 40;
/// Widest label of a chart (longer publishers are cut with `…`).
const LABEL_WIDTH: usize = 28;

/// Writes counts for people: a summary line, then a horizontal bar chart
/// (one line per bucket, label, count and a bar of Unicode blocks, within
/// 80 columns).
pub fn counts(c: &Counts, out: &mut dyn Write) -> io::Result<()> {
    let by = match c.by {
        Facet::Year => "year",
        Facet::Month => "month",
        Facet::Publisher => "publisher",
    };
    let what = c.understood.as_deref().unwrap_or("every article");
    writeln!(
        out,
        "{}",
        terminal(&format!(
            "{what}, by {by}: {}",
            plural(c.total_articles, "article")
        ))
    )?;
    let missing = match c.by {
        Facet::Year => "(no date)",
        Facet::Month => "(no month)",
        Facet::Publisher => "(no publisher)",
    };
    let shown = if c.by == Facet::Publisher && c.buckets.len() > MOST_PUBLISHERS {
        &c.buckets[..MOST_PUBLISHERS]
    } else {
        &c.buckets[..]
    };
    let labels: Vec<String> = shown
        .iter()
        .map(|b| cut(&terminal(b.key.as_deref().unwrap_or(missing)), LABEL_WIDTH))
        .collect();
    let label_width = labels.iter().map(|l| l.width()).max().unwrap_or(0);
    let most = shown.iter().map(|b| b.articles).max().unwrap_or(0);
    let count_width = most.to_string().len();
    let bar_width = WIDTH.saturating_sub(label_width + count_width + 2).max(1);
    for (b, label) in shown.iter().zip(&labels) {
        let pad = " ".repeat(label_width - label.width());
        let bar = bar(b.articles, most, bar_width);
        let line = format!("{label}{pad} {:>count_width$} {bar}", b.articles);
        writeln!(out, "{}", line.trim_end())?;
    }
    if shown.len() < c.buckets.len() {
        let more = (c.buckets.len() - shown.len()) as u64;
        writeln!(
            out,
            "and {} more (--json lists them all)",
            plural(more, "publisher")
        )?;
    }
    Ok(())
}

/// A bar of `n` on a scale where `most` fills `width` columns, in eighths
/// of a column; any `n` above 0 shows at least a sliver.
fn bar(n: u64, most: u64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    if n == 0 || most == 0 {
        return String::new();
    }
    let eighths =
        ((n as u128 * width as u128 * 8 + most as u128 / 2) / most as u128).max(1) as usize;
    format!("{}{}", "█".repeat(eighths / 8), PARTS[eighths % 8])
}

/// `s` cut to `width` columns, with `…` when it was longer.
fn cut(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + c.to_string().width() + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Joins items with `sep` into lines of at most `width` columns, breaking
/// only between items.
fn join_wrapped(items: &[String], sep: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        match lines.last_mut() {
            Some(line) if line.width() + sep.width() + item.width() <= width => {
                line.push_str(sep);
                line.push_str(item);
            }
            _ => lines.push(item.clone()),
        }
    }
    lines
}

/// The slice `text[start..end]` with the highlights that fall in it painted.
fn marked(text: &str, start: usize, end: usize, spans: &[(usize, usize)], color: bool) -> String {
    if !color {
        return terminal(&text[start..end]).into_owned();
    }
    let mut out = String::new();
    let mut at = start;
    for &(s, e) in spans {
        let (s, e) = (s.max(start), e.min(end));
        if s >= e {
            continue;
        }
        out.push_str(&terminal(&text[at..s]));
        out.push_str(HIGHLIGHT);
        out.push_str(&terminal(&text[s..e]));
        out.push_str(RESET);
        at = e;
    }
    out.push_str(&terminal(&text[at..end]));
    out
}

/// Greedy word wrap: byte ranges of `text`, one per line, each at most
/// `width` columns unless a single word is wider.
pub fn wrap(text: &str, width: usize) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut line: Option<(usize, usize)> = None;
    let mut line_width = 0;
    for word in text.split_whitespace() {
        let start = word.as_ptr() as usize - text.as_ptr() as usize;
        let end = start + word.len();
        let w = word.width();
        match line {
            Some((s, _)) if line_width + 1 + w <= width => {
                line = Some((s, end));
                line_width += 1 + w;
            }
            Some(done) => {
                lines.push(done);
                line = Some((start, end));
                line_width = w;
            }
            None => {
                line = Some((start, end));
                line_width = w;
            }
        }
    }
    lines.extend(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_in_eighths_of_a_column() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 10, 4), "▍", "3.2 eighths");
        assert_eq!(bar(1, 1000, 4), "▏", "a sliver, not nothing");
        assert_eq!(bar(0, 10, 4), "");
        assert_eq!(cut("Harbour Gazette", 8), "Harbour…");
        assert_eq!(cut("Harbour", 8), "Harbour");
    }

    #[test]
    fn wrap_fits_the_width() {
        let text = "one two three four five six seven eight nine ten";
        let lines: Vec<&str> = wrap(text, 14)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            lines,
            ["one two three", "four five six", "seven eight", "nine ten"]
        );
        assert_eq!(wrap("", 10), Vec::<(usize, usize)>::new());
    }

    #[test]
    fn metadata_breaks_between_items() {
        let items: Vec<String> = ["Valley Wire", "2022-08-29", "a/long/path.txt", "passage 1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            join_wrapped(&items, " · ", 30),
            ["Valley Wire · 2022-08-29", "a/long/path.txt · passage 1"]
        );
    }

    #[test]
    fn control_characters_are_shown_not_sent_to_the_terminal() {
        assert_eq!(terminal("plain é text"), "plain é text");
        assert_eq!(
            terminal("T \x1b]0;PWNED\x07\x1b[2J a\nb \u{202e}gnp"),
            "T \\x1b]0;PWNED\\x07\\x1b[2J a\\nb \\u{202e}gnp"
        );
        let text = "a \x1b[2J drone";
        assert_eq!(
            marked(text, 0, text.len(), &[(7, 12)], true),
            format!("a \\x1b[2J {HIGHLIGHT}drone{RESET}")
        );
    }

    #[test]
    fn highlights_are_painted_and_clipped_to_the_line() {
        let text = "drone strikes now";
        let spans = [(0, 13)];
        assert_eq!(
            marked(text, 6, 17, &spans, true),
            format!("{HIGHLIGHT}strikes{RESET} now")
        );
        assert_eq!(marked(text, 6, 17, &spans, false), "strikes now");
    }
}
