use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args =
        newsdex::cli::Cli::parse_from(newsdex::cli::normalize_args(std::env::args_os().collect()));
    match newsdex::cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("newsdex: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
