//! The on-disk index: creating it, opening it, and checking that it is one
//! this version of newsdex can read.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::Index;

use crate::analysis::{analyzer, ANALYZER_NAME};
use crate::error::Error;
use crate::index::lean::LeanDirectory;
use crate::index::schema::{self, Fields};
use crate::messages;

/// The version of the index layout. Bump it whenever the schema or the
/// analysis changes: older indexes must then be rebuilt.
pub const FORMAT_VERSION: u32 = 7;

/// How many times a reader is opened again when a file of the index is
/// missing (a rebuild swapped the folder meanwhile).
const READ_RETRIES: usize = 5;

/// The file in the index folder that records the format.
pub const FORMAT_FILE: &str = "newsdex.json";
/// Stored passages are compressed in blocks of this many bytes (tantivy's
/// default: 16 KB). Every hit shown reads its passage and its article's
/// header, each a block to decompress: 4 KB blocks cut a rare word's search
/// at 22,000 articles by 10–15% of its instructions, for an index 9% larger
/// (bench/README.md). An index keeps the size it was built with.
const STORE_BLOCK_BYTES: usize = 4096;

#[derive(Debug, Serialize, Deserialize)]
struct FormatRecord {
    format: u32,
    created_by: String,
}

/// An open newsdex index.
pub struct Store {
    pub index: Index,
    pub fields: Fields,
    pub dir: PathBuf,
    /// The last reader opened, with the `meta.json` it was opened at (a
    /// server answers many requests with one reader until a commit).
    last: Mutex<Option<(Vec<u8>, tantivy::IndexReader)>>,
}

/// The hint appended to every message about an index that must be rebuilt.
pub fn rebuild_hint(dir: &Path) -> String {
    format!(
        "rebuild it with `newsdex index --rebuild --index {}`",
        dir.display()
    )
}

/// Whether `dir` holds an index (of any version), as opposed to nothing yet.
pub fn exists(dir: &Path) -> bool {
    dir.join(FORMAT_FILE).exists() || dir.join("meta.json").exists()
}

/// The one-line error for an index that cannot be read: what is wrong, in
/// short, and how to rebuild it.
pub fn damaged(dir: &Path, err: &dyn std::fmt::Display) -> anyhow::Error {
    let full = err.to_string();
    // tantivy names the broken file as `filepath: "…"`; that is what matters.
    let cause = match full.split_once("filepath: \"") {
        Some((_, rest)) => format!("file {} is corrupt", rest.split('"').next().unwrap_or(rest)),
        None => full.chars().take(160).collect(),
    };
    unreadable(
        dir,
        format!(
            "the index at {} is damaged or unreadable ({cause}): {}",
            dir.display(),
            rebuild_hint(dir)
        ),
    )
}

/// An index that cannot be read as it is: `message` says why and how to
/// rebuild it.
fn unreadable(dir: &Path, message: String) -> anyhow::Error {
    Error::Unreadable {
        dir: dir.to_path_buf(),
        message,
    }
    .into()
}

impl Store {
    fn new(index: Index, fields: Fields, dir: &Path) -> Store {
        Store {
            index,
            fields,
            dir: dir.to_path_buf(),
            last: Mutex::new(None),
        }
    }

