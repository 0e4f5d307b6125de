//! The command line: arguments (clap) and what each command does with them.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::error::{Error, Exit};
use crate::index::add::{Input, Outcome};
use crate::index::build::{self, IndexOptions};
use crate::index::store;
use crate::search::count::Facet;
use crate::search::export::{Record, Unit};
use crate::search::{SearchOptions, Sort};
use crate::serve::{self, ServeOptions};
use crate::{messages, output, Index};

/// Search a folder of news articles: ranked passages with the matching words highlighted.
#[derive(Debug, Parser)]
#[command(name = "newsdex", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the index of every article (.txt, .md) under the seeds folder.
    Index {
        #[command(flatten)]
        paths: Paths,
        /// Rebuild from scratch, also when the index was made by another version.
        #[arg(long)]
        rebuild: bool,
        /// If another newsdex process is updating the index, wait for it instead of failing.
        #[arg(long)]
        wait: bool,
    },
    /// Add articles (files, folders, or - for standard input) to the seeds folder and the index.
    ///
    /// An article outside the seeds folder is copied to seeds/added/YYYY-MM-DD/ first.
    /// Exit status: 0 when everything was added or was already there, 2 when something was rejected.
    Add {
        #[command(flatten)]
        paths: Paths,
        /// If another newsdex process is updating the index, wait for it instead of failing.
        #[arg(long)]
        wait: bool,
        /// Article files (.txt, .md), folders of them, or - to read one article from standard input.
        #[arg(required = true, value_name = "PATH")]
        inputs: Vec<PathBuf>,
    },
    /// Show what the index holds and what in the seeds folder is not indexed yet.
    Status {
        #[command(flatten)]
        paths: Paths,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Search the index; prints the best passages, best first.
    ///
    /// Exit status: 0 when something was found, 1 when nothing was, 2 on error.
    #[command(after_help = QUERY_HELP)]
    Search(SearchArgs),
    /// Count the articles that match QUERY (every article without one) by year, month or publisher: a bar chart, or JSON.
    ///
    /// Exit status: 0 when some article matches, 1 when none does, 2 on error.
    Count(CountArgs),
    /// Print the articles that match QUERY (every article without one), or their passages, with every field: one JSON document a line, in path order, for Quickwit, OpenSearch and other engines (see the README's "Scaling out").
    ///
    /// Exit status: 0 when something was exported, 1 when nothing matched, 2 on error.
    Export(ExportArgs),
    /// Show a whole article (headline, metadata, every passage with its number), by the id or path a search hit shows; with a QUERY, its words highlighted.
    ///
    /// Exit status: 0 when the article was found, 1 when the index holds no such article, 2 on error.
    Show(ShowArgs),
    /// Serve a web page to search, filter and read the archive, and its JSON API (see the README's "Web page").
    ///
    /// Prints the address to open, then serves until Ctrl-C. An `add` or `index` run meanwhile is seen by the next search.
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// The address and port to listen on. Only this machine can reach 127.0.0.1; give 0.0.0.0:PORT to let other machines search the index.
        #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDRESS")]
        bind: std::net::SocketAddr,
        /// The longest a request may take, in seconds (then it gets an error response).
        #[arg(long, default_value_t = 10, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
    },
    /// Print the shell completion script for SHELL (e.g. `newsdex completions bash > ~/.local/share/bash-completion/completions/newsdex`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff (e.g. `newsdex man | man -l -`); `newsdex man search` for a command's page.
    Man {
        /// The command whose page to print (index, add, status, search, ...).
        command: Option<String>,
    },
}

/// The query language in brief, under `newsdex search --help`.
const QUERY_HELP: &str = "\
Query language (the README's \"Query language\" has it all):
  oil prices            articles with every word (price also finds prices)
  '\"oil prices\"'        the exact phrase (in a shell, quote the quotes)
  '\"oil prices\"~2'      the phrase with 2 words of slop
  oil OR gas            either word; ( ) group; AND is implied
  oil -gas              oil without gas (also: oil NOT gas)
  econ*                 words that start with econ
  title:oil             one field: title, tags, publisher, text
  year:1987             the year; year:>=2020, year:<2000, year:[2004 TO 2006]
  date:1987-10-19       the day; date:1987-10, date:>=2025-01-20,
                        date:[1987-10-01 TO 1987-10-31]";

