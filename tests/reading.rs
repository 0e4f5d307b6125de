//! Issue 12: reading, counting, dates, paging and the command line around
//! them (environment, completions, manual).

mod common;

use common::Corpus;
use predicates::prelude::*;

const HARBOUR: &str = "Harbour reopens\n\nThe harbour at Port Ellis reopened to grain ships on Monday.\n\nSource: Coast Courier, 2019-04-08, CC BY 2.5\n";

#[test]
fn environment_variables_name_the_folders_and_options_win() {
    let c = Corpus::new();
    std::fs::create_dir(c.root().join("articles")).unwrap();
    std::fs::write(c.root().join("articles/harbour.txt"), HARBOUR).unwrap();
    c.cmd()
        .args(["index"])
        .env("NEWSDEX_SEEDS", "articles")
        .env("NEWSDEX_INDEX", "ix")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "indexed articles into ix: 1 added",
        ));
    c.cmd()
        .args(["search", "harbour"])
        .env("NEWSDEX_INDEX", "ix")
        .assert()
        .success()
        .stdout(predicate::str::contains("harbour.txt"));
    // The option wins over the variable.
    c.cmd()
        .args(["search", "--index", "elsewhere", "harbour"])
        .env("NEWSDEX_INDEX", "ix")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no index at elsewhere"));
    // Set but empty: the default (./index, built from ./seeds on first use).
    c.write("quay.txt", "Quay\n\nThe quay was rebuilt.\n");
    c.cmd()
        .args(["search", "quay"])
        .env("NEWSDEX_INDEX", "")
        .env("NEWSDEX_SEEDS", "")
        .assert()
        .success()
        .stderr(predicate::str::contains("building it from seeds first"));
    assert!(c.index().join("meta.json").exists());
}

#[test]
fn completions_and_manual_pages() {
    let c = Corpus::new();
    for shell in ["bash", "zsh", "fish"] {
        c.cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("per-article").and(predicate::str::contains("status")),
            );
    }
    c.cmd()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "newsdex: error: invalid value 'tcsh'",
        ));
    c.cmd().arg("man").assert().success().stdout(
        predicate::str::starts_with(".ie")
            .and(predicate::str::contains(".TH newsdex 1"))
            .and(predicate::str::contains("newsdex\\-search(1)")),
    );
    c.cmd().args(["man", "search"]).assert().success().stdout(
        predicate::str::contains(".TH newsdex-search 1")
            .and(predicate::str::contains(".SH \"QUERY LANGUAGE\"\n.nf\n"))
            .and(predicate::str::contains("NEWSDEX_INDEX")),
    );
    c.cmd()
        .args(["man", "serach"])
        .assert()
        .code(2)
        .stderr("newsdex: error: no command `serach`: the manual has pages for index, add, status, search, completions, man\n");
}

#[test]
fn search_help_summarises_the_query_language() {
    Corpus::new()
        .cmd()
        .args(["search", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Query language")
                .and(predicate::str::contains("year:>=2020"))
                .and(predicate::str::contains("'\"oil prices\"'")),
        );
}