    /// A reader of the last commit: the one opened before while
    /// `meta.json` (which every commit rewrites) is the same, else a new one.
    /// A reader is never reloaded, so that what a command reads never
    /// changes under it.
    pub fn reader(&self) -> Result<tantivy::IndexReader> {
        let Ok(meta) = fs::read(self.dir.join("meta.json")) else {
            // In memory, or the folder is being swapped: no reuse.
            return self.open_reader();
        };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, reader)) = last.as_ref() {
            if *seen == meta {
                return Ok(reader.clone());
            }
        }
        let reader = self.open_reader()?;
        *last = Some((meta, reader.clone()));
        Ok(reader)
    }

    /// Opens a reader of the last commit.
    ///
    /// A rebuild swaps the index folder at once; a reader that read the old
    /// folder's list of segments just before and opens their files just
    /// after finds them gone. It tries again (reading the new list), so
    /// only an index that stays unreadable is reported as damaged.
    fn open_reader(&self) -> Result<tantivy::IndexReader> {
        let open = || {
            self.index
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into()
        };
        let mut attempt = open();
        for _ in 0..READ_RETRIES {
            match attempt {
                Err(tantivy::TantivyError::OpenReadError(_)) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    attempt = open();
                }
                _ => break,
            }
        }
        attempt.map_err(|e| self.damaged(&e))
    }

    /// The error to report when reading this index fails.
    pub fn damaged(&self, err: &dyn std::fmt::Display) -> anyhow::Error {
        damaged(&self.dir, err)
    }

    /// Opens the index in `dir`, refusing a missing, foreign, older or
    /// damaged one with a message that says what to do.
    pub fn open(dir: &Path) -> Result<Store> {
        if !exists(dir) {
            return Err(Error::NoIndex {
                dir: dir.to_path_buf(),
                hint: format!("build one with `newsdex index --index {}`", dir.display()),
            }
            .into());
        }
        let record = fs::read_to_string(dir.join(FORMAT_FILE))
            .ok()
            .and_then(|s| serde_json::from_str::<FormatRecord>(&s).ok());
        match record {
            None => {
                return Err(unreadable(
                    dir,
                    format!(
                        "{} does not look like a newsdex index (no readable {FORMAT_FILE}): {}",
                        dir.display(),
                        rebuild_hint(dir)
                    ),
                ))
            }
            Some(r) if r.format != FORMAT_VERSION => {
                return Err(unreadable(
                    dir,
                    format!(
                        "the index at {} has format {} but this newsdex reads format {FORMAT_VERSION}: {}",
                        dir.display(),
                        r.format,
                        rebuild_hint(dir)
                    ),
                ))
            }
            Some(_) => {}
        }
        let index = Index::open_in_dir(dir).map_err(|e| damaged(dir, &e))?;
        let (expected, fields) = schema::build();
        if index.schema() != expected {
            return Err(unreadable(
                dir,
                format!(
                    "the index at {} was made with other fields than this newsdex uses: {}",
                    dir.display(),
                    rebuild_hint(dir)
                ),
            ));
        }
        index.tokenizers().register(ANALYZER_NAME, analyzer());
        Ok(Store::new(index, fields, dir))
    }

    /// A new, empty index in memory (for tests).
    #[cfg(test)]
    pub fn in_memory() -> Store {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        index.tokenizers().register(ANALYZER_NAME, analyzer());
        Store::new(index, fields, Path::new("(memory)"))
    }

    /// Creates a new, empty index in `dir`, removing whatever index files
    /// were there (an index of another format).
    pub fn create(dir: &Path) -> Result<Store> {
        if dir.join("meta.json").exists() && !dir.join(FORMAT_FILE).exists() {
            bail!(
                "{} holds an index that newsdex did not make (meta.json without {FORMAT_FILE}): leave it alone and choose another folder with --index",
                dir.display()
            );
        }
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the index folder {}", dir.display()))?;
        clear_index_files(dir)?;
        let (schema, fields) = schema::build();
        // (A new index is built: see `lean` for why its maps are lean.)
        let directory = LeanDirectory::open(dir)
            .with_context(|| format!("cannot open the index folder {}", dir.display()))?;
        let settings = tantivy::IndexSettings {
            docstore_blocksize: STORE_BLOCK_BYTES,
            ..Default::default()
        };
        let index = Index::create(directory, schema, settings)
            .with_context(|| format!("cannot create an index in {}", dir.display()))?;
        index.tokenizers().register(ANALYZER_NAME, analyzer());
        let record = FormatRecord {
            format: FORMAT_VERSION,
            created_by: format!("newsdex {}", env!("CARGO_PKG_VERSION")),
        };
        let json = serde_json::to_string_pretty(&record)?;
        fs::write(dir.join(FORMAT_FILE), json)
            .with_context(|| format!("cannot write {}", dir.join(FORMAT_FILE).display()))?;
        Ok(Store::new(index, fields, dir))
    }
}

/// The one-line error for a failure to write the index in `dir`: when the
/// disk is full, that (with the fix) instead of the library's words.
pub fn write_error(dir: &Path, err: &dyn std::fmt::Display) -> anyhow::Error {
    let text = err.to_string();
    if text.contains("os error 28") || disk_is_full(dir) {
        return Error::DiskFull {
            dir: dir.to_path_buf(),
        }
        .into();
    }
    anyhow::anyhow!("cannot write the index at {}: {text}", dir.display())
}

/// Whether the file system of `dir` has (almost) no free space left.
fn disk_is_full(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: a valid NUL-terminated path and a buffer of the right type.
    if unsafe { libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) } != 0 {
        return false;
    }
    // SAFETY: statvfs succeeded, so it filled the buffer.
    let stat = unsafe { stat.assume_init() };
    stat.f_bavail.saturating_mul(stat.f_frsize) < 4 * 1024 * 1024
}

/// Where `--rebuild` builds the new index: a hidden folder beside `dir`.
pub fn rebuild_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "index".to_string(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.newsdex-rebuild"))
}

/// Removes what a killed `--rebuild` left beside `dir` (a new index not
/// swapped in yet, or the old one not removed yet).
pub fn remove_rebuild_leftovers(dir: &Path) {
    let beside = rebuild_dir(dir);
    if beside.join(FORMAT_FILE).exists()
        || fs::read_dir(&beside).is_ok_and(|mut d| d.next().is_none())
    {
        let _ = fs::remove_dir_all(&beside);
    }
}