#[derive(Debug, Args)]
pub struct Paths {
    /// Folder of article files [default: seeds]
    #[arg(long = "seeds", value_name = "DIR", env = "NEWSDEX_SEEDS")]
    pub seeds_arg: Option<PathBuf>,
    /// Folder of the index [default: index]
    #[arg(long = "index", value_name = "DIR", env = "NEWSDEX_INDEX")]
    pub index_arg: Option<PathBuf>,
}

impl Paths {
    pub fn seeds(&self) -> PathBuf {
        self.seeds_arg.clone().unwrap_or_else(|| "seeds".into())
    }

    pub fn index(&self) -> PathBuf {
        self.index_arg.clone().unwrap_or_else(|| "index".into())
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub paths: Paths,
    /// How many passages to show.
    #[arg(short = 'n', long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Pass over this many hits first: `--offset 10` shows the second page of 10.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: u64,
    /// At most this many passages from one article.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub per_article: u64,
    /// The order of the hits: by relevance, or by the article's date (equal dates by relevance; undated articles last).
    #[arg(long, value_enum, default_value_t = SortBy::Relevance, value_name = "ORDER")]
    pub sort: SortBy,
    /// Also show the N passages before and after each hit, in its article (marked as context).
    #[arg(short = 'C', long, default_value_t = 0, value_name = "N")]
    pub context: u64,
    /// Match articles with any of the words (ranked, more words first), not all of them.
    #[arg(long)]
    pub any: bool,
    /// With --any: do not add words from the best articles to the query.
    #[arg(long)]
    pub no_expand: bool,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// When to colour highlights in text output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// The query (its words are joined with spaces): see the query language below.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CountArgs {
    #[command(flatten)]
    pub paths: Paths,
    /// What to count the articles by.
    #[arg(long, value_enum, default_value_t = CountBy::Year)]
    pub by: CountBy,
    /// Match articles with any of the words, not all of them.
    #[arg(long)]
    pub any: bool,
    /// Print one JSON document instead of a chart.
    #[arg(long)]
    pub json: bool,
    /// The query, in the language of `search`; every article when there is none.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub paths: Paths,
    /// One record per passage (with its article's fields) instead of one per article.
    #[arg(long)]
    pub passages: bool,
    /// Match articles with any of the words, not all of them.
    #[arg(long)]
    pub any: bool,
    /// Precede each record with an OpenSearch/Elasticsearch bulk action line for the index NAME (`curl --data-binary @file …/_bulk`).
    #[arg(long, value_name = "NAME")]
    pub bulk: Option<String>,
    /// The query, in the language of `search`; every article when there is none.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CountBy {
    Year,
    Month,
    Publisher,
}

impl From<CountBy> for Facet {
    fn from(c: CountBy) -> Facet {
        match c {
            CountBy::Year => Facet::Year,
            CountBy::Month => Facet::Month,
            CountBy::Publisher => Facet::Publisher,
        }
    }
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub paths: Paths,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// When to colour highlights in text output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// The article's id, or its path relative to the seeds folder (both are shown with every hit).
    #[arg(value_name = "ID|PATH")]
    pub key: String,
    /// Words to highlight, in the query language of `search`.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    Relevance,
    Newest,
    Oldest,
}

impl From<SortBy> for Sort {
    fn from(s: SortBy) -> Sort {
        match s {
            SortBy::Relevance => Sort::Relevance,
            SortBy::Newest => Sort::Newest,
            SortBy::Oldest => Sort::Oldest,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// `auto` colours only a terminal, and not when `NO_COLOR` is set or
    /// `TERM` is `dumb`.
    fn enabled(self) -> bool {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        self.decide(io::stdout().is_terminal(), no_color, dumb)
    }

    /// The decision, from what `enabled` reads of the terminal and the
    /// environment.
    fn decide(self, terminal: bool, no_color: bool, dumb: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => terminal && !no_color && !dumb,
        }
    }
}

/// Options of `search` that take a value, and those that do not.
const SEARCH_VALUE_OPTIONS: [&str; 12] = [
    "--index",
    "--bulk",
    "--by",
    "--sort",
    "--seeds",
    "-n",
    "--limit",
    "--offset",
    "--per-article",
    "-C",
    "--context",
    "--color",
];
const SEARCH_FLAGS: [&str; 5] = ["--json", "--any", "--no-expand", "-h", "--help"];

/// The commands that take a query, whose arguments [`normalize_args`] rewrites.
const QUERY_COMMANDS: [&str; 4] = ["search", "show", "count", "export"];

/// Rewrites `newsdex search` (and `show`) arguments so that options may stand anywhere
/// and a query word may start with `-` (`mexico -trade`): known options
/// go first, then `--`, then the query words in their order.
pub fn normalize_args(args: Vec<OsString>) -> Vec<OsString> {
    let Some(at) = args
        .iter()
        .position(|a| QUERY_COMMANDS.iter().any(|c| a == c))
    else {
        return args;
    };
    if args[1..at]
        .iter()
        .any(|a| a.to_str().is_none_or(|s| !s.starts_with('-')))
    {
        return args;
    }
    let mut out: Vec<OsString> = args[..=at].to_vec();
    let mut words = Vec::new();
    let mut rest = args[at + 1..].iter();
    while let Some(arg) = rest.next() {
        let Some(s) = arg.to_str() else {
            words.push(arg.clone());
            continue;
        };
        let name = s.split_once('=').map_or(s, |(n, _)| n);
        if s == "--" {
            words.extend(rest.by_ref().cloned());
        } else if SEARCH_VALUE_OPTIONS.contains(&s) {
            out.push(arg.clone());
            out.extend(rest.next().cloned());
        } else if SEARCH_FLAGS.contains(&s)
            || (s.starts_with("--") && SEARCH_VALUE_OPTIONS.contains(&name))
            || (s.starts_with("--") && s.len() > 2)
            || is_short_option(s)
        {
            // Unknown options go to clap too, which names them in its error.
            out.push(arg.clone());
        } else {
            words.push(arg.clone());
        }
    }
    out.push("--".into());
    out.extend(words);
    out
}

/// A short option as grep users type them (`-i`, `-C`, `-n5`, `-n=5`), not
/// an excluded word: a dash, one letter, then nothing, digits or `=`.
fn is_short_option(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next() == Some('-') && chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && {
        let rest = chars.as_str();
        rest.is_empty() || rest.starts_with('=') || rest.chars().all(|c| c.is_ascii_digit())
    }
}

/// The environment variables that stand for `--index` and `--seeds`.
pub const ENV_VARS: [&str; 2] = ["NEWSDEX_INDEX", "NEWSDEX_SEEDS"];

/// Unsets those of [`ENV_VARS`] that are set but empty, so that
/// `NEWSDEX_INDEX=` means the default (as an empty `NO_COLOR` does) rather
/// than a missing value. Call before other threads start.
pub fn forget_empty_env() {
    for name in ENV_VARS {
        if std::env::var_os(name).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(name);
        }
    }
}

/// The one-line error for arguments clap refused (`unexpected argument
/// '-i' found`), or `None` for help and version, which clap prints itself.
pub fn usage_error(err: &clap::Error) -> Option<String> {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return None;
    }
    if err.kind() == ErrorKind::InvalidUtf8 {
        return Some("an argument is not valid UTF-8 text: give the query in UTF-8".to_string());
    }
    let text = err.render().to_string();
    let first = text
        .lines()
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .trim();
    Some(format!("{first} (see `newsdex --help`)"))
}

