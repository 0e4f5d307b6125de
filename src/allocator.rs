//! The program's memory allocator, chosen per command.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

/// The allocator: mimalloc for the commands that build an index (`index`,
/// `add`: tantivy's indexing threads allocate a lot, and with mimalloc an
/// x10 build peaked at 206–221 MB instead of 258–282 MB, as fast), the
/// system's for the others (a search is a short process, and mimalloc's
/// start — its arena reserved and its bitmaps written — was a tenth of a
/// small search's time: 110 page faults of 440). For the short commands
/// (all but `serve`) the system's allocator keeps what is freed for the
/// next allocations instead of handing it back to the kernel, which would
/// hand out zeroed pages again, one page fault each (see `keep_freed`).
/// Chosen at the first
/// allocation, before `main`, from the command line as the kernel has it
/// (`/proc/self/cmdline`, read into a buffer on the stack: nothing may be
/// allocated while choosing), and never changed, so each block is freed by
/// the allocator that made it.
pub struct Allocator;

const UNDECIDED: u8 = 0;
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;

static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

fn choice() -> u8 {
    match CHOICE.load(Ordering::Relaxed) {
        UNDECIDED => {
            let command = Command::of_process();
            let chosen = if command == Command::Build {
                MIMALLOC
            } else {
                SYSTEM
            };
            CHOICE.store(chosen, Ordering::Relaxed);
            if command == Command::Short {
                keep_freed();
            }
            chosen
        }
        chosen => chosen,
    }
}

/// What kind of command the process runs, for the choice of allocator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    /// `index`, `add`.
    Build,
    /// `serve`: a long-lived process.
    Serve,
    /// Every other command (and none): a short process.
    Short,
}

impl Command {
    /// The command of this process (the first argument).
    #[cfg(target_os = "linux")]
    fn of_process() -> Command {
        let mut buf = [0u8; 256];
        // SAFETY: a read of at most buf.len() bytes into buf, from a file
        // opened and closed here.
        let n = unsafe {
            let fd = libc::open(
                c"/proc/self/cmdline".as_ptr(),
                libc::O_RDONLY | libc::O_CLOEXEC,
            );
            if fd < 0 {
                return Command::Short;
            }
            let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
            libc::close(fd);
            n
        };
        match usize::try_from(n) {
            Ok(n) => Command::of(&buf[..n.min(buf.len())]),
            Err(_) => Command::Short,
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn of_process() -> Command {
        Command::Build
    }

    /// The command of a command line (arguments each ended by a NUL byte,
    /// the program first).
    fn of(cmdline: &[u8]) -> Command {
        let mut args = cmdline.split(|&b| b == 0);
        args.next(); // the program
        match args.next() {
            Some(b"index" | b"add") => Command::Build,
            Some(b"serve") => Command::Serve,
            _ => Command::Short,
        }
    }
}

/// Has the system's allocator (glibc's) keep freed memory for reuse: no
/// large block mapped apart and unmapped when freed (up to 32 MB, glibc's
/// most), no heap trimmed, and the heap grown 16 MB at a time (address
/// space; pages are only used when written). A search at a million articles
/// took 1,330 of its 2,430 page faults on fresh memory; with this, 4–7%
/// less time. (glibc's `mallopt` says 1, "done", even to a setting it
/// does not have: a test checks the effect.)
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed() {
    // SAFETY: mallopt only sets the allocator's parameters.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed() {}

// SAFETY: every call goes to the one allocator chosen for the process.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match choice() {
            MIMALLOC => mimalloc::MiMalloc.alloc(layout),
            _ => System.alloc(layout),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match choice() {
            MIMALLOC => mimalloc::MiMalloc.alloc_zeroed(layout),
            _ => System.alloc_zeroed(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match choice() {
            MIMALLOC => mimalloc::MiMalloc.dealloc(ptr, layout),
            _ => System.dealloc(ptr, layout),
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match choice() {
            MIMALLOC => mimalloc::MiMalloc.realloc(ptr, layout, new_size),
            _ => System.realloc(ptr, layout, new_size),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{keep_freed, Command};

    #[test]
    fn index_and_add_build_serve_serves_the_rest_are_short() {
        assert_eq!(
            Command::of(b"newsdex\0index\0--seeds\0news\0"),
            Command::Build
        );
        assert_eq!(
            Command::of(b"/usr/bin/newsdex\0add\0story.txt\0"),
            Command::Build
        );
        assert_eq!(Command::of(b"newsdex\0index"), Command::Build);
        assert_eq!(Command::of(b"newsdex\0serve\0--bind\0x\0"), Command::Serve);
        for other in [
            &b"newsdex\0search\0index\0"[..],
            b"newsdex\0search\0--index\0idx\0add\0",
            b"newsdex\0count\0serve\0",
            b"newsdex\0--version\0",
            b"newsdex\0indexes\0",
            b"newsdex\0",
            b"",
        ] {
            assert_eq!(
                Command::of(other),
                Command::Short,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    /// A block of 1 MB comes from the heap (kept for reuse when freed), not
    /// from a map of its own (glibc marks those in the chunk's size word,
    /// just before the block: bit 1, IS_MMAPPED).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn a_large_block_comes_from_the_heap_that_keeps_it() {
        keep_freed();
        // SAFETY: a block allocated, its chunk header read (within glibc's
        // chunk, just before the block) and the block freed.
        let mapped = unsafe {
            let block = libc::malloc(1 << 20).cast::<usize>();
            assert!(!block.is_null());
            let mapped = *block.sub(1) & 2 != 0;
            libc::free(block.cast());
            mapped
        };
        assert!(!mapped, "a block of 1 MB was mapped on its own");
    }
}
