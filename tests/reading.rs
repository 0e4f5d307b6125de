//! Issue 12: reading, counting, dates, paging and the command line around
//! them (environment, completions, manual).

mod common;

use common::Corpus;
use predicates::prelude::*;
use serde_json::json;

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
        .stderr("newsdex: error: no command `serach`: the manual has pages for index, add, status, search, count, export, show, serve, completions, man\n");
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

/// Articles dated in each of the ways articles give a date (and one not).
fn dated_corpus() -> Corpus {
    let c = Corpus::new();
    c.write("h.txt", "Stocks slide\n\nStocks fell hard at the open.\n\nSource: Coast Courier, 1987-10-19, CC BY 2.5\n")
        .write("b.md", "# Stocks steady\n\nUpdated Oct. 20, 1987 9:05 AM\n\nStocks found a floor after two days.\n")
        .write("c.txt", "Brokers swamped\n\nNEW YORK, Oct 19 - Stocks and more stocks changed hands as brokers worked late.\n\n© 1987 Harbour Gazette. All rights reserved.\n")
        .write("d.txt", "Ana Ruiz, Tom Lee\nThe two traders outside the exchange. JOHN ROE/Wire Pictures/Getty Images\n\nStocks were the talk of the floor.\n\n© 1987 Harbour Gazette. All rights reserved.\n")
        .write("e.txt", "Markets calm\n\nLONDON, November 2, 1987 (Wire) — Stocks drifted in thin trade.\n")
        .write("f.txt", "Notes\n\nStocks, bonds and other notes, undated.\n");
    c.index_cmd().assert().success();
    c
}

#[test]
fn dates_are_read_from_each_layout_and_searched_as_ranges() {
    let c = dated_corpus();
    let (doc, _) = c.search_json(&["-n", "20", "stocks"]);
    let mut dates: Vec<(String, serde_json::Value, serde_json::Value)> = doc["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let a = &h["article"];
            (
                a["path"].as_str().unwrap().to_string(),
                a["date"].clone(),
                a["year"].clone(),
            )
        })
        .collect();
    dates.sort_by(|x, y| x.0.cmp(&y.0));
    dates.dedup();
    assert_eq!(
        dates,
        [
            ("b.md".to_string(), json!("1987-10-20"), json!(1987)),
            ("c.txt".to_string(), json!("1987-10-19"), json!(1987)),
            ("d.txt".to_string(), json!(null), json!(1987)),
            ("e.txt".to_string(), json!("1987-11-02"), json!(1987)),
            ("f.txt".to_string(), json!(null), json!(null)),
            ("h.txt".to_string(), json!("1987-10-19"), json!(1987)),
        ]
    );
    let cases: [(&str, &[&str]); 9] = [
        ("stocks date:1987-10-19", &["c.txt", "h.txt"]),
        ("stocks date:1987-10", &["b.md", "c.txt", "h.txt"]),
        ("stocks date:[1987-10-20 TO 1987-11-30]", &["b.md", "e.txt"]),
        ("stocks date:{1987-10-19 TO 1987-11-02}", &["b.md"]),
        ("stocks date:>=1987-10-20", &["b.md", "e.txt"]),
        ("stocks date:<1987-10-20", &["c.txt", "d.txt", "h.txt"]),
        (
            "stocks date:1987",
            &["b.md", "c.txt", "d.txt", "e.txt", "h.txt"],
        ),
        (
            "stocks year:>1986",
            &["b.md", "c.txt", "d.txt", "e.txt", "h.txt"],
        ),
        ("stocks -date:1987-10", &["d.txt", "e.txt", "f.txt"]),
    ];
    for (query, expected) in cases {
        assert_eq!(found(&c, query), expected, "{query}");
    }
    let (doc, code) = c.search_json(&["stocks year:<1987"]);
    assert_eq!((code, doc["total_hits"].as_u64()), (1, Some(0)));
    c.cmd()
        .args(["search", "stocks date:1987-10-32"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`date:1987-10-32` is not a date: use date:1987-10-19",
        ));
}

