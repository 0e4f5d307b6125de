//! Finding article files under the seeds folder and reading them safely.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use walkdir::WalkDir;

/// Files larger than this are not articles; they are skipped.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// An article file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the folder walked, with `/` separators.
    pub rel: String,
}

impl SourceFile {
    /// The file's path, in the folder `root` that was walked. (Not kept:
    /// a million paths twice over is a hundred megabytes.)
    pub fn abs(&self, root: &Path) -> PathBuf {
        root.join(&self.rel)
    }
}

/// Why a file (or folder) was not indexed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The path as the user sees it.
    pub path: String,
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skipped {}: {}", self.path, self.reason)
    }
}

/// What a walk of the seeds folder found.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    /// Files and folders left out on purpose (see [`Rules`]).
    pub ignored: Vec<Ignored>,
    /// Problems with the ignore file (a line that is not a pattern).
    pub warnings: Vec<String>,
}

/// The ignore file of a seeds folder (gitignore syntax).
pub const IGNORE_FILE: &str = ".newsdexignore";

/// A file or folder left out on purpose.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ignored {
    /// Relative to the seeds folder, `/` separators; a folder ends with `/`.
    pub path: String,
    /// Why: the pattern of the ignore file that matched, or the rule for
    /// README and licence files.
    pub by: String,
}

/// What `by` says of a README or licence file that no pattern names.
pub const NOT_AN_ARTICLE: &str = "README/LICENSE";

impl Ignored {
    /// Whether the README/licence rule left it out (not a pattern).
    pub fn is_readme_or_licence(&self) -> bool {
        self.by == NOT_AN_ARTICLE
    }

    /// Why it was left out, in a sentence for `seeds`' user.
    pub fn reason(&self, seeds: &Path) -> String {
        let file = seeds.join(IGNORE_FILE);
        if self.is_readme_or_licence() {
            let name = self.path.rsplit('/').next().unwrap_or(&self.path);
            format!(
                "a README or licence file, not an article (to index it, add the line `!{name}` to {})",
                file.display()
            )
        } else {
            format!("left out by `{}` in {}", self.by, file.display())
        }
    }
}

/// Which files of the seeds folder are not articles: those the ignore file
/// ([`IGNORE_FILE`], gitignore syntax, at the top of the seeds folder)
/// names, and README and licence files at the top of the seeds folder or of
/// a folder inside it (a source's folder), unless the ignore file
/// re-includes them (`!README.md`).
#[derive(Debug, Default)]
pub struct Rules {
    patterns: Option<Gitignore>,
    /// Whether README and licence files are left out.
    readme: bool,
    /// Lines of the ignore file that could not be read, and why.
    pub warnings: Vec<String>,
}

impl Rules {
    /// Rules that leave nothing out.
    pub fn none() -> Rules {
        Rules::default()
    }

    /// Only the rule for README and licence files (a folder outside the
    /// seeds folder, given to `add`).
    pub fn readme_only() -> Rules {
        Rules {
            readme: true,
            ..Rules::default()
        }
    }

    /// The rules of `seeds`: its ignore file, if there is one, and the rule
    /// for README and licence files.
    pub fn of(seeds: &Path) -> Rules {
        let path = seeds.join(IGNORE_FILE);
        let text = match fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Rules::readme_only(),
            Err(e) => {
                return Rules {
                    warnings: vec![format!(
                        "cannot read {} ({e}): no file is ignored by it",
                        path.display()
                    )],
                    ..Rules::readme_only()
                }
            }
        };
        let mut builder = GitignoreBuilder::new(seeds);
        let mut warnings = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if let Err(e) = builder.add_line(Some(path.clone()), line) {
                warnings.push(format!(
                    "{} line {}: {e}; the line is left out",
                    path.display(),
                    n + 1
                ));
            }
        }
        let patterns = match builder.build() {
            Ok(patterns) => Some(patterns),
            Err(e) => {
                warnings.push(format!(
                    "cannot use {} ({e}): no file is ignored by it",
                    path.display()
                ));
                None
            }
        };
        Rules {
            patterns,
            warnings,
            readme: true,
        }
    }

    /// Whether anything `depth` folders below the seeds folder (1: in it)
    /// can be left out (when not, nothing need be asked of each entry).
    fn may_exclude(&self, depth: usize) -> bool {
        self.patterns.is_some() || (self.readme && depth <= 2)
    }

    /// Why the file or folder `rel` (relative to the seeds folder) is left
    /// out, or `None` when it is read.
    pub fn excludes(&self, rel: &str, is_dir: bool) -> Option<String> {
        if let Some(patterns) = &self.patterns {
            match patterns.matched_path_or_any_parents(rel, is_dir) {
                Match::Ignore(glob) => return Some(glob.original().to_string()),
                Match::Whitelist(_) => return None,
                Match::None => {}
            }
        }
        (self.readme && !is_dir && rel.matches('/').count() <= 1 && is_readme_or_licence(rel))
            .then(|| NOT_AN_ARTICLE.to_string())
    }
}

