//! The program's memory allocator, chosen per command.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, Ordering};

/// The allocator: mimalloc for the commands that build an index (`index`,
/// `add`: tantivy's indexing threads allocate a lot, and with mimalloc an
/// x10 build peaked at 206–221 MB instead of 258–282 MB, as fast), the
/// system's for the others (a search is a short process, and mimalloc's
/// start — its arena reserved and its bitmaps written — was a tenth of a
/// small search's time: 110 page faults of 440). Chosen at the first
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
            let chosen = if builds() { MIMALLOC } else { SYSTEM };
            CHOICE.store(chosen, Ordering::Relaxed);
            chosen
        }
        chosen => chosen,
    }
}

/// Whether the command (the first argument) is one that builds an index.
#[cfg(target_os = "linux")]
fn builds() -> bool {
    let mut buf = [0u8; 256];
    // SAFETY: a read of at most buf.len() bytes into buf, from a file
    // opened and closed here.
    let n = unsafe {
        let fd = libc::open(
            c"/proc/self/cmdline".as_ptr(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        );
        if fd < 0 {
            return false;
        }
        let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        libc::close(fd);
        n
    };
    usize::try_from(n).is_ok_and(|n| builds_by(&buf[..n.min(buf.len())]))
}

/// Whether a command line (arguments each ended by a NUL byte, the
/// program first) runs a command that builds an index.
fn builds_by(cmdline: &[u8]) -> bool {
    let mut args = cmdline.split(|&b| b == 0);
    args.next(); // the program
    matches!(args.next(), Some(b"index" | b"add"))
}

#[cfg(not(target_os = "linux"))]
fn builds() -> bool {
    true
}

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
    use super::builds_by;

    #[test]
    fn index_and_add_build_other_commands_do_not() {
        assert!(builds_by(b"newsdex\0index\0--seeds\0news\0"));
        assert!(builds_by(b"/usr/bin/newsdex\0add\0story.txt\0"));
        assert!(builds_by(b"newsdex\0index"));
        for other in [
            &b"newsdex\0search\0index\0"[..],
            b"newsdex\0search\0--index\0idx\0add\0",
            b"newsdex\0serve\0",
            b"newsdex\0--version\0",
            b"newsdex\0indexes\0",
            b"newsdex\0",
            b"",
        ] {
            assert!(!builds_by(other), "{}", String::from_utf8_lossy(other));
        }
    }
}