#[test]
fn sorting_by_date_puts_ties_in_relevance_order_and_undated_last() {
    let c = dated_corpus();
    let order = |sort: &str| -> Vec<String> {
        let (doc, _) = c.search_json(&["stocks", "--per-article", "1", "--sort", sort]);
        assert_eq!(doc["sort"], sort);
        common::hit_paths(&doc)
    };
    // h and c share a day: they come in their order by relevance.
    let relevance = order("relevance");
    let same_day: Vec<&str> = relevance
        .iter()
        .map(String::as_str)
        .filter(|p| ["c.txt", "h.txt"].contains(p))
        .collect();
    let (first, second) = (same_day[0], same_day[1]);
    assert_eq!(
        order("newest"),
        ["e.txt", "b.md", first, second, "d.txt", "f.txt"]
    );
    assert_eq!(
        order("oldest"),
        ["d.txt", first, second, "b.md", "e.txt", "f.txt"]
    );
    // (A tie that relevance breaks otherwise than their names would.)
    assert_eq!(same_day, ["h.txt", "c.txt"]);
    c.cmd()
        .args(["search", "stocks", "--sort", "newest", "-n", "1"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "word stocks: shown 1 of 6 passages in 6 articles, newest first\n",
        ));
    c.cmd()
        .args(["search", "stocks", "--sort", "latest"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'latest' for '--sort <ORDER>'",
        ));
}

fn counted(c: &Corpus, args: &[&str]) -> (serde_json::Value, i32) {
    let out = c
        .cmd()
        .arg("count")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (doc, out.status.code().unwrap())
}