/// Runs a command: the exit code, or the error to report.
pub fn run(cli: Cli) -> Result<Exit, Error> {
    match cli.command {
        Command::Index {
            paths,
            rebuild,
            wait,
        } => {
            let opts = IndexOptions {
                rebuild,
                wait,
                ..IndexOptions::new(paths.seeds(), paths.index())
            };
            let (_, summary) = Index::build(&opts, &mut |w| messages::warn(w))?;
            messages::report(&summary.line(&opts));
            Ok(Exit::Found)
        }
        Command::Search(args) => search_command(args),
        Command::Show(args) => show_command(args),
        Command::Count(args) => count_command(args),
        Command::Export(args) => export_command(args),
        Command::Completions { shell } => {
            let mut out = io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "newsdex", &mut out);
            Ok(Exit::Found)
        }
        Command::Man { command } => man_page(command.as_deref()),
        Command::Serve {
            paths,
            bind,
            timeout,
        } => serve_command(&paths, bind, timeout),
        Command::Add {
            paths,
            wait,
            inputs,
        } => add_command(&paths, wait, &inputs),
        Command::Status { paths, json } => {
            let status = Index::open(paths.index(), paths.seeds())?.status()?;
            print(json, &status, output::status)?;
            Ok(Exit::Found)
        }
    }
}

