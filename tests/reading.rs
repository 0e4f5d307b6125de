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
        .stderr("newsdex: error: no command `serach`: the manual has pages for index, add, status, search, show, completions, man\n");
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

/// Every article the query finds, sorted (for set comparisons).
fn found(c: &Corpus, query: &str) -> Vec<String> {
    let (doc, _) = c.search_json(&["-n", "100", query]);
    let mut paths = common::hit_paths(&doc);
    paths.sort();
    paths
}

#[test]
fn the_ignore_file_and_readme_files_leave_files_out() {
    let c = Corpus::new();
    let article = |title: &str| format!("{title}\n\nThe lighthouse keeper wrote about {title}.\n");
    c.write("README.md", article("About this corpus"))
        .write("reuters/README.md", article("About the wire"))
        .write("reuters/LICENSE.txt", article("Licence terms"))
        .write("reuters/a.txt", article("Storm"))
        .write("reuters/b.draft.md", article("Draft storm"))
        .write("drafts/c.txt", article("Unfinished"))
        .write("deep/er/README.md", article("A story named readme"))
        .write(
            ".newsdexignore",
            "# not yet\ndrafts/\n*.draft.md\n{a,b\n!reuters/README.md\n",
        );
    c.index_cmd().assert().success().stderr(
        predicate::str::contains("2 paths left out by .newsdexignore; README.md, reuters/LICENSE.txt not read as articles")
            .and(predicate::str::contains(".newsdexignore line 4: error parsing glob '{a,b'")),
    );
    assert_eq!(
        found(&c, "lighthouse"),
        ["deep/er/README.md", "reuters/README.md", "reuters/a.txt"]
    );
    let out = c.cmd().args(["status", "--json"]).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        status["ignored"],
        serde_json::json!([
            {"path": "README.md", "by": "README/LICENSE"},
            {"path": "drafts/", "by": "drafts/"},
            {"path": "reuters/LICENSE.txt", "by": "README/LICENSE"},
            {"path": "reuters/b.draft.md", "by": "*.draft.md"},
        ])
    );
    assert_eq!(status["in_sync"], true);

    // add refuses a file the ignore file names, and leaves out a README of
    // a folder it is given, without failing.
    c.cmd()
        .args(["add", "seeds/drafts/c.txt"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "rejected seeds/drafts/c.txt: left out by `drafts/` in seeds/.newsdexignore",
        ));
    let outside = c.root().join("incoming");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("README.txt"), article("Read me first")).unwrap();
    std::fs::write(outside.join("gale.txt"), article("Gale")).unwrap();
    c.cmd().args(["add", "incoming"]).assert().success().stdout(
        predicate::str::contains("README.txt: a README or licence file, not an article")
            .and(predicate::str::contains("added seeds/added/")),
    );
    assert_eq!(found(&c, "lighthouse").len(), 4, "gale added, README not");

    // Changing the ignore file changes what the index holds (reuters/README.md
    // is no longer re-included).
    c.write(".newsdexignore", "reuters/a.txt\n");
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains("2 added, 0 updated, 2 removed"));
    let now = found(&c, "lighthouse");
    assert!(
        now.contains(&"drafts/c.txt".to_string()) && !now.contains(&"reuters/a.txt".to_string())
    );
}

const GRAIN: &str = "Grain ships return\n\nThe first ships reached the quay at dawn.\n\nDock crews loaded grain until noon, and more grain waited in the silos.\n\nThe port expects forty ships a week by June.\n\nSource: Coast Courier, 2019-04-09, CC BY 2.5\n";

#[test]
fn show_prints_the_whole_article_with_the_query_highlighted() {
    let c = Corpus::new();
    c.write("port/grain.txt", GRAIN).write("other.txt", HARBOUR);
    c.index_cmd().assert().success();
    let (hits, _) = c.search_json(&["silos"]);
    let id = hits["hits"][0]["article"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = c
        .cmd()
        .args(["show", "--json", &id, "grain"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["article"]["path"], "port/grain.txt");
    assert_eq!(doc["article"]["date"], "2019-04-09");
    assert_eq!(
        doc["article"]["title_highlights"],
        serde_json::json!([[0, 5]])
    );
    let ordinals: Vec<u64> = doc["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ordinal"].as_u64().unwrap())
        .collect();
    assert_eq!(ordinals, [1, 2, 3]);
    assert_eq!(doc["passages"][0]["highlights"], serde_json::json!([]));
    let second = &doc["passages"][1];
    assert_eq!(
        common::marked(&serde_json::json!({ "passage": second })),
        ["grain", "grain"]
    );
    assert_eq!(
        second["text"],
        "Dock crews loaded grain until noon, and more grain waited in the silos."
    );

    // By path, as the shell completes it; text with the passage numbers.
    c.cmd()
        .args(["show", "seeds/port/grain.txt"])
        .assert()
        .success()
        .stdout(
            "Grain ships return\n\
             Coast Courier · 2019-04-09 · port/grain.txt · id "
                .to_string()
                + &id
                + "\n\n1  The first ships reached the quay at dawn.\n\n\
                   2  Dock crews loaded grain until noon, and more grain waited in the silos.\n\n\
                   3  The port expects forty ships a week by June.\n",
        );
    c.cmd()
        .args(["show", "port/missing.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no article `port/missing.txt` in index",
        ));
    c.cmd()
        .args(["show", "port/grain.txt", "grain AND ("])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "newsdex: error: invalid query:",
        ));
}