/// A README or licence file (`README.md`, `readme.txt`, `LICENSE`,
/// `LICENCE-MIT.md`, `COPYING.txt`), by its name.
pub fn is_readme_or_licence(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem = name.split('.').next().unwrap_or(&name);
    stem == "readme"
        || stem == "copying"
        || stem.starts_with("license")
        || stem.starts_with("licence")
}

/// Whether newsdex reads this file: a `.txt` or `.md` file.
pub fn is_article_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// Whether a walk follows symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Followed (the seeds folder: links are how people organise files),
    /// never into a loop.
    Follow,
    /// Not followed, and reported: only what is physically inside the folder
    /// is read (a folder given to `add`, which may come from anywhere).
    Skip,
}

/// Walks `seeds` recursively for `.txt` and `.md` files, leaving out hidden
/// entries, the folder `exclude` (the index, when it lives inside the
/// seeds folder) and what `rules` leave out. Files come in a stable order:
/// by name, folder by folder.
pub fn walk(seeds: &Path, exclude: Option<&Path>, links: Links, rules: &Rules) -> Walk {
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut out = Walk {
        warnings: rules.warnings.clone(),
        ..Walk::default()
    };
    let mut followed: HashSet<PathBuf> = seeds.canonicalize().into_iter().collect();
    let mut w = Walker {
        seeds,
        exclude: exclude.as_deref(),
        links,
        rules,
        followed: &mut followed,
        out: &mut out,
    };
    w.dir(seeds);
    out
}

struct Walker<'a> {
    seeds: &'a Path,
    exclude: Option<&'a Path>,
    links: Links,
    rules: &'a Rules,
    /// Folders already walked (by their real path), so links never loop.
    followed: &'a mut HashSet<PathBuf>,
    out: &'a mut Walk,
}

