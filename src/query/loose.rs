//! Reading a query loosely: any of its words instead of all of them (a
//! natural-language query, or no article having them all), and its words
//! as plain words when it is not valid query syntax.

use super::parse::{Leaf, Node, Scope};

/// Whether a node constrains the articles rather than naming words to find:
/// an exclusion, a year or date, or a leaf restricted to a field.
fn is_constraint(node: &Node) -> bool {
    match node {
        Node::Not(_) | Node::Leaf(Leaf::Range { .. }) => true,
        Node::Leaf(
            Leaf::Word { scope, .. } | Leaf::Phrase { scope, .. } | Leaf::Prefix { scope, .. },
        ) => *scope != Scope::Default,
        Node::And(_) | Node::Or(_) => false,
    }
}

/// The query asking for any of the words instead of all of them: the words
/// of every AND become alternatives; constraints (exclusions, years, field
/// restrictions) stay required.
pub fn relax(node: &Node) -> Node {
    match node {
        Node::And(items) => {
            let (neg, pos): (Vec<&Node>, Vec<&Node>) = items.iter().partition(|n| is_constraint(n));
            if pos.is_empty() {
                return node.clone();
            }
            let mut any: Vec<Node> = pos.into_iter().map(relax).collect();
            let alternatives = if any.len() == 1 {
                any.remove(0)
            } else {
                Node::Or(any)
            };
            if neg.is_empty() {
                alternatives
            } else {
                let mut all = vec![alternatives];
                all.extend(neg.into_iter().cloned());
                Node::And(all)
            }
        }
        Node::Or(items) => Node::Or(items.iter().map(relax).collect()),
        other => other.clone(),
    }
}

/// The query's words as plain words: what a natural-language query that is
/// not valid query syntax is read as (quotes, parentheses, brackets, field
/// colons, prefix stars and leading `-`/`+` dropped; operators lowercased).
pub fn plain_words(input: &str) -> String {
    let cleaned: String = input
        .chars()
        .map(|c| {
            if matches!(
                c,
                '"' | '“' | '”' | '(' | ')' | '[' | ']' | '{' | '}' | ':' | '*' | '~'
            ) {
                ' '
            } else {
                c
            }
        })
        .collect();
    cleaned
        .split_whitespace()
        .map(|w| w.trim_start_matches(['-', '+']))
        .filter(|w| !w.is_empty())
        .map(|w| {
            if matches!(w, "AND" | "OR" | "NOT") {
                w.to_lowercase()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;
    use crate::query::parse::tests::word;

    #[test]
    fn relax_keeps_years_and_fields_required() {
        let q = parse("a b year:2006 title:c").unwrap();
        let Node::And(items) = relax(&q) else {
            panic!("an AND")
        };
        assert_eq!(items[0], Node::Or(vec![word("a"), word("b")]));
        assert_eq!(items.len(), 3);
        let only_constraints = parse("title:a year:2006").unwrap();
        assert_eq!(relax(&only_constraints), only_constraints);
    }

    #[test]
    fn relax_turns_and_into_or_but_keeps_exclusions() {
        let relaxed = relax(&parse("a b -c").unwrap());
        assert_eq!(
            relaxed,
            Node::And(vec![
                Node::Or(vec![word("a"), word("b")]),
                Node::Not(Box::new(word("c")))
            ])
        );
    }

    #[test]
    fn plain_words_drop_the_syntax() {
        assert_eq!(
            plain_words("Reagan's budget: what's in it (for farmers)? \"yes\" -no AND"),
            "Reagan's budget what's in it for farmers ? yes no and"
        );
        assert!(parse(&plain_words("a: (b")).is_ok());
    }
}
