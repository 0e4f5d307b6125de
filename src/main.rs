use std::process::ExitCode;

use clap::Parser;
use newsdex::Exit;

/// mimalloc to build an index, the system's allocator otherwise: see
/// `newsdex::allocator`.
#[global_allocator]
static ALLOCATOR: newsdex::allocator::Allocator = newsdex::allocator::Allocator;

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