impl Walker<'_> {
    fn skip(&mut self, path: &Path, reason: impl Into<String>) {
        self.out.skipped.push(Skipped {
            path: path.display().to_string(),
            reason: reason.into(),
        });
    }

    /// Walks `dir` without following links (so that no entry needs a
    /// `stat`), then takes a link to an article file as a file and walks a
    /// link to a folder in turn, unless it leads to a folder above it or
    /// already walked.
    fn dir(&mut self, dir: &Path) {
        let (exclude, rules, seeds) = (self.exclude, self.rules, self.seeds);
        let mut ignored = Vec::new();
        let entries = WalkDir::new(dir)
            // By name: siblings share their parent's path, so comparing whole
            // paths orders them by name without re-parsing each path for its
            // last component (`sort_by_file_name` did, for every comparison).
            .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
            .into_iter()
            .filter_entry(|e| {
                let hidden = e.depth() > 0 && is_hidden(e.file_name());
                let is_dir = e.file_type().is_dir();
                let excluded = is_dir
                    && exclude.is_some_and(|x| e.path().canonicalize().ok().as_deref() == Some(x));
                if hidden || excluded {
                    return false;
                }
                // Folders and article files: other files are not read anyway.
                if e.depth() > 0
                    && rules.may_exclude(e.depth())
                    && (is_dir || is_article_file(e.path()))
                {
                    let rel = rel_string(e.path().strip_prefix(seeds).unwrap_or(e.path()));
                    if let Some(by) = rules.excludes(&rel, is_dir) {
                        let path = if is_dir { format!("{rel}/") } else { rel };
                        ignored.push(Ignored { path, by });
                        return false;
                    }
                }
                true
            });
        for entry in entries {
            let e = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = err.path().unwrap_or(dir).to_path_buf();
                    let reason = err
                        .io_error()
                        .map_or_else(|| err.to_string(), |e| e.to_string());
                    self.skip(&path, reason);
                    continue;
                }
            };
            let kind = e.file_type();
            let path = e.path();
            if kind.is_file() {
                if is_article_file(path) && self.utf8_name(path) {
                    self.out.files.push(source_file(self.seeds, e.into_path()));
                }
            } else if kind.is_symlink() && e.depth() > 0 {
                // (The folder being walked may itself be a link: it is walked.)
                self.link(path);
            } else if !kind.is_dir() && !kind.is_symlink() && is_article_file(path) {
                self.skip(path, "not a regular file (a pipe, socket or device)");
            }
        }
        self.out.ignored.append(&mut ignored);
    }

    /// Whether a path can be recorded as it is: a name that is not UTF-8
    /// would be recorded as another (two such names as one), so its file is
    /// skipped.
    fn utf8_name(&mut self, path: &Path) -> bool {
        let ok = path
            .strip_prefix(self.seeds)
            .unwrap_or(path)
            .to_str()
            .is_some();
        if !ok {
            self.skip(
                path,
                "its name is not valid UTF-8 text: rename it (for example with `convmv`)",
            );
        }
        ok
    }

    fn link(&mut self, path: &Path) {
        if self.links == Links::Skip {
            if is_article_file(path) || fs::metadata(path).is_ok_and(|m| m.is_dir()) {
                self.skip(
                    path,
                    "symbolic link, not followed (only what is inside the folder is added)",
                );
            }
            return;
        }
        let meta = fs::metadata(path);
        let rel = rel_string(path.strip_prefix(self.seeds).unwrap_or(path));
        let is_dir = meta.as_ref().is_ok_and(|m| m.is_dir());
        if is_dir || is_article_file(path) {
            if let Some(by) = self.rules.excludes(&rel, is_dir) {
                let path = if is_dir { format!("{rel}/") } else { rel };
                self.out.ignored.push(Ignored { path, by });
                return;
            }
        }
        match meta {
            Ok(m) if m.is_file() && is_article_file(path) => {
                if self.utf8_name(path) {
                    self.out
                        .files
                        .push(source_file(self.seeds, path.to_path_buf()));
                }
            }
            Ok(m) if m.is_dir() => {
                let real = path.canonicalize().unwrap_or_default();
                let above = path
                    .parent()
                    .and_then(|p| p.canonicalize().ok())
                    .is_some_and(|p| p.starts_with(&real));
                if above || !self.followed.insert(real) {
                    self.skip(path, "symbolic link loop, not followed");
                } else {
                    self.dir(path);
                }
            }
            Ok(_) if is_article_file(path) => {
                self.skip(path, "not a regular file (a pipe, socket or device)");
            }
            Ok(_) => {}
            Err(err) => self.skip(path, format!("broken symbolic link ({err})")),
        }
    }
}

fn source_file(seeds: &Path, abs: PathBuf) -> SourceFile {
    let rel = rel_string(abs.strip_prefix(seeds).unwrap_or(&abs));
    SourceFile { rel }
}