/// Prints the manual page of newsdex, or of one of its commands.
fn man_page(command: Option<&str>) -> Result<Exit, Error> {
    let top = Cli::command();
    let page = match command {
        None => top,
        Some(name) => {
            let names: Vec<String> = top
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = top.find_subcommand(name) else {
                return Err(Error::Other(anyhow::anyhow!(
                    "no command `{name}`: the manual has pages for {}",
                    names.join(", ")
                )));
            };
            sub.clone()
                .name(format!("newsdex-{name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    render_man(&page, &mut out).map_err(|e| Error::Other(e.into()))?;
    written_out(io::stdout().lock().write_all(&out))?;
    Ok(Exit::Found)
}

/// clap_mangen's sections, with the text after the help (the query
/// language) as a section of its own whose lines are kept as written.
fn render_man(page: &clap::Command, out: &mut Vec<u8>) -> io::Result<()> {
    let man = clap_mangen::Man::new(page.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if page.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    if let Some(after) = page.get_after_help() {
        let text = after.to_string();
        let mut lines = text.lines();
        let title = lines.next().unwrap_or_default();
        let title = title.split(" (").next().unwrap_or(title).to_uppercase();
        writeln!(out, ".SH \"{title}\"\n.nf")?;
        for line in lines {
            writeln!(out, "{}", line.replace('\\', "\\e").replace('-', "\\-"))?;
        }
        writeln!(out, ".fi")?;
    }
    man.render_version_section(out)
}

fn add_command(paths: &Paths, wait: bool, inputs: &[PathBuf]) -> Result<Exit, Error> {
    let seeds = paths.seeds();
    if seeds.exists() {
        build::check_seeds(&seeds).map_err(Error::from_anyhow)?;
    } else {
        std::fs::create_dir_all(&seeds).map_err(|e| {
            Error::Other(anyhow::anyhow!(
                "cannot create the seeds folder {} ({e})",
                seeds.display()
            ))
        })?;
    }
    let index = ensure_index(paths)?;
    let inputs: Vec<Input> = inputs
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect();
    let outcomes = index.add(&inputs, &mut io::stdin(), wait)?;
    let mut out = io::stdout().lock();
    let written = outcomes
        .iter()
        .try_for_each(|o| writeln!(out, "{}", output::terminal(&o.to_string())));
    written_out(written)?;
    Ok(if outcomes.iter().any(Outcome::is_rejected) {
        Exit::Error
    } else {
        Exit::Found
    })
}

/// The query the words of a command make, `None` when there are none.
fn optional_query(words: &[String]) -> Option<String> {
    let query = words.join(" ");
    (!query.trim().is_empty()).then_some(query)
}

/// Prints `value` on stdout: as JSON, or for people with `text`.
fn print<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&T, &mut dyn Write) -> io::Result<()>,
) -> Result<(), Error> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = if json {
        output::json(value, &mut out)
    } else {
        text(value, &mut out)
    }
    .and_then(|()| out.flush());
    written_out(written)
}

/// A closed pipe (`newsdex search x | head`) is not an error.
fn written_out(result: io::Result<()>) -> Result<(), Error> {
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Other(anyhow::anyhow!(
            "cannot write the output ({e})"
        ))),
        _ => Ok(()),
    }
}

