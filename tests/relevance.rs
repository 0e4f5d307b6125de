//! Ranking and matching as a reader means them: article-level evidence,
//! exact words in quotes, prefixes over the words as written, copies shown
//! once, natural-language queries, and the query as understood.

mod common;

use common::{every_hit_path as paths, expanded, marked, Corpus};
use predicates::prelude::*;

#[test]
fn a_first_line_that_runs_on_is_body_text() {
    let c = Corpus::new();
    c.write(
        "drought.txt",
        "Rainfall in the northern valleys was the lowest\nin forty years, the water board said.\n\nReservoirs stand at a third of capacity.\n",
    );
    c.index_cmd().assert().success();
    let (doc, code) = c.search_json(&["northern", "forty"]);
    assert_eq!(code, 0);
    let hit = &doc["hits"][0];
    assert_eq!(hit["article"]["title"], "");
    assert_eq!(hit["passage"]["ordinal"], 1);
    assert!(hit["passage"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Rainfall in the northern valleys was the lowest in forty years"));
    assert_eq!(marked(hit), ["northern", "forty"]);
    // The first line is not a headline.
    let (_, code) = c.search_json(&["title:rainfall"]);
    assert_eq!(code, 1);
}

/// One article is about desalination throughout; another mentions it once,
/// in a short paragraph that on its own scores higher than any paragraph
/// of the first.
#[test]
fn an_article_relevant_throughout_outranks_a_single_lucky_paragraph() {
    let c = Corpus::new();
    let throughout = [
        "The coastal city opened its first desalination works on Monday after six years of delays and lawsuits from fishing groups.",
        "Engineers said the desalination works would supply a fifth of the water used by homes and farms in the region during dry summers.",
        "Critics of desalination point to the energy it needs and to the brine that is pumped back into the bay near the old harbour.",
        "The utility plans a second desalination works further north once the first has run for a full year without breakdowns.",
    ];
    c.write(
        "water/desalination-opens.txt",
        format!(
            "Coast opens its desalination works\n\n{}\n",
            throughout.join("\n\n")
        ),
    );
    c.write(
        "water/council-roundup.txt",
        "Council roundup\n\nThe council approved a new bus depot and a bike lane on the high street after a long evening of debate about parking spaces and delivery vans.\n\nOne councillor asked about desalination.\n\nA vote on the library budget was put off until the spring because two members were absent with the flu and one had resigned.\n",
    );
    c.index_cmd().assert().success();
    let (doc, code) = c.search_json(&["desalination", "--per-article", "1"]);
    assert_eq!(code, 0);
    assert_eq!(
        paths(&doc),
        ["water/desalination-opens.txt", "water/council-roundup.txt"]
    );
    // The lucky paragraph is the best passage on its own: shown first
    // among passages of the other article only because of its article.
    let (text, _) = c.search_json(&["text:desalination", "--per-article", "1"]);
    assert_eq!(
        text["hits"][1]["passage"]["text"],
        "One councillor asked about desalination."
    );
}

#[test]
fn a_prefix_matches_the_words_as_written_and_is_scored() {
    let c = Corpus::new();
    // The article with more of the words comes later in the folder: a
    // constant score would list it second.
    c.write(
        "z.txt",
        "Border report\n\nImmigration rose, and immigration courts and immigration lawyers were busy.\n",
    );
    c.write(
        "b.txt",
        "Farm report\n\nSome immigrants found work on farms this spring, growers said.\n",
    );
    c.index_cmd().assert().success();
    let (doc, code) = c.search_json(&["immigra*"]);
    assert_eq!(code, 0);
    // Scored with BM25 over the words it expands to: more occurrences first.
    assert_eq!(paths(&doc), ["z.txt", "b.txt"]);
    assert_eq!(
        marked(&doc["hits"][0]),
        ["Immigration", "immigration", "immigration"]
    );
    assert_eq!(marked(&doc["hits"][1]), ["immigrants"]);
    // A repeated prefix is expanded and read once (it only weighs more).
    let (again, _) = c.search_json(&["immigra*", "OR", "immigra*"]);
    assert_eq!(paths(&again), paths(&doc));
    assert_eq!(marked(&again["hits"][0]), marked(&doc["hits"][0]));
    assert_eq!(again["total_hits"], doc["total_hits"]);
}

#[test]
fn quotes_mean_the_words_as_written() {
    let c = Corpus::new();
    c.write(
        "executions.txt",
        "Executions halted\n\nThe executions were halted by the court.\n",
    );
    c.write(
        "executive.txt",
        "Board news\n\nThe executive board met on Tuesday.\n",
    );
    c.write(
        "drones.txt",
        "Drone strike\n\nA drone strike hit the depot.\n",
    );
    c.index_cmd().assert().success();
    let (doc, _) = c.search_json(&["\"executions\""]);
    assert_eq!(paths(&doc), ["executions.txt"]);
    assert_eq!(marked(&doc["hits"][0]), ["executions"]);
    // Unquoted, the word is stemmed (Snowball makes both `execut`).
    let (doc, _) = c.search_json(&["executions"]);
    assert_eq!(doc["hits"].as_array().unwrap().len(), 2);
    let (_, code) = c.search_json(&["\"drone strikes\""]);
    assert_eq!(code, 1, "the phrase as written is not in drones.txt");
    let (doc, _) = c.search_json(&["drone strikes"]);
    assert_eq!(paths(&doc), ["drones.txt"]);
    // Case and accents still do not matter inside quotes.
    let (doc, _) = c.search_json(&["\"EXECUTIONS were\""]);
    assert_eq!(marked(&doc["hits"][0]), ["executions were"]);
}

#[test]
fn dotted_abbreviations_are_not_ordinary_words() {
    let c = Corpus::new();
    c.write("us.txt", "Letters\n\nWrite to us at the usual address.\n");
    c.write("usa.txt", "Trade\n\nThe U.S. trade deficit narrowed.\n");
    c.index_cmd().assert().success();
    let (doc, _) = c.search_json(&["U.S."]);
    assert_eq!(paths(&doc), ["usa.txt"]);
    assert_eq!(marked(&doc["hits"][0]), ["U.S."]);
    let (doc, _) = c.search_json(&["us"]);
    assert_eq!(paths(&doc), ["us.txt"]);
}

#[test]
fn copies_of_a_passage_are_shown_once() {
    let c = Corpus::new();
    let wire = "Officials confirmed the pipeline leak was sealed by Friday evening.";
    c.write(
        "a/first.txt",
        format!("Leak sealed\n\n{wire}\n\nThe first paper added its own closing line.\n"),
    );
    c.write(
        "b/second.txt",
        format!("Pipeline repaired\n\n{wire}\n\nThe second paper ended differently.\n"),
    );
    c.write(
        "c/third.txt",
        format!(
            "Pipeline news\n\n{}\n\nA third paper.\n",
            wire.to_uppercase()
        ),
    );
    c.index_cmd().assert().success();
    let (doc, _) = c.search_json(&["pipeline", "leak"]);
    let hits = doc["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{doc}");
    let text = hits[0]["passage"]["text"].as_str().unwrap();
    assert_eq!(text.to_lowercase(), wire.to_lowercase());
    let mut all: Vec<&str> = hits[0]["also_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(all.len(), 2);
    all.push(hits[0]["article"]["path"].as_str().unwrap());
    all.sort_unstable();
    assert_eq!(all, ["a/first.txt", "b/second.txt", "c/third.txt"]);
    assert!(hits[0]["also_in"][0]["id"].as_str().unwrap().len() == 16);
    c.cmd()
        .args(["search", "pipeline", "leak"])
        .assert()
        .success()
        .stdout(predicate::str::contains("+2 copies"));
}

#[test]
fn a_pasted_question_is_read_as_words_without_stop_words() {
    let c = Corpus::new();
    c.write(
        "farm.txt",
        "Farm budget\n\nThe budget cuts payments to farmers in the plains states.\n",
    );
    c.write(
        "city.txt",
        "City budget\n\nThe city budget is in the red, and it is late.\n",
    );
    c.index_cmd().assert().success();
    let query = "Reagan's budget: what's in it for farmers?";
    let out = c
        .cmd()
        .args(["search", "--any", "--no-expand", "--json", query])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("newsdex: note: read the query as plain words"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["ignored"],
        serde_json::json!(["what", "in", "it", "for"])
    );
    assert_eq!(paths(&doc)[0], "farm.txt");
    // Stop words are neither matched nor highlighted.
    assert_eq!(marked(&doc["hits"][0]), ["budget", "farmers"]);
    assert_eq!(marked(&doc["hits"][1]), ["budget"]);
    // The same question without --any is a query-syntax error.
    c.cmd()
        .args(["search", query])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `budget:`"));
}

#[test]
fn expansion_adds_words_that_are_not_highlighted() {
    let c = Corpus::new();
    for i in 0..4 {
        c.write(
            &format!("grain/{i}.txt"),
            format!("Harvest {i}\n\nThe wheat harvest filled the silos and the grain elevators near town {i}.\n"),
        );
    }
    c.write(
        "grain/silos.txt",
        "Storage\n\nNew silos and grain elevators were built by the cooperative.\n",
    );
    c.write("other.txt", "Weather\n\nRain fell on the coast.\n");
    c.index_cmd().assert().success();
    let (doc, _) = c.search_json(&["--any", "wheat", "-n", "10", "--per-article", "1"]);
    let added = expanded(&doc);
    assert!(added.contains(&"silos".to_string()), "{added:?}");
    // Found through the added words, but nothing is marked in it.
    let silos = doc["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["article"]["path"] == "grain/silos.txt")
        .expect("the article without the word is found by expansion");
    assert_eq!(silos["passage"]["highlights"], serde_json::json!([]));
    assert!(!paths(&doc).contains(&"other.txt".to_string()));
    let (plain, _) = c.search_json(&["--any", "--no-expand", "wheat"]);
    assert_eq!(plain["expanded"], serde_json::json!([]));
    assert_eq!(plain["hits"].as_array().unwrap().len(), 4);
}

/// Expansion learns its words from the best articles the query accepts:
/// with a date filter, not from better-scoring articles of another year.
#[test]
fn expansion_learns_only_from_articles_the_filters_accept() {
    let c = Corpus::new();
    for i in 0..3 {
        c.write(
            &format!("old/{i}.txt"),
            format!("Harvest {i}\n\nNEW YORK, Oct 19 - The wheat went into silos near town {i}.\n\n© 1987 Harbour Gazette.\n"),
        );
        c.write(
            &format!("new/{i}.txt"),
            format!("Wheat {i}\n\nNEW YORK, Oct 19 - Wheat, wheat and more wheat: tractors hauled the wheat to town {i}.\n\n© 1990 Harbour Gazette.\n"),
        );
    }
    c.index_cmd().assert().success();
    let expanded = |args: &[&str]| expanded(&c.search_json(args).0);
    let all_years = expanded(&["--any", "wheat"]);
    assert!(all_years.contains(&"tractors".to_string()), "{all_years:?}");
    let in_1987 = expanded(&["--any", "wheat", "year:1987"]);
    assert!(in_1987.contains(&"silos".to_string()), "{in_1987:?}");
    assert!(!in_1987.contains(&"tractors".to_string()), "{in_1987:?}");
}

#[test]
fn the_summary_line_says_what_was_searched() {
    let c = Corpus::new();
    c.write(
        "rates.txt",
        "Rates\n\nInterest rates rose again, and the rates on loans followed.\n",
    );
    c.index_cmd().assert().success();
    let first_line = |args: &[&str]| -> String {
        let out = c.cmd().arg("search").args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        first_line(&["\"interest rates\""]),
        "phrase \"interest rates\": shown 1 of 1 passage in 1 article"
    );
    assert_eq!(
        first_line(&["interest", "rates"]),
        "words interest, rates: shown 1 of 1 passage in 1 article"
    );
    let (doc, _) = c.search_json(&["interest rates"]);
    assert_eq!(doc["understood"], "words interest, rates");
}

#[test]
fn a_prefix_expands_to_at_most_a_thousand_words_with_a_note() {
    let c = Corpus::new();
    let words: Vec<String> = (0..1100).map(|i| format!("zqa{i:04}")).collect();
    c.write("many.txt", format!("Codes\n\n{}.\n", words.join(" ")));
    c.index_cmd().assert().success();
    let (doc, code) = c.search_json(&["zqa*", "-n", "20", "--per-article", "20"]);
    assert_eq!(code, 0);
    assert_eq!(
        doc["notes"],
        serde_json::json!([
            "`zqa*` matches 1100 words; searching the 1000 most frequent (make the prefix longer to reach the others)"
        ])
    );
    // The words of its passages (at most 120 words each) marked, but 100.
    let marked_words: usize = doc["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| marked(h).len())
        .sum();
    assert_eq!(marked_words, 1000);
    c.cmd()
        .args(["search", "zqa*"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "newsdex: note: `zqa*` matches 1100 words",
        ));
}