/// A relative path with `/` separators on every platform.
pub fn rel_string(rel: &Path) -> String {
    if std::path::MAIN_SEPARATOR == '/' {
        if let Some(s) = rel.to_str() {
            return s.to_string();
        }
    }
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Size and modification time of a file: the cheap check for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileMeta {
    pub size: u64,
    /// Nanoseconds since 1970 (0 when the platform does not say).
    pub mtime: u64,
}

impl FileMeta {
    pub fn of(path: &Path) -> std::io::Result<FileMeta> {
        Ok(FileMeta::from(&fs::metadata(path)?))
    }
}

/// Stats files one after another, opening each folder once: a file's
/// `stat` by its name in an open folder skips resolving its whole path,
/// which was the larger part of stat-ing a million files.
#[derive(Default)]
pub struct Stater {
    #[cfg(unix)]
    dir: Option<(PathBuf, Option<rustix::fd::OwnedFd>)>,
}

impl Stater {
    /// What [`FileMeta::of`] says of `path`.
    #[cfg(unix)]
    pub fn meta(&mut self, path: &Path) -> std::io::Result<FileMeta> {
        use rustix::fs::{AtFlags, Mode, OFlags};
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return FileMeta::of(path);
        };
        // (Compared as bytes: comparing paths compares their parsed components.)
        if self
            .dir
            .as_ref()
            .is_none_or(|(dir, _)| dir.as_os_str() != parent.as_os_str())
        {
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let fd = rustix::fs::open(parent, flags, Mode::empty()).ok();
            self.dir = Some((parent.to_path_buf(), fd));
        }
        let Some((_, Some(fd))) = &self.dir else {
            return FileMeta::of(path);
        };
        let stat = rustix::fs::statat(fd, name, AtFlags::empty())?;
        let mtime = u64::try_from(stat.st_mtime).map_or(0, |secs| {
            secs.saturating_mul(1_000_000_000)
                .saturating_add(stat.st_mtime_nsec as u64)
        });
        Ok(FileMeta {
            size: stat.st_size as u64,
            mtime,
        })
    }

    /// What [`FileMeta::of`] says of `path`.
    #[cfg(not(unix))]
    pub fn meta(&mut self, path: &Path) -> std::io::Result<FileMeta> {
        FileMeta::of(path)
    }
}

impl From<&fs::Metadata> for FileMeta {
    fn from(meta: &fs::Metadata) -> FileMeta {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        FileMeta {
            size: meta.len(),
            mtime,
        }
    }
}

/// The text of an article file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// The encoding it was converted from (`None`: it was UTF-8).
    pub converted_from: Option<&'static str>,
}

/// Reads an article file, refusing what is not text: the error is the
/// reason, ready to show after the path. The size and time returned are
/// those of the file that was read. The file is never changed.
pub fn read_text(path: &Path) -> Result<(Text, FileMeta), String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot read it ({e})"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read it ({e})"))?;
    if !meta.is_file() {
        return Err("not a regular file (a pipe, socket or device)".to_string());
    }
    let meta = FileMeta::from(&meta);
    let size = meta.size;
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "too large for an article ({} MiB; the limit is {} MiB)",
            size / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it ({e})"))?;
    decode(bytes).map(|text| (text, meta))
}

/// Turns the bytes of a file into text: UTF-8 as it is; UTF-16 with a
/// byte-order mark (as Windows tools save text) and legacy encodings
/// (Latin-1, Windows-1252… as detected) converted. Refuses binary and empty
/// files.
pub fn decode(bytes: Vec<u8>) -> Result<Text, String> {
    let converted = |text: String, encoding: &'static encoding_rs::Encoding| Text {
        text,
        converted_from: Some(encoding.name()),
    };
    let text = match encoding_rs::Encoding::for_bom(&bytes) {
        Some((encoding, bom)) if encoding != encoding_rs::UTF_8 => {
            let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
            if malformed {
                return Err(format!("not valid {} text", encoding.name()));
            }
            converted(text.into_owned(), encoding)
        }
        _ if bytes.contains(&0) => {
            return Err("binary file (contains NUL bytes), not an article".to_string())
        }
        _ => match String::from_utf8(bytes) {
            Ok(text) => Text {
                text,
                converted_from: None,
            },
            Err(e) => {
                let bytes = e.into_bytes();
                let mut detector =
                    chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                detector.feed(&bytes, true);
                let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
                let (text, _, _) = encoding.decode(&bytes);
                if looks_binary(&text) {
                    return Err("binary file (control characters), not an article".to_string());
                }
                converted(text.into_owned(), encoding)
            }
        },
    };
    if text.text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err("empty file".to_string());
    }
    Ok(text)
}