/// Opens the index, building it first when there is none yet at the
/// default place, so that a new user's first search just works. An index
/// folder named with `--index` must exist: a typo must not build a whole
/// new index.
fn ensure_index(paths: &Paths) -> Result<Index, Error> {
    let (dir, seeds) = (paths.index(), paths.seeds());
    if store::exists(&dir) {
        return Index::open(&dir, &seeds);
    }
    if paths.index_arg.is_some() {
        return Err(Error::NoIndex {
            hint: format!(
                "check the path, or build one with `newsdex index --index {}`",
                dir.display()
            ),
            dir,
        });
    }
    if build::check_seeds(&seeds).is_err() {
        return Err(Error::NoIndex {
            hint: format!(
                "there is no seeds folder {} to build it from either: run `newsdex index --seeds DIR --index {}`",
                seeds.display(),
                dir.display()
            ),
            dir,
        });
    }
    messages::note(&format!(
        "no index at {} yet; building it from {} first",
        dir.display(),
        seeds.display()
    ));
    let opts = IndexOptions {
        wait: true,
        ..IndexOptions::new(&seeds, &dir)
    };
    let (index, summary) = Index::build(&opts, &mut |w| messages::warn(w))?;
    messages::report(&summary.line(&opts));
    Ok(index)
}

fn serve_command(paths: &Paths, bind: std::net::SocketAddr, timeout: u64) -> Result<Exit, Error> {
    let index = ensure_index(paths)?;
    if !bind.ip().is_loopback() {
        messages::warn(&format!(
            "listening on {bind}: anyone who can reach this machine on port {} can search and read the index",
            bind.port()
        ));
    }
    let options = ServeOptions {
        bind,
        timeout: std::time::Duration::from_secs(timeout),
    };
    let dir = index.dir().display().to_string();
    serve::run(index, &options, &mut |address| {
        let mut out = io::stdout().lock();
        let _ = writeln!(
            out,
            "newsdex: serving the index at {} on http://{address}/ (Ctrl-C to stop)",
            output::terminal(&dir)
        );
        let _ = out.flush();
    })?;
    Ok(Exit::Found)
}

fn count_command(args: CountArgs) -> Result<Exit, Error> {
    let index = ensure_index(&args.paths)?;
    let query = optional_query(&args.query);
    let query = query.as_deref();
    let counts = index.count(query, args.any, args.by.into())?;
    print(args.json, &counts, output::counts)?;
    Ok(if counts.total_articles > 0 {
        Exit::Found
    } else {
        Exit::NotFound
    })
}

fn export_command(args: ExportArgs) -> Result<Exit, Error> {
    let index = ensure_index(&args.paths)?;
    let query = optional_query(&args.query);
    let query = query.as_deref();
    let unit = if args.passages {
        Unit::Passage
    } else {
        Unit::Article
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut records = 0u64;
    // A write that fails stops the export; a closed pipe is not an error.
    let mut failed: Option<io::Error> = None;
    let exported = index.export(query, args.any, unit, &mut |record| {
        let id = match &record {
            Record::Article(a) => &a.article.id,
            Record::Passage(p) => &p.passage_id,
        };
        let written = match &args.bulk {
            Some(name) => writeln!(
                out,
                "{}",
                serde_json::json!({"index": {"_index": name, "_id": id}})
            ),
            None => Ok(()),
        }
        .and_then(|()| serde_json::to_writer(&mut out, &record).map_err(io::Error::from))
        .and_then(|()| writeln!(out));
        records += 1;
        written.map_err(|e| {
            let stop = anyhow::anyhow!("cannot write the output ({e})");
            failed = Some(e);
            stop
        })
    });
    let flushed = out.flush();
    match failed {
        Some(e) => return written_out(Err(e)).map(|()| Exit::Found),
        None => written_out(flushed)?,
    }
    let exported = exported?;
    let what = if args.passages {
        format!(" ({})", output::plural(records, "passage"))
    } else {
        String::new()
    };
    messages::report(&format!(
        "exported {}{what}",
        output::plural(exported, "article")
    ));
    Ok(if exported > 0 {
        Exit::Found
    } else {
        Exit::NotFound
    })
}

fn show_command(args: ShowArgs) -> Result<Exit, Error> {
    let index = ensure_index(&args.paths)?;
    let query = optional_query(&args.query);
    let query = query.as_deref();
    let key = article_key(&args.key, &args.paths.seeds());
    let Some(full) = index.article(&key, query)? else {
        messages::plain(&format!(
            "no article `{key}` in {}: give an id or a path relative to the seeds folder, as a search hit shows them",
            index.dir().display()
        ));
        return Ok(Exit::NotFound);
    };
    let color = args.color.enabled();
    print(args.json, &full, |full, out| {
        output::article(full, color, out)
    })?;
    Ok(Exit::Found)
}

/// An article's id or path relative to the seeds folder, from what was
/// typed: a path may also be given as the shell completes it (`./x.txt`,
/// `seeds/trade/x.txt`, or absolute).
fn article_key(typed: &str, seeds: &Path) -> String {
    let path = Path::new(typed);
    let path = path.strip_prefix(".").unwrap_or(path);
    let rel = path
        .strip_prefix(seeds)
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            let (abs, seeds) = (path.canonicalize().ok()?, seeds.canonicalize().ok()?);
            abs.strip_prefix(seeds).ok().map(Path::to_path_buf)
        });
    match rel {
        Some(rel) => crate::ingest::files::rel_string(&rel),
        None => crate::ingest::files::rel_string(path),
    }
}

