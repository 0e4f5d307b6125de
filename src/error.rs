//! What can go wrong, as the user should hear it, and the exit codes.
//!
//! Every failure a front end may need to tell apart has its own variant,
//! with a one-line message that says what is wrong and what to do; the
//! rest are already such lines ([`Error::Other`]). Inside the library,
//! functions return `anyhow::Result` and raise these variants where the
//! failure is first known; [`Error::from_anyhow`] finds them again at the
//! library's edge ([`crate::Index`]).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::query::QueryError;

/// A failure of a newsdex operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query is not valid query syntax.
    #[error("invalid query: {0}")]
    Query(#[from] QueryError),
    /// There is no index in the folder.
    #[error("no index at {}: {hint}", dir.display())]
    NoIndex { dir: PathBuf, hint: String },
    /// Another newsdex process is writing the index.
    #[error("the index at {} is being updated by another newsdex process: wait for it to finish, or pass --wait", dir.display())]
    Busy { dir: PathBuf },
    /// The index cannot be read as it is (damaged, another format, not
    /// newsdex's): the message says how to rebuild it.
    #[error("{message}")]
    Unreadable { dir: PathBuf, message: String },
    /// The disk of the index is full.
    #[error("no space left on the disk of the index at {}: free some space, then run the command again (the index keeps its last commit; what this run half-wrote is removed then)", dir.display())]
    DiskFull { dir: PathBuf },
    /// The seeds folder is missing or not a folder.
    #[error("{message}")]
    Seeds { dir: PathBuf, message: String },
    /// Anything else, as a one-line message.
    #[error("{0:#}")]
    Other(anyhow::Error),
}

impl Error {
    /// The typed error inside `err` if one was raised, else `err` itself.
    pub fn from_anyhow(err: anyhow::Error) -> Error {
        match err.downcast::<Error>() {
            Ok(typed) => typed,
            Err(err) => match err.downcast::<QueryError>() {
                Ok(query) => Error::Query(query),
                Err(err) => Error::Other(err),
            },
        }
    }

    /// The exit code for this failure (always [`Exit::Error`]).
    pub fn exit(&self) -> Exit {
        Exit::Error
    }
}

/// The result of a newsdex operation at the library's edge.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// newsdex's exit codes, grep's: found, not found, error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Something was found (or the command did what it was asked).
    Found = 0,
    /// The search ran and found nothing.
    NotFound = 1,
    /// An error, or (for `add`) something was rejected.
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_greps() {
        assert_eq!(Exit::Found as u8, 0);
        assert_eq!(Exit::NotFound as u8, 1);
        assert_eq!(Exit::Error as u8, 2);
    }

    #[test]
    fn typed_errors_are_found_again_inside_anyhow() {
        let busy = anyhow::Error::from(Error::Busy {
            dir: PathBuf::from("idx"),
        })
        .context("while adding");
        // A context on top hides nothing: the typed error is what the user sees.
        assert!(matches!(
            Error::from_anyhow(anyhow::Error::from(Error::Busy {
                dir: PathBuf::from("idx")
            })),
            Error::Busy { .. }
        ));
        assert!(busy.to_string().contains("while adding"));
        let query = anyhow::Error::from(QueryError("unclosed quote".into()));
        assert_eq!(
            Error::from_anyhow(query).to_string(),
            "invalid query: unclosed quote"
        );
        let other = Error::from_anyhow(anyhow::anyhow!("something else"));
        assert_eq!(other.to_string(), "something else");
        assert_eq!(other.exit(), Exit::Error);
    }
}
