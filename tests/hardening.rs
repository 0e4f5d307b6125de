//! Hostile queries, hostile files and faults: each is refused or handled
//! with one clear line, never a crash, a hang or a silent surprise.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::Corpus;
use predicates::prelude::*;

const ARTICLE: &str = "Oil prices\n\nOil prices rose on Monday as traders watched the port.\n";

fn one_line_error(c: &Corpus, args: &[&OsStr], message: &str) {
    c.cmd()
        .arg("search")
        .args(args)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with("newsdex: error: "))
        .stderr(predicate::str::contains(message))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

fn corpus() -> Corpus {
    let c = Corpus::new();
    c.write("oil.txt", ARTICLE);
    c.index_cmd().assert().success();
    c
}

#[test]
fn deeply_nested_queries_are_refused_not_a_stack_overflow() {
    let c = corpus();
    // Passed as many arguments (one may not exceed 128 KiB); they are joined.
    let parens = ["(".repeat(12_000), "oil".to_string(), ")".repeat(12_000)];
    let nots: Vec<String> = std::iter::repeat_n("NOT".to_string(), 30_000)
        .chain(["oil".to_string()])
        .collect();
    let fields: Vec<String> = std::iter::repeat_n("title:(".to_string(), 20_000).collect();
    for query in [parens.to_vec(), nots, fields] {
        let mut args: Vec<&OsStr> = vec!["--".as_ref()];
        args.extend(query.iter().map(|w| -> &OsStr { w.as_ref() }));
        one_line_error(&c, &args, "more than 64 levels deep");
    }
}

#[test]
fn huge_queries_are_refused_in_one_line() {
    let c = corpus();
    let prefixes: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                "{}{}*",
                (b'a' + (i % 26) as u8) as char,
                (b'a' + (i / 26 % 26) as u8) as char
            )
        })
        .collect();
    let mut args: Vec<&OsStr> = vec!["--".as_ref()];
    for (i, p) in prefixes.iter().enumerate() {
        if i > 0 {
            args.push("OR".as_ref());
        }
        args.push(p.as_ref());
    }
    one_line_error(
        &c,
        &args,
        "has 20000 words, phrases and prefixes; at most 1024 are searched",
    );
    // The same words, few enough: they are searched.
    let few = prefixes[..300].join(" OR ");
    c.cmd().args(["search", "--", &few]).assert().success();
}

#[test]
fn a_query_that_is_not_utf8_is_a_one_line_error() {
    let c = corpus();
    one_line_error(
        &c,
        &[OsStr::from_bytes(b"oil\xff")],
        "an argument is not valid UTF-8 text",
    );
}

#[test]
fn grep_options_are_not_taken_for_words() {
    let c = corpus();
    one_line_error(
        &c,
        &["-i".as_ref(), "oil".as_ref()],
        "unexpected argument '-i'",
    );
    one_line_error(
        &c,
        &["-C".as_ref(), "2".as_ref(), "oil".as_ref()],
        "unexpected argument '-C'",
    );
    // `-n=5` is the limit, not a word; `-port` is still an exclusion.
    let (doc, code) = c.search_json(&["-n=1", "oil"]);
    assert_eq!(code, 0);
    assert_eq!(doc["query"], "oil");
    let (_, code) = c.search_json(&["oil", "-port"]);
    assert_eq!(code, 1);
}

#[test]
fn a_mistyped_index_folder_is_an_error_not_a_new_index() {
    let c = corpus();
    one_line_error(
        &c,
        &["--index".as_ref(), "typo-dir".as_ref(), "oil".as_ref()],
        "no index at typo-dir: check the path",
    );
    assert!(!c.root().join("typo-dir").exists());
    // The default place is still built on first use.
    let fresh = Corpus::new();
    fresh.write("oil.txt", ARTICLE);
    fresh
        .cmd()
        .args(["search", "oil"])
        .assert()
        .success()
        .stderr(predicate::str::contains("building it from seeds first"));
}