fn search_command(args: SearchArgs) -> Result<Exit, Error> {
    let index = ensure_index(&args.paths)?;
    let query = args.query.join(" ");
    let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    let opts = SearchOptions {
        limit: size(args.limit),
        per_article: size(args.per_article),
        any: args.any,
        expand: !args.no_expand,
        offset: size(args.offset),
        context: size(args.context),
        sort: args.sort.into(),
    };
    let results = index.search(&query, &opts)?;
    for note in &results.notes {
        messages::note(note);
    }
    if results.relaxed {
        messages::note("no article has all the words; showing the best partial matches");
    }
    let found = !results.hits.is_empty();
    if !found && !args.json {
        messages::plain(&if results.total_hits > 0 {
            format!(
                "no hits past the first {}: `{query}` matches {} in {}",
                results.offset,
                output::plural(results.total_hits, "passage"),
                output::plural(results.total_articles, "article")
            )
        } else {
            format!("no passages match `{query}` in {}", index.dir().display())
        });
    }
    let color = args.color.enabled();
    print(args.json, &results, |results, out| {
        output::text(results, color, out)
    })?;
    // The process ends now: the kernel takes back the index's maps at once,
    // faster than unmapping them one by one first.
    std::mem::forget(index);
    Ok(if found { Exit::Found } else { Exit::NotFound })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Vec<String> {
        normalize_args(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn colour_on_a_terminal_unless_no_color_or_a_dumb_terminal() {
        use ColorWhen::*;
        assert!(Auto.decide(true, false, false));
        assert!(!Auto.decide(false, false, false), "not on a pipe");
        assert!(!Auto.decide(true, true, false), "NO_COLOR");
        assert!(!Auto.decide(true, false, true), "TERM=dumb");
        assert!(Always.decide(false, true, true));
        assert!(!Never.decide(true, false, false));
    }

    #[test]
    fn options_anywhere_and_negated_words() {
        assert_eq!(
            norm(&["newsdex", "search", "mexico", "-trade", "-n", "2", "--json"]),
            ["newsdex", "search", "-n", "2", "--json", "--", "mexico", "-trade"]
        );
        assert_eq!(
            norm(&[
                "newsdex",
                "search",
                "--color=never",
                "-n5",
                "a",
                "--",
                "--json"
            ]),
            [
                "newsdex",
                "search",
                "--color=never",
                "-n5",
                "--",
                "a",
                "--json"
            ]
        );
        assert_eq!(
            norm(&["newsdex", "index", "--rebuild"]),
            ["newsdex", "index", "--rebuild"]
        );
        // grep habits are options (clap refuses the unknown ones), not words;
        // -C takes a number, as in grep.
        assert_eq!(
            norm(&["newsdex", "search", "-i", "oil", "-C", "2", "-n=5", "-trade"]),
            ["newsdex", "search", "-i", "-C", "2", "-n=5", "--", "oil", "-trade"]
        );
    }
}