/// Fails unless `dir` is a folder that newsdex may replace with a new
/// index: its own index (of any format, or damaged), nothing of another
/// program's, no other visible files.
pub fn check_replaceable(dir: &Path) -> Result<()> {
    if dir.join("meta.json").exists() && !dir.join(FORMAT_FILE).exists() {
        bail!(
            "{} holds an index that newsdex did not make (meta.json without {FORMAT_FILE}): leave it alone and choose another folder with --index",
            dir.display()
        );
    }
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !is_index_file(&name) && !name.starts_with('.') {
            bail!(
                "the index folder {} holds other files (such as {name}): choose an empty or new folder with --index",
                dir.display()
            );
        }
    }
    Ok(())
}

/// The note printed while another process writes the index.
pub fn waiting(dir: &Path) -> String {
    format!(
        "waiting for another newsdex process to finish updating {}",
        dir.display()
    )
}

/// Takes the writer lock of the index in `dir` (waiting for another newsdex
/// process with `wait`), so that nothing writes to it until the guard is
/// dropped. `None` for a folder that is not a readable index.
pub fn lock(dir: &Path, wait: bool) -> Result<Option<tantivy::directory::DirectoryLock>> {
    use tantivy::directory::error::LockError;
    use tantivy::Directory;
    let Ok(directory) = MmapDirectory::open(dir) else {
        return Ok(None);
    };
    let mut waited = false;
    loop {
        match directory.acquire_lock(&tantivy::directory::INDEX_WRITER_LOCK) {
            Ok(lock) => return Ok(Some(lock)),
            Err(LockError::LockBusy) if wait => {
                if !waited {
                    messages::note(&waiting(dir));
                    waited = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(LockError::LockBusy) => {
                return Err(Error::Busy {
                    dir: dir.to_path_buf(),
                }
                .into())
            }
            Err(LockError::IoError(_)) => return Ok(None),
        }
    }
}

/// Puts the index built in `built` in place of the one in `dir`, at once
/// (the two folders are exchanged), keeps the other files of `dir` (such as
/// a `.gitignore`), and removes the old index.
pub fn swap_in(dir: &Path, built: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_index_file(&name) && !name.starts_with(".tantivy") && entry.file_type()?.is_file() {
            fs::copy(entry.path(), built.join(entry.file_name()))
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    exchange(dir, built).with_context(|| {
        format!(
            "cannot put the new index in place of {} (it is in {})",
            dir.display(),
            built.display()
        )
    })?;
    fs::remove_dir_all(built)
        .with_context(|| format!("cannot remove the old index (now in {})", built.display()))
}

/// Exchanges two folders atomically where the system can (Linux), else by
/// two renames.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let cstr = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes());
        let (ca, cb) = (cstr(a)?, cstr(b)?);
        // SAFETY: both are valid NUL-terminated paths, relative to the
        // current directory (AT_FDCWD).
        let done = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if done == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
            return Err(err);
        }
    }
    let parked = b.with_extension("old");
    fs::rename(a, &parked)?;
    fs::rename(b, a)?;
    fs::rename(&parked, b)
}

/// Whether a file name is one that tantivy or newsdex writes in an index.
fn is_index_file(name: &str) -> bool {
    let segment = name
        .split_once('.')
        .is_some_and(|(stem, _)| stem.len() == 32 && stem.chars().all(|c| c.is_ascii_hexdigit()));
    segment
        || matches!(name, "meta.json" | ".managed.json" | FORMAT_FILE)
        || name.starts_with(".tantivy-")
}

/// Removes the files of an old index, keeping everything else (such as the
/// repository's `index/.gitignore`). Refuses a folder that holds other
/// visible files: it is not an index folder, and nothing there may be lost.
fn clear_index_files(dir: &Path) -> Result<()> {
    let read = |d: &Path| {
        fs::read_dir(d).with_context(|| format!("cannot read the index folder {}", d.display()))
    };
    for entry in read(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !is_index_file(&name) && !name.starts_with('.') {
            bail!(
                "the index folder {} holds other files (such as {name}): choose an empty or new folder with --index",
                dir.display()
            );
        }
    }
    for entry in read(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_index_file(&name) && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_index_stores_passages_in_small_blocks() {
        let dir = tempfile::tempdir().unwrap();
        Store::create(dir.path()).unwrap();
        // As written for every later reader and writer of the index.
        let meta: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.path().join("meta.json")).unwrap())
                .unwrap();
        assert_eq!(meta["index_settings"]["docstore_blocksize"], 4096);
    }
}
