//! Everything newsdex writes to stderr: notes, warnings and errors, one
//! line each with the `newsdex: <kind>:` prefix, escaped for the terminal
//! (see [`crate::output::terminal`]). A closed stderr is not an error.

use std::io::Write;

use crate::output::terminal;

fn line(kind: &str, message: &str) {
    let prefix = if kind.is_empty() {
        "newsdex: ".to_string()
    } else {
        format!("newsdex: {kind}: ")
    };
    let _ = writeln!(std::io::stderr(), "{prefix}{}", terminal(message));
}

/// Something the user should know about how a command ran.
pub fn note(message: &str) {
    line("note", message);
}

/// Something went wrong with one thing (a file), and the run went on.
pub fn warn(message: &str) {
    line("warning", message);
}

/// The command failed.
pub fn error(message: &str) {
    line("error", message);
}

/// A report that is not a problem (the summary of an `index` run, "no
/// passages match").
pub fn report(message: &str) {
    let _ = writeln!(std::io::stderr(), "{}", terminal(message));
}

/// A report with the `newsdex:` prefix alone.
pub fn plain(message: &str) {
    line("", message);
}
