use std::process::ExitCode;

use clap::Parser;
use newsdex::Exit;

/// mimalloc instead of the system allocator: a large `index` run is about a
/// fifth faster (tantivy's indexing threads allocate a lot). Without
/// transparent huge pages (`no_thp`), which made each search zero whole 2 MiB
/// pages it barely used.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    newsdex::cli::forget_empty_env();
    let argv = newsdex::cli::normalize_args(std::env::args_os().collect());
    let args = match newsdex::cli::Cli::try_parse_from(argv) {
        Ok(args) => args,
        Err(err) => match newsdex::cli::usage_error(&err) {
            Some(line) => {
                newsdex::messages::error(&line);
                return Exit::Error.into();
            }
            None => err.exit(),
        },
    };
    match newsdex::cli::run(args) {
        Ok(exit) => exit.into(),
        Err(err) => {
            newsdex::messages::error(&err.to_string());
            err.exit().into()
        }
    }
}
