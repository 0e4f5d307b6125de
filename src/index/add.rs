//! `newsdex add`: put new articles into the seeds folder and the index in one step.
//!
//! An article outside the seeds folder is first copied to
//! `seeds/added/YYYY-MM-DD/<name>` (never over a different file), so that the
//! folder stays the source of truth and a later `newsdex index` agrees with
//! the index. Only the given articles are read and indexed: adding one
//! article to a large index costs milliseconds.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::clock;
use crate::index::change::{self, AtPath, Change};
use crate::index::schema::Header;
use crate::index::schema::{Fields, ARTICLE_SERIAL};
use crate::index::store::Store;
use crate::index::writer::Batcher;
use crate::ingest::article;
use crate::ingest::files;
use crate::ingest::files::FileMeta;

/// One thing given to `add`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

/// What happened to one given article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Added {
        path: String,
    },
    Updated {
        path: String,
    },
    Unchanged {
        path: String,
    },
    Duplicate {
        given: String,
        of: String,
    },
    /// Found in a folder given to `add`, left out on purpose (the ignore
    /// file, or a README): not an error.
    Ignored {
        given: String,
        reason: String,
    },
    Rejected {
        given: String,
        reason: String,
    },
}

impl Outcome {
    pub fn is_rejected(&self) -> bool {
        matches!(self, Outcome::Rejected { .. })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Added { path } => write!(f, "added {path}"),
            Outcome::Updated { path } => write!(f, "updated {path}"),
            Outcome::Unchanged { path } => write!(f, "unchanged {path} (already indexed)"),
            Outcome::Duplicate { given, of } => {
                write!(f, "duplicate {given}: same content as {of} (not added)")
            }
            Outcome::Ignored { given, reason } => write!(f, "ignored {given}: {reason}"),
            Outcome::Rejected { given, reason } => write!(f, "rejected {given}: {reason}"),
        }
    }
}

/// Where the text of an article to add comes from.
enum Source {
    /// Already read (standard input), or why it could not be.
    Text(Result<String, String>),
    /// A file, read when the article is added.
    File(PathBuf),
}

/// One article to add: where it comes from and where it goes in the seeds.
struct Candidate {
    /// As the user named it.
    given: String,
    source: Source,
    /// Path relative to the seeds folder where it lives (or will be copied).
    rel: String,
    /// Whether it must be copied into the seeds folder.
    copy: bool,
    /// Found in a folder given to `add` (rather than named).
    in_folder: bool,
}

/// Adds `inputs` to the seeds folder and the index. `stdin` is read for `-`.
pub fn run(
    store: &Store,
    seeds: &Path,
    inputs: &[Input],
    stdin: &mut dyn Read,
    wait: bool,
) -> Result<Vec<Outcome>> {
    let seeds_abs = seeds
        .canonicalize()
        .with_context(|| format!("cannot open the seeds folder {}", seeds.display()))?;
    let day_dir = format!("added/{}", clock::date(clock::now()));
    let mut items = Vec::new();
    for input in inputs {
        collect(input, &seeds_abs, &day_dir, &store.dir, stdin, &mut items);
    }
    // What `newsdex index` would leave out is not added either.
    let rules = files::Rules::of(seeds);
    for item in &mut items {
        let Ok(c) = item else { continue };
        let Some(by) = rules.excludes(&c.rel, false) else {
            continue;
        };
        let ignored = files::Ignored {
            path: c.rel.clone(),
            by,
        };
        let (given, reason) = (c.given.clone(), ignored.reason(seeds));
        *item = Err(if c.in_folder {
            Outcome::Ignored { given, reason }
        } else {
            Outcome::Rejected { given, reason }
        });
    }
    // The lock first: what is read must be what is then written to (another
    // process may rebuild the index while this one waits).
    let mut batcher = Batcher::open(store, wait, false)?;
    let searcher = store.reader()?.searcher();
    // Ids added in this run, so that two identical inputs are added once.
    let mut added_ids: HashMap<String, String> = HashMap::new();
    let mut outcomes = Vec::with_capacity(items.len());
    for item in items {
        outcomes.push(match item {
            Ok(candidate) => add_one(
                candidate,
                seeds,
                &searcher,
                store,
                &mut batcher,
                &mut added_ids,
            )?,
            Err(rejected) => rejected,
        });
    }
    batcher.finish()?;
    Ok(outcomes)
}

