//! The query as newsdex understood it, in words for people: the first line
//! of the text output and `understood` in JSON.

use super::parse::{Leaf, Node, Scope};

/// The query as newsdex understood it, for people: `phrase "interest
/// rates"`, `words interest, rates`, `any of the words …`, or the whole
/// expression (`"drone strikes" AND (tariffs OR duties) AND NOT mexico`).
pub fn describe(node: &Node) -> String {
    let plain = |items: &[Node]| -> Option<Vec<String>> {
        items
            .iter()
            .map(|n| match n {
                Node::Leaf(Leaf::Word {
                    scope: Scope::Default,
                    text,
                }) => Some(text.clone()),
                _ => None,
            })
            .collect()
    };
    match node {
        Node::Leaf(Leaf::Word {
            scope: Scope::Default,
            text,
        }) => format!("word {text}"),
        Node::Leaf(Leaf::Phrase {
            scope: Scope::Default,
            ..
        }) => format!("phrase {}", expression(node)),
        Node::And(items) if plain(items).is_some() => {
            format!("words {}", plain(items).unwrap_or_default().join(", "))
        }
        Node::Or(items) if plain(items).is_some() => format!(
            "any of the words {}",
            plain(items).unwrap_or_default().join(", ")
        ),
        _ => expression(node),
    }
}

fn expression(node: &Node) -> String {
    let joined = |items: &[Node], op: &str| {
        items
            .iter()
            .map(|n| match n {
                Node::And(_) | Node::Or(_) => format!("({})", expression(n)),
                _ => expression(n),
            })
            .collect::<Vec<_>>()
            .join(op)
    };
    match node {
        Node::And(items) => joined(items, " AND "),
        Node::Or(items) => joined(items, " OR "),
        Node::Not(inner) => match **inner {
            Node::And(_) | Node::Or(_) => format!("NOT ({})", expression(inner)),
            _ => format!("NOT {}", expression(inner)),
        },
        Node::Leaf(leaf) => leaf_text(leaf),
    }
}

fn leaf_text(leaf: &Leaf) -> String {
    let field = |scope: &Scope| match scope {
        Scope::Default => "",
        Scope::Title => "title:",
        Scope::Tags => "tags:",
        Scope::Publisher => "publisher:",
        Scope::Text => "text:",
    };
    match leaf {
        Leaf::Word { scope, text } => format!("{}{text}", field(scope)),
        Leaf::Phrase { scope, text, slop } if *slop > 0 => {
            format!("{}\"{text}\"~{slop}", field(scope))
        }
        Leaf::Phrase { scope, text, .. } => format!("{}\"{text}\"", field(scope)),
        Leaf::Prefix { scope, text } => format!("{}{text}*", field(scope)),
        Leaf::Range { written, .. } => written.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{parse, relax};

    fn understood(q: &str) -> String {
        describe(&parse(q).unwrap())
    }

    #[test]
    fn phrases_and_words_are_told_apart() {
        assert_eq!(
            understood("\"interest rates\""),
            "phrase \"interest rates\""
        );
        assert_eq!(understood("interest rates"), "words interest, rates");
        assert_eq!(understood("rates"), "word rates");
        assert_eq!(
            describe(&relax(&parse("interest rates").unwrap())),
            "any of the words interest, rates"
        );
        assert_eq!(
            understood("\"drone strikes\"~2 (tariffs OR duties) -mexico title:trade year:>=2020"),
            "\"drone strikes\"~2 AND (tariffs OR duties) AND NOT mexico AND title:trade AND year:>=2020"
        );
        assert_eq!(
            understood("econ* year:[2004 TO 2006]"),
            "econ* AND year:[2004 TO 2006]"
        );
    }
}
