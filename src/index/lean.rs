//! The folder of an index being built, read through memory maps whose
//! pages are let go of as the build moves on.
//!
//! tantivy reads segments through memory maps; a merge of large segments
//! touches most of their pages, and every page touched stays in the
//! building process's resident memory until the map is dropped (a million
//! articles: about half a gigabyte on top of the writer's buffers). Those
//! pages are the system's file cache, not the process's own memory: every
//! few tenths of a second, [`LeanDirectory`] tells the kernel that its maps'
//! pages are not needed in the process (`madvise(MADV_DONTNEED)`), so the
//! process keeps only what it is reading at the moment; a page read again
//! comes back from the file cache. Nothing is written through these maps.
//!
//! Searching uses tantivy's own [`MmapDirectory`], whose pages stay.

use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};

/// How often resident pages are let go of.
const RELEASE_EVERY: Duration = Duration::from_millis(200);

/// The maps a [`LeanDirectory`] handed out (those still in use).
type Maps = Mutex<Vec<Weak<memmap2::Mmap>>>;

/// An index folder whose read maps do not keep their pages resident.
#[derive(Clone, Debug)]
pub struct LeanDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    maps: Arc<Maps>,
}

impl LeanDirectory {
    /// Opens `dir`, and starts letting go of its maps' pages (until every
    /// clone of the directory is dropped).
    pub fn open(dir: &Path) -> tantivy::Result<LeanDirectory> {
        let inner = MmapDirectory::open(dir)?;
        let maps: Arc<Maps> = Arc::default();
        let watched = Arc::downgrade(&maps);
        std::thread::Builder::new()
            .name("newsdex-lean".into())
            .spawn(move || release_while_alive(&watched))?;
        Ok(LeanDirectory {
            inner,
            root: dir.to_path_buf(),
            maps,
        })
    }
}

/// Lets go of the resident pages of every map in use, every
/// [`RELEASE_EVERY`], while the directory lives.
fn release_while_alive(maps: &Weak<Maps>) {
    loop {
        std::thread::sleep(RELEASE_EVERY);
        let Some(maps) = maps.upgrade() else { return };
        // (Each map is held while it is advised, so it cannot be unmapped
        // meanwhile.)
        let live: Vec<Arc<memmap2::Mmap>> = {
            let mut list = maps.lock().unwrap_or_else(|e| e.into_inner());
            list.retain(|m| m.strong_count() > 0);
            list.iter().filter_map(Weak::upgrade).collect()
        };
        for map in live {
            release(&map);
        }
    }
}

/// Tells the kernel the process does not need `map`'s pages now. For a
/// read-only map of a file this only drops them from the process: the next
/// read finds them in the file cache (or reads the file again).
#[cfg(unix)]
fn release(map: &memmap2::Mmap) {
    // SAFETY: the range is exactly a live read-only file map (held by the
    // caller); MADV_DONTNEED on such a map changes no data.
    unsafe {
        libc::madvise(
            map.as_ptr() as *mut libc::c_void,
            map.len(),
            libc::MADV_DONTNEED,
        );
    }
}

#[cfg(not(unix))]
fn release(_: &memmap2::Mmap) {}

/// A map shared by the file handles made from it.
struct Shared(Arc<memmap2::Mmap>);

impl Deref for Shared {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

// SAFETY: the bytes live in the map, which does not move while the Arc
// holds it.
unsafe impl stable_deref_trait::StableDeref for Shared {}

impl Directory for LeanDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let full = self.root.join(path);
        let file = File::open(&full).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                OpenReadError::FileDoesNotExist(path.to_path_buf())
            } else {
                OpenReadError::wrap_io_error(e, path.to_path_buf())
            }
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?
            .len();
        if len == 0 {
            return Ok(Arc::new(OwnedBytes::empty()));
        }
        // SAFETY: index files are written once and never changed while open.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?;
        let map = Arc::new(map);
        self.maps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::downgrade(&map));
        Ok(Arc::new(OwnedBytes::new(Shared(map))))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::time::Instant;

    /// The resident size (kB) of the map that holds `addr`, from
    /// /proc/self/smaps.
    fn resident_kb(addr: usize) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if let Some((from, to)) = first.split_once('-') {
                if let (Ok(from), Ok(to)) = (
                    usize::from_str_radix(from, 16),
                    usize::from_str_radix(to, 16),
                ) {
                    inside = (from..to).contains(&addr);
                    continue;
                }
            }
            if inside {
                if let Some(kb) = line.strip_prefix("Rss:") {
                    return kb.trim().trim_end_matches(" kB").trim().parse().unwrap();
                }
            }
        }
        panic!("no map holds {addr:#x}");
    }

    #[test]
    fn pages_read_through_the_directory_do_not_stay_resident() {
        let dir = tempfile::tempdir().unwrap();
        let len = 4 << 20;
        let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8 + 1).collect();
        std::fs::write(dir.path().join("big.bin"), &content).unwrap();
        let directory = LeanDirectory::open(dir.path()).unwrap();
        let handle = directory.get_file_handle(Path::new("big.bin")).unwrap();
        let bytes = handle.read_bytes(0..len).unwrap();
        let touched: u64 = bytes
            .as_slice()
            .iter()
            .step_by(4096)
            .map(|&b| u64::from(b))
            .sum();
        assert!(touched > 0);
        let addr = bytes.as_slice().as_ptr() as usize;
        assert!(
            resident_kb(addr) >= 1024,
            "read pages are resident at first"
        );
        // Let go of within a few periods (not a fixed sleep: it polls).
        let deadline = Instant::now() + Duration::from_secs(10);
        while resident_kb(addr) > 64 {
            assert!(Instant::now() < deadline, "pages still resident");
            std::thread::sleep(Duration::from_millis(20));
        }
        // And the file reads the same still.
        assert_eq!(bytes.as_slice(), &content[..]);
    }
}