/// Turns one input into candidates (a folder gives many), or rejections,
/// in the order given.
fn collect(
    input: &Input,
    seeds_abs: &Path,
    day_dir: &str,
    index_dir: &Path,
    stdin: &mut dyn Read,
    out: &mut Vec<Result<Candidate, Outcome>>,
) {
    let path = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            let text = stdin
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input ({e})"))
                .and_then(|_| files::decode(bytes))
                .map(|t| t.text);
            let name = match &text {
                Ok(t) => format!("stdin-{}.txt", article::content_id(&article::normalize(t))),
                Err(_) => "stdin.txt".to_string(),
            };
            out.push(Ok(Candidate {
                given: "-".to_string(),
                source: Source::Text(text),
                rel: format!("{day_dir}/{name}"),
                copy: true,
                in_folder: false,
            }));
            return;
        }
        Input::Path(p) => p,
    };
    let given = path.display().to_string();
    let reject = |reason: String| Outcome::Rejected {
        given: given.clone(),
        reason,
    };
    let Ok(abs) = path.canonicalize() else {
        out.push(Err(reject("no such file or folder".to_string())));
        return;
    };
    if abs.is_dir() {
        // Outside the seeds folder, README and licence files at the top of
        // the folder (or of a folder in it) are not articles; inside, the
        // seeds folder's rules decide (below, in `run`).
        let rules = if abs.starts_with(seeds_abs) {
            files::Rules::none()
        } else {
            files::Rules::readme_only()
        };
        let walk = files::walk(&abs, Some(index_dir), files::Links::Skip, &rules);
        for skip in walk.skipped {
            out.push(Err(Outcome::Rejected {
                given: skip.path,
                reason: skip.reason,
            }));
        }
        for ignored in walk.ignored {
            out.push(Err(Outcome::Ignored {
                given: abs.join(&ignored.path).display().to_string(),
                reason: ignored.reason(seeds_abs),
            }));
        }
        let folder = abs.file_name().map_or_else(
            || "folder".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        for file in walk.files {
            let copy_to = format!("{day_dir}/{folder}/{}", file.rel);
            let path = file.abs(&abs);
            out.push(Ok(Candidate {
                in_folder: true,
                ..candidate_for(path.display().to_string(), path, seeds_abs, &copy_to)
            }));
        }
        return;
    }
    if !files::is_article_file(&abs) {
        out.push(Err(reject(
            "not a .txt or .md file (newsdex indexes only those)".to_string(),
        )));
        return;
    }
    if !fs::metadata(&abs).is_ok_and(|m| m.is_file()) {
        out.push(Err(reject(
            "not a regular file (a pipe, socket or device)".to_string(),
        )));
        return;
    }
    if abs.strip_prefix(seeds_abs).is_ok_and(|rel| {
        rel.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    }) {
        out.push(Err(reject(
            "hidden (a name starting with `.`): `newsdex index` leaves such files out; rename it"
                .to_string(),
        )));
        return;
    }
    let name = abs.file_name().map_or_else(
        || "article.txt".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let copy_to = format!("{day_dir}/{name}");
    out.push(Ok(candidate_for(given, abs, seeds_abs, &copy_to)));
}

fn candidate_for(given: String, abs: PathBuf, seeds_abs: &Path, copy_to: &str) -> Candidate {
    let (rel, copy) = match abs.strip_prefix(seeds_abs) {
        Ok(rel) => (files::rel_string(rel), false),
        Err(_) => (copy_to.to_string(), true),
    };
    Candidate {
        given,
        source: Source::File(abs),
        rel,
        copy,
        in_folder: false,
    }
}

/// The header and serial number of the indexed article whose `field` (a
/// path or an id) is `value`.
fn lookup(
    searcher: &Searcher,
    fields: &Fields,
    field: Field,
    value: &str,
) -> Result<Option<(Header, u64)>> {
    let query = TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    let Some(&(_, addr)) = top.first() else {
        return Ok(None);
    };
    let header = Header::from_doc(&searcher.doc(addr)?, fields)
        .ok_or_else(|| anyhow::anyhow!("the indexed article {value} has no stored header"))?;
    let serial = searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .u64(ARTICLE_SERIAL)?
        .first(addr.doc_id)
        .ok_or_else(|| anyhow::anyhow!("the indexed article {value} has no serial number"))?;
    Ok(Some((header, serial)))
}

fn add_one(
    c: Candidate,
    seeds: &Path,
    searcher: &Searcher,
    store: &Store,
    batcher: &mut Batcher,
    added_ids: &mut HashMap<String, String>,
) -> Result<Outcome> {
    let read = match c.source {
        Source::Text(text) => text.map(|t| files::Text {
            text: t,
            converted_from: None,
        }),
        Source::File(path) => files::read_text(&path).map(|(text, _)| text),
    };
    let parsed = read.and_then(|t| article::from_text(&c.rel, &t.text).map(|a| (a, t)));
    let (mut article, files::Text { text, .. }) = match parsed {
        Ok(read) => read,
        Err(reason) => {
            return Ok(Outcome::Rejected {
                given: c.given,
                reason,
            })
        }
    };
    let f = &store.fields;
    let id = article.id.clone();
    let rel = if c.copy {
        match destination(seeds, &c.rel, &text) {
            Ok(rel) => rel,
            Err(reason) => {
                return Ok(Outcome::Rejected {
                    given: c.given,
                    reason,
                })
            }
        }
    } else {
        c.rel
    };
    article.path = rel.clone();
    let seeds_path = |rel: &str| seeds.join(rel).display().to_string();
    let indexed = lookup(searcher, f, f.path, &rel)?;
    let at_path = indexed.as_ref().map(|(h, serial)| AtPath {
        id: &h.id,
        serial: *serial,
    });
    let owner = match added_ids.get(&id) {
        Some(p) => Some(p.clone()),
        None => lookup(searcher, f, f.id, &id)?
            .map(|(h, _)| h.path)
            .filter(|p| seeds.join(p).exists()),
    };
    let replaced = match change::decide(&rel, &id, at_path, owner.as_deref()) {
        Change::Unchanged { .. } => {
            return Ok(Outcome::Unchanged {
                path: seeds_path(&rel),
            })
        }
        Change::Duplicate { of, .. } => {
            return Ok(Outcome::Duplicate {
                given: c.given,
                of: seeds_path(&of),
            })
        }
        Change::Changed { serial } => Some(serial),
        Change::New => None,
    };
    let dest = seeds.join(&rel);
    if c.copy && fs::symlink_metadata(&dest).is_err() {
        write_new(&dest, &text)?;
    }
    let meta = FileMeta::of(&dest).with_context(|| format!("cannot read {}", dest.display()))?;
    if let Some(serial) = replaced {
        batcher.delete_article(serial);
    }
    batcher.add_article(&article, meta)?;
    added_ids.insert(id, rel.clone());
    let path = seeds_path(&rel);
    Ok(if replaced.is_some() {
        Outcome::Updated { path }
    } else {
        Outcome::Added { path }
    })
}

/// The longest file name `add` writes (most file systems allow 255 bytes;
/// room is left for a `-N` suffix).
const MAX_NAME_BYTES: usize = 200;

/// Where `add` may write a copy of `text`: `rel` under the seeds folder,
/// through real folders only (never through a symbolic link, which could
/// lead out of it), at a name where nothing exists yet or that already
/// holds exactly `text`: `name.txt`, else `name-2.txt`, `name-3.txt`…
/// The name is made one that `newsdex index` reads (no leading dot, not too
/// long). Returns the path relative to the seeds folder, or why there is
/// none.
fn destination(seeds: &Path, rel: &str, text: &str) -> Result<String, String> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let mut at = seeds.to_path_buf();
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        at.push(part);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "{} is not a folder (a file or symbolic link is in the way): move it, add writes only into folders inside the seeds folder",
                    at.display()
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(e) => return Err(format!("cannot check {} ({e})", at.display())),
        }
    }
    let name = name.trim_start_matches('.');
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    let mut cut = MAX_NAME_BYTES.saturating_sub(ext.len()).min(stem.len());
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = if stem[..cut].is_empty() {
        "article"
    } else {
        &stem[..cut]
    };
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    for n in 1..10_000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let candidate = format!("{prefix}{stem}{suffix}{ext}");
        let path = seeds.join(&candidate);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(candidate),
            Ok(m) if m.is_file() && fs::read(&path).is_ok_and(|b| b == text.as_bytes()) => {
                return Ok(candidate)
            }
            _ => {}
        }
    }
    Err(format!(
        "no free name for it in {}: too many files named {stem}",
        seeds.join(dir).display()
    ))
}