/// (path, passage ordinal, rank) of each hit.
fn hit_keys(doc: &serde_json::Value) -> Vec<(String, u64, u64)> {
    doc["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["article"]["path"].as_str().unwrap().to_string(),
                h["passage"]["ordinal"].as_u64().unwrap(),
                h["rank"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn ferry_corpus() -> Corpus {
    let c = Corpus::new();
    c.write("a.txt", "Ferry strike\n\nThe ferry crews walked out.\n\nNo ferry sailed on Friday.\n\nTalks resume on Monday.\n")
        .write("b.txt", "Island trade\n\nA ferry brings the mail.\n\nThe ferry also brings fuel.\n")
        .write("c.txt", "Harbour fees\n\nFees rose for every ferry.\n")
        .write("d.txt", "Bridge plan\n\nThe bridge would replace the ferry.\n")
        .write("e.txt", "Weather\n\nGales closed the coast road.\n");
    c.index_cmd().assert().success();
    c
}

#[test]
fn counts_are_of_passages_and_articles_and_pages_follow_each_other() {
    let c = ferry_corpus();
    let (all, code) = c.search_json(&["ferry"]);
    assert_eq!(code, 0);
    assert_eq!(all["total_hits"], 6);
    assert_eq!(all["total_articles"], 4);
    assert_eq!(all["offset"], 0);
    let all = hit_keys(&all);
    assert_eq!(all.len(), 6);
    let (page, _) = c.search_json(&["ferry", "-n", "2", "--offset", "2"]);
    assert_eq!(page["offset"], 2);
    assert_eq!(hit_keys(&page), all[2..4], "the second page of two");
    c.cmd()
        .args(["search", "ferry", "-n", "2", "--offset", "2"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "word ferry: shown 3–4 of 6 passages in 4 articles\n",
        ));
    c.cmd()
        .args(["search", "ferry", "--offset", "6"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("newsdex: no hits past the first 6: `ferry` matches 6 passages in 4 articles\n");
}

#[test]
fn pages_go_past_ten_thousand_hits() {
    let c = Corpus::new();
    // 3,400 articles of three passages, each with the word once: 10,200 hits.
    for n in 0..3400 {
        c.write(
            &format!("f{}/{n}.txt", n / 500),
            format!("Report {n}\n\nKelp count {n} in the north.\n\nKelp count {n} in the south, {} metres.\n\nKelp count {n} offshore.\n", n % 7),
        );
    }
    c.index_cmd().assert().success();
    let (whole, _) = c.search_json(&["kelp", "-n", "10010"]);
    assert_eq!(whole["total_hits"], 10_200);
    assert_eq!(whole["total_articles"], 3400);
    let whole = hit_keys(&whole);
    assert_eq!(whole.len(), 10_010);
    let (page, _) = c.search_json(&["kelp", "--offset", "10000", "-n", "10"]);
    let page = hit_keys(&page);
    assert_eq!(page, whole[10_000..]);
    assert_eq!(page[0].2, 10_001);
}

#[test]
fn context_shows_the_passages_around_a_hit_within_its_article() {
    let c = Corpus::new();
    // Another article just before it in the index, which context never reaches into.
    c.write("a.txt", "Tides\n\nHigh water at noon.\n");
    c.write(
        "long.txt",
        "Ferry log\n\nMonday: calm crossing.\n\nTuesday: fog delayed the ferry.\n\nWednesday: calm again.\n\nThursday: the ferry was full.\n",
    );
    c.index_cmd().assert().success();
    let (doc, _) = c.search_json(&["ferry", "-C", "2", "--per-article", "5"]);
    let ordinals = |hit: &serde_json::Value, side: &str| -> Vec<u64> {
        hit[side]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["ordinal"].as_u64().unwrap())
            .collect()
    };
    let hits = doc["hits"].as_array().unwrap();
    let by_ordinal = |o: u64| hits.iter().find(|h| h["passage"]["ordinal"] == o).unwrap();
    // Passage 2 has one passage before it; passage 4 is the last.
    assert_eq!(ordinals(by_ordinal(2), "context_before"), [1]);
    assert_eq!(ordinals(by_ordinal(2), "context_after"), [3, 4]);
    assert_eq!(ordinals(by_ordinal(4), "context_before"), [2, 3]);
    assert_eq!(ordinals(by_ordinal(4), "context_after"), Vec::<u64>::new());
    // Context passages carry the query's highlights too.
    let after = &by_ordinal(2)["context_after"][1];
    assert_eq!(
        common::marked(&serde_json::json!({ "passage": after })),
        ["ferry"]
    );
    // Without -C, no context.
    let (plain, _) = c.search_json(&["ferry"]);
    assert_eq!(plain["hits"][0]["context_before"], serde_json::json!([]));
    assert_eq!(plain["hits"][0]["context_after"], serde_json::json!([]));
    c.cmd()
        .args(["search", "fog", "-C", "1"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(
            "   ┆ (1) Monday: calm crossing.\n   Tuesday: fog delayed the ferry.\n   ┆ (3) Wednesday: calm again.\n",
        ));
}