fn bucket_list(doc: &serde_json::Value) -> Vec<(String, u64)> {
    doc["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap_or("null").to_string(),
                b["articles"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn counts_by_year_month_and_publisher_show_the_empty_buckets() {
    let c = Corpus::new();
    let source = |publisher: &str, date: &str| format!("Source: {publisher}, {date}, CC BY 2.5\n");
    c.write(
        "a.txt",
        format!(
            "Tides\n\nThe tide tables were printed.\n\n{}",
            source("Coast Courier", "1985-03-02")
        ),
    )
    .write(
        "b.txt",
        format!(
            "Storm\n\nThe tide rose over the wall.\n\nThe tide fell by noon.\n\n{}",
            source("Coast Courier", "1987-10-19")
        ),
    )
    .write(
        "c.txt",
        format!(
            "Dredging\n\nDredgers worked the channel.\n\n{}",
            source("Harbour Gazette", "1987-10-20")
        ),
    )
    .write(
        "d.txt",
        format!(
            "Lights\n\nThe tide lights were lit.\n\n{}",
            source("Harbour Gazette", "1987-12-01")
        ),
    )
    .write(
        "e.txt",
        "Quay\n\nThe quay was painted.\n\n© 1987 Pier Post. All rights reserved.\n",
    )
    .write("f.txt", "Notes\n\nUndated notes on the tide.\n");
    c.index_cmd().assert().success();
    let (doc, code) = counted(&c, &["--by", "year"]);
    assert_eq!(code, 0);
    assert_eq!(doc["query"], json!(null));
    assert_eq!(doc["by"], "year");
    assert_eq!(doc["total_articles"], 6);
    let s = |k: &str, n: u64| (k.to_string(), n);
    assert_eq!(
        bucket_list(&doc),
        [s("1985", 1), s("1986", 0), s("1987", 4), s("null", 1)]
    );
    let (doc, _) = counted(&c, &["tide", "--by", "month"]);
    assert_eq!(doc["total_articles"], 4);
    let months = bucket_list(&doc);
    assert_eq!(months.len(), 34 + 1, "1985-03 to 1987-12, then the undated");
    assert_eq!(months[0], s("1985-03", 1));
    assert_eq!(months[1], s("1985-04", 0));
    assert_eq!(months[31], s("1987-10", 1));
    assert_eq!(months[33], s("1987-12", 1));
    assert_eq!(months[34], s("null", 1));
    let (doc, _) = counted(&c, &["--by", "publisher"]);
    assert_eq!(
        bucket_list(&doc),
        [
            s("Coast Courier", 2),
            s("Harbour Gazette", 2),
            s("Pier Post", 1),
            s("null", 1)
        ]
    );
    // The chart: a line per bucket within 80 columns, bars to scale.
    let out = c.cmd().args(["count", "--by", "year"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let bar = |n: usize| "█".repeat(n);
    assert_eq!(
        text,
        format!(
            "every article, by year: 6 articles\n1985      1 {}\n1986      0\n1987      4 {}\n(no date) 1 {}\n",
            bar(17),
            bar(68),
            bar(17)
        )
    );
    assert_eq!(text.lines().map(|l| l.chars().count()).max(), Some(80));
    let (doc, code) = counted(&c, &["zeppelin"]);
    assert_eq!((code, doc["total_articles"].as_u64()), (1, Some(0)));
}

/// The JSON lines of `newsdex export ARGS`.
fn exported(c: &Corpus, args: &[&str]) -> Vec<serde_json::Value> {
    let out = c.cmd().arg("export").args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The field names a contrib configuration maps (Quickwit: the fields of
/// the records, not the `concatenate` fields it derives; OpenSearch: the
/// properties), sorted.
fn config_fields(name: &str) -> (Vec<String>, Vec<String>) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib");
    let quickwit: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(root.join(format!("quickwit/newsdex-{name}.yaml"))).unwrap(),
    )
    .unwrap();
    let mapping = &quickwit["doc_mapping"];
    assert_eq!(
        mapping["mode"], "strict",
        "records with other fields are refused"
    );
    let tokenizers: Vec<&str> = mapping["tokenizers"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut qw = Vec::new();
    for field in mapping["field_mappings"].as_sequence().unwrap() {
        if let Some(t) = field["tokenizer"].as_str() {
            assert!(
                ["raw", "default", "en_stem"].contains(&t) || tokenizers.contains(&t),
                "{t}"
            );
        }
        if field["type"] != "concatenate" {
            qw.push(field["name"].as_str().unwrap().to_string());
        }
    }
    qw.sort();
    let opensearch: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(format!("opensearch/newsdex-{name}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(opensearch["mappings"]["dynamic"], "strict");
    let analyzers = &opensearch["settings"]["analysis"]["analyzer"];
    let properties = opensearch["mappings"]["properties"].as_object().unwrap();
    for field in properties.values() {
        for f in std::iter::once(field).chain(
            field["fields"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values()),
        ) {
            if let Some(a) = f["analyzer"].as_str() {
                assert!(analyzers.get(a).is_some(), "analyzer {a} is defined");
            }
        }
    }
    let mut os: Vec<String> = properties.keys().cloned().collect();
    os.sort();
    (qw, os)
}

fn keys(record: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = record.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn export_gives_every_field_named_as_the_contrib_configs_map_them() {
    let c = Corpus::new();
    c.write(
        "page.txt",
        "Ana Ruiz, Tom Lee\nThe two traders outside the exchange. JOHN ROE/Wire Pictures/Getty Images\n\nStocks were the talk of the floor.\n\nBrokers stayed late.\n\n© 2025 Harbour Gazette. All rights reserved.\n",
    )
    .write("wire.txt", GRAIN)
    .write("other.txt", HARBOUR);
    c.index_cmd().assert().success();

    let articles = exported(&c, &[]);
    let paths: Vec<&str> = articles
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["other.txt", "page.txt", "wire.txt"],
        "in path order"
    );
    let page = &articles[1];
    assert_eq!(page["tags"], json!(["Ana Ruiz", "Tom Lee"]));
    assert_eq!(
        page["caption"],
        "The two traders outside the exchange. JOHN ROE/Wire Pictures/Getty Images"
    );
    assert_eq!(
        page["body"],
        "Stocks were the talk of the floor.\n\nBrokers stayed late."
    );
    assert_eq!(
        (
            page["publisher"].clone(),
            page["year"].clone(),
            page["date"].clone()
        ),
        (json!("Harbour Gazette"), json!(2025), json!(null))
    );
    assert_eq!(page["passages"], 3);
    assert_eq!(articles[2]["date"], "2019-04-09");
    let (quickwit, opensearch) = config_fields("articles");
    for a in &articles {
        assert_eq!(keys(a), quickwit, "export vs Quickwit config");
        assert_eq!(keys(a), opensearch, "export vs OpenSearch mapping");
    }

    let passages = exported(&c, &["--passages", "grain"]);
    // other.txt (one passage), then the three of wire.txt.
    let at: Vec<(&str, u64)> = passages
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["ordinal"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        at,
        [
            ("other.txt", 1),
            ("wire.txt", 1),
            ("wire.txt", 2),
            ("wire.txt", 3)
        ]
    );
    assert_eq!(
        passages[2]["passage_id"],
        format!("{}-2", passages[2]["id"].as_str().unwrap())
    );
    assert_eq!(passages[2]["id"], articles[2]["id"], "the article's id");
    assert_eq!(passages[2]["kind"], "body");
    assert_eq!(
        passages[2]["text"],
        "Dock crews loaded grain until noon, and more grain waited in the silos."
    );
    let (quickwit, opensearch) = config_fields("passages");
    for p in &passages {
        assert_eq!(keys(p), quickwit);
        assert_eq!(keys(p), opensearch);
    }

    // Bulk: an action line before each record, naming its id.
    let bulk = exported(&c, &["--bulk", "news", "harbour"]);
    assert_eq!(bulk.len(), 2);
    assert_eq!(
        bulk[0],
        json!({"index": {"_index": "news", "_id": bulk[1]["id"]}})
    );

    let bulk = exported(&c, &["--bulk", "news", "--passages", "harbour"]);
    assert_eq!(
        bulk[0],
        json!({"index": {"_index": "news", "_id": bulk[1]["passage_id"]}})
    );
    c.cmd()
        .args(["export", "zeppelin"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("exported 0 articles\n");
}
