//! What a file is to the index: new, changed, unchanged, or a copy of an
//! indexed article. A refresh (`index`) and `add` decide it the same way.

/// What the index holds at a file's path: its content id and serial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtPath<'a> {
    pub id: &'a str,
    pub serial: u64,
}

/// What to do with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Not indexed yet: index it.
    New,
    /// Indexed with other content: the article with this serial is replaced.
    Changed { serial: u64 },
    /// Indexed with this content (the file may have been touched).
    Unchanged { serial: u64 },
    /// The same content as the indexed article at `of`: not indexed again;
    /// the article that was at this path before (`replaces`) goes.
    Duplicate { of: String, replaces: Option<u64> },
}

/// Decides what a file at `rel` whose content has `id` is, given what the
/// index holds at that path and the path (if any) of an indexed article
/// with the same content.
pub fn decide(rel: &str, id: &str, at_path: Option<AtPath>, owner: Option<&str>) -> Change {
    match at_path {
        Some(at) if at.id == id => Change::Unchanged { serial: at.serial },
        _ => match owner.filter(|of| *of != rel) {
            Some(of) => Change::Duplicate {
                of: of.to_string(),
                replaces: at_path.map(|at| at.serial),
            },
            None => match at_path {
                Some(at) => Change::Changed { serial: at.serial },
                None => Change::New,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_new_changed_unchanged_or_a_copy() {
        let at = |id, serial| Some(AtPath { id, serial });
        assert_eq!(decide("a.txt", "x", None, None), Change::New);
        assert_eq!(
            decide("a.txt", "x", at("x", 7), Some("a.txt")),
            Change::Unchanged { serial: 7 }
        );
        assert_eq!(
            decide("a.txt", "y", at("x", 7), None),
            Change::Changed { serial: 7 }
        );
        assert_eq!(
            decide("b.txt", "x", None, Some("a.txt")),
            Change::Duplicate {
                of: "a.txt".into(),
                replaces: None
            }
        );
        // Edited into a copy of another: its old article goes.
        assert_eq!(
            decide("b.txt", "x", at("y", 3), Some("a.txt")),
            Change::Duplicate {
                of: "a.txt".into(),
                replaces: Some(3)
            }
        );
        // Its own content is not a copy of itself.
        assert_eq!(
            decide("a.txt", "y", at("x", 7), Some("a.txt")),
            Change::Changed { serial: 7 }
        );
    }
}