/// Writes a new file atomically and never over another: a temporary file
/// in the same folder, then a hard link to the name (which fails if
/// something took the name meanwhile), so that an interrupted add never
/// leaves half an article.
fn write_new(dest: &Path, text: &str) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(".newsdex-add-{}.tmp", std::process::id()));
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .and_then(|()| fs::hard_link(&tmp, dest));
    let _ = fs::remove_file(&tmp);
    written.with_context(|| format!("cannot write {}", dest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_never_overwrite_or_leave_the_seeds_folder() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path();
        assert_eq!(
            destination(seeds, "added/a.txt", "x").unwrap(),
            "added/a.txt"
        );
        fs::create_dir_all(seeds.join("added")).unwrap();
        fs::write(seeds.join("added/a.txt"), "x").unwrap();
        assert_eq!(
            destination(seeds, "added/a.txt", "x").unwrap(),
            "added/a.txt"
        );
        assert_eq!(
            destination(seeds, "added/a.txt", "y").unwrap(),
            "added/a-2.txt"
        );
        // Something else under the name: a folder, a file that is not text.
        fs::create_dir(seeds.join("added/a-2.txt")).unwrap();
        fs::write(seeds.join("added/a-3.txt"), b"\xff\xfe").unwrap();
        assert_eq!(
            destination(seeds, "added/a.txt", "y").unwrap(),
            "added/a-4.txt"
        );
        // Hidden and very long names become names that `index` reads.
        assert_eq!(
            destination(seeds, "added/.b.txt", "y").unwrap(),
            "added/b.txt"
        );
        let long = format!("added/{}.txt", "n".repeat(250));
        let got = destination(seeds, &long, "y").unwrap();
        assert_eq!(got.len(), "added/".len() + MAX_NAME_BYTES);
        // Never through a link.
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), seeds.join("linked")).unwrap();
        let err = destination(seeds, "linked/c.txt", "y").unwrap_err();
        assert!(err.contains("is not a folder"), "{err}");
    }
}