/// Whether decoded text has more control characters than text has (tabs
/// and line breaks aside): a binary file decoded as if it were text.
fn looks_binary(text: &str) -> bool {
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    controls * 100 > text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_converts_other_encodings_and_rejects_binary_and_empty() {
        let text = |bytes: &[u8]| decode(bytes.to_vec()).map(|t| (t.text, t.converted_from));
        assert!(text(b"a\0b").unwrap_err().contains("binary"));
        assert!(text(b"\x01\x02\x03\xfe\x04\x05")
            .unwrap_err()
            .contains("binary"));
        assert_eq!(text(b" \n\t\n").unwrap_err(), "empty file");
        assert_eq!(text("\u{feff}\n".as_bytes()).unwrap_err(), "empty file");
        assert_eq!(text(b"Title\n").unwrap(), ("Title\n".to_string(), None));
        // Latin-1 / Windows-1252: detected and converted.
        let (latin, from) = text(b"Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e \x96 50\x80\n").unwrap();
        assert_eq!(latin, "Café au lait, crème brûlée – 50€\n");
        assert_eq!(from, Some("windows-1252"));
        // UTF-16 with a byte-order mark, both byte orders.
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Título\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            text(&utf16le).unwrap(),
            ("Título\n".to_string(), Some("UTF-16LE"))
        );
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Título\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(text(&utf16be).unwrap().0, "Título\n");
    }

    /// Writes `x` into each of `paths` under `root`, making their folders.
    fn write_files(root: &Path, paths: &[&str]) {
        for p in paths {
            let path = root.join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
    }

    #[test]
    fn walk_finds_articles_sorted_and_skips_hidden_and_excluded() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_files(
            root,
            &[
                "b/2.txt",
                "a.md",
                ".hidden/x.txt",
                "index/meta.txt",
                "c.pdf",
                "b/1.TXT",
                "a-c.txt",
                "a/b.txt",
            ],
        );
        let walk = walk(
            root,
            Some(&root.join("index")),
            Links::Follow,
            &Rules::none(),
        );
        let rels: Vec<&str> = walk.files.iter().map(|f| f.rel.as_str()).collect();
        // Folder by folder, by name: `a/` comes before `a-c.txt` and `a.md`.
        assert_eq!(rels, ["a/b.txt", "a-c.txt", "a.md", "b/1.TXT", "b/2.txt"]);
        assert!(walk.skipped.is_empty());
    }

    #[test]
    fn readme_files_at_the_top_and_in_source_folders_are_left_out_without_an_ignore_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_files(
            root,
            &[
                "README.md",
                "story.txt",
                "wire/LICENSE.txt",
                "wire/a.txt",
                "wire/2024/readme.txt",
            ],
        );
        let walk = walk(root, None, Links::Follow, &Rules::of(root));
        let rels: Vec<&str> = walk.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["story.txt", "wire/2024/readme.txt", "wire/a.txt"]);
        let ignored: Vec<&str> = walk.ignored.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(ignored, ["README.md", "wire/LICENSE.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_stater_says_what_file_meta_says() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/one.txt"), "one").unwrap();
        fs::write(root.join("a/b/two.txt"), "two, longer").unwrap();
        fs::write(root.join("three.txt"), "").unwrap();
        std::os::unix::fs::symlink(root.join("a/b/two.txt"), root.join("a/link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b"), root.join("linked")).unwrap();
        // An old time, with nanoseconds, on one file.
        let old = std::time::UNIX_EPOCH + std::time::Duration::new(1_000_000_007, 123_456_789);
        fs::File::options()
            .write(true)
            .open(root.join("a/one.txt"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let paths = [
            "a/one.txt",
            "a/link.txt",
            "a/b/two.txt",
            "a/missing.txt",
            "linked/two.txt",
            "three.txt",
            "a/one.txt",
            "nowhere/x.txt",
        ];
        let mut stater = Stater::default();
        for rel in paths {
            let path = root.join(rel);
            let (fast, slow) = (stater.meta(&path), FileMeta::of(&path));
            assert_eq!(fast.as_ref().ok(), slow.as_ref().ok(), "{rel}");
            assert_eq!(fast.is_err(), slow.is_err(), "{rel}");
        }
        let one = stater.meta(&root.join("a/one.txt")).unwrap();
        assert_eq!(one.size, 3);
        assert_eq!(one.mtime, 1_000_000_007_123_456_789);
    }

    #[cfg(unix)]
    #[test]
    fn walk_reports_symlink_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.txt"), "x").unwrap();
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        let walk = walk(root, None, Links::Follow, &Rules::none());
        assert_eq!(walk.files.len(), 1);
        assert_eq!(walk.skipped.len(), 1);
        assert!(
            walk.skipped[0].reason.contains("loop"),
            "{:?}",
            walk.skipped
        );
    }
}
