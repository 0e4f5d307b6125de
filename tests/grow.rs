//! Integration tests of a growing corpus: add, refresh, status, crash
//! safety and concurrent writers.

mod common;

use std::fs;
use std::process::{Command as StdCommand, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{hit_ids, Corpus, LAYOUT_A, LAYOUT_B};
use newsdex::index::store::Store;
use newsdex::index::writer::Batcher;
use predicates::prelude::*;
use serde_json::Value;

fn today() -> String {
    newsdex::clock::date(newsdex::clock::now())
}

fn indexed_corpus() -> Corpus {
    let c = Corpus::new();
    c.write("b/harbour.txt", LAYOUT_B);
    c.index_cmd().assert().success();
    c
}

fn status_json(c: &Corpus) -> Value {
    let out = c.cmd().args(["status", "--json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn add_a_file_from_outside_copies_it_and_indexes_it() {
    let c = indexed_corpus();
    let outside = c.root().join("incoming/lab-story.txt");
    fs::create_dir_all(outside.parent().unwrap()).unwrap();
    fs::write(&outside, LAYOUT_A).unwrap();
    let dest = format!("seeds/added/{}/lab-story.txt", today());
    c.cmd()
        .args(["add", "incoming/lab-story.txt"])
        .assert()
        .success()
        .stdout(format!("added {dest}\n"));
    assert_eq!(fs::read_to_string(c.root().join(&dest)).unwrap(), LAYOUT_A);
    let (doc, _) = c.search_json(&["rifles"]);
    assert_eq!(
        hit_ids(&doc),
        [(format!("added/{}/lab-story.txt", today()), 4)]
    );
    assert_eq!(status_json(&c)["in_sync"], true);
    // The same file again: nothing to do.
    c.cmd()
        .args(["add", "incoming/lab-story.txt"])
        .assert()
        .success()
        .stdout(format!("unchanged {dest} (already indexed)\n"));
}

#[test]
fn add_never_overwrites_a_different_file_of_the_same_name() {
    let c = indexed_corpus();
    fs::create_dir_all(c.root().join("x")).unwrap();
    fs::create_dir_all(c.root().join("y")).unwrap();
    fs::write(c.root().join("x/story.txt"), LAYOUT_A).unwrap();
    fs::write(
        c.root().join("y/story.txt"),
        "Another story\n\nAbout zeppelins.\n",
    )
    .unwrap();
    c.cmd().args(["add", "x/story.txt"]).assert().success();
    c.cmd()
        .args(["add", "y/story.txt"])
        .assert()
        .success()
        .stdout(format!("added seeds/added/{}/story-2.txt\n", today()));
    let day = c.seeds().join("added").join(today());
    assert_eq!(fs::read_to_string(day.join("story.txt")).unwrap(), LAYOUT_A);
}

#[test]
fn add_a_folder_and_stdin() {
    let c = indexed_corpus();
    let folder = c.root().join("batch");
    fs::create_dir_all(folder.join("sub")).unwrap();
    fs::write(folder.join("one.txt"), LAYOUT_A).unwrap();
    fs::write(
        folder.join("sub/two.md"),
        "# Zeppelin show\n\nA zeppelin flew over.\n",
    )
    .unwrap();
    fs::write(folder.join("empty.txt"), "").unwrap();
    let day = today();
    c.cmd()
        .args(["add", "batch"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(format!(
            "added seeds/added/{day}/batch/one.txt\n"
        )))
        .stdout(predicate::str::contains(format!(
            "added seeds/added/{day}/batch/sub/two.md\n"
        )))
        .stdout(
            predicate::str::contains("rejected")
                .and(predicate::str::contains("empty.txt: empty file")),
        );
    assert!(!c
        .seeds()
        .join(format!("added/{day}/batch/empty.txt"))
        .exists());

    let story = "Pipe story\n\nThis article arrived through a pipe, about a balloon race.\n";
    let out = c
        .cmd()
        .args(["add", "-"])
        .write_stdin(story)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.starts_with(&format!("added seeds/added/{day}/stdin-")),
        "{line}"
    );
    let (doc, _) = c.search_json(&["balloon"]);
    assert_eq!(doc["hits"][0]["article"]["title"], "Pipe story");
    let (doc, _) = c.search_json(&["zeppelin"]);
    assert_eq!(doc["hits"][0]["article"]["title"], "Zeppelin show");
}

#[test]
fn add_reports_duplicates_and_rejects_with_exit_2() {
    let c = indexed_corpus();
    fs::write(c.root().join("copy.txt"), LAYOUT_B).unwrap();
    fs::write(c.root().join("bin.txt"), b"\0\x01\x02").unwrap();
    fs::write(c.root().join("page.html"), "<p>hi</p>").unwrap();
    c.cmd()
        .args(["add", "copy.txt"])
        .assert()
        .success()
        .stdout("duplicate copy.txt: same content as seeds/b/harbour.txt (not added)\n");
    c.cmd()
        .args(["add", "bin.txt", "page.html", "missing.txt"])
        .assert()
        .code(2)
        .stdout(
            "rejected bin.txt: binary file (contains NUL bytes), not an article\n\
             rejected page.html: not a .txt or .md file (newsdex indexes only those)\n\
             rejected missing.txt: no such file or folder\n",
        );
    assert!(!c.seeds().join("added").exists(), "nothing was copied");
}

#[test]
fn add_of_a_file_inside_the_seeds_indexes_it_in_place() {
    let c = indexed_corpus();
    c.write("new/inside.txt", LAYOUT_A);
    c.cmd()
        .args(["add", "seeds/new/inside.txt"])
        .assert()
        .success()
        .stdout("added seeds/new/inside.txt\n");
    c.write("new/inside.txt", LAYOUT_A.replace("rifles", "muskets"));
    c.cmd()
        .args(["add", "seeds/new/inside.txt"])
        .assert()
        .success()
        .stdout("updated seeds/new/inside.txt\n");
    let (_, code) = c.search_json(&["rifles"]);
    assert_eq!(code, 1);
    let (_, code) = c.search_json(&["muskets"]);
    assert_eq!(code, 0);
}

#[test]
fn refresh_picks_up_new_changed_deleted_and_touched_files() {
    let c = Corpus::new();
    c.write("a.txt", LAYOUT_A)
        .write("b.txt", LAYOUT_B)
        .write("c.txt", "Third\n\nA story about lighthouses.\n");
    c.index_cmd().assert().success();

    c.write("a.txt", LAYOUT_A.replace("rifles", "muskets")); // changed
    fs::remove_file(c.seeds().join("c.txt")).unwrap(); // deleted
    c.write("d.txt", "Fourth\n\nA story about windmills.\n"); // new
    let b = c.seeds().join("b.txt");
    let file = fs::File::options().append(true).open(&b).unwrap();
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap(); // touched

    let status = status_json(&c);
    assert_eq!(status["in_sync"], false);
    assert_eq!(status["new"], serde_json::json!(["d.txt"]));
    assert_eq!(status["changed"], serde_json::json!(["a.txt"]));
    assert_eq!(status["deleted"], serde_json::json!(["c.txt"]));
    assert_eq!(status["articles"], 3);
    c.cmd()
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains("1 new, 1 changed, 1 deleted"))
        .stdout(predicate::str::contains("  new       d.txt\n"));

    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 added, 1 updated, 1 removed, 1 unchanged; 3 articles",
        ));
    for (word, found) in [
        ("rifles", 1),
        ("muskets", 0),
        ("lighthouses", 1),
        ("windmills", 0),
    ] {
        let (_, code) = c.search_json(&[word]);
        assert_eq!(code, found, "{word}");
    }
    let status = status_json(&c);
    assert_eq!(status["in_sync"], true);
    assert!(status["updated_at"].as_str().unwrap().ends_with('Z'));
    // Nothing changed: nothing re-read.
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "0 added, 0 updated, 0 removed, 3 unchanged",
        ));
}

#[test]
fn renamed_file_is_moved_not_duplicated() {
    let c = Corpus::new();
    c.write("old.txt", LAYOUT_B);
    c.index_cmd().assert().success();
    fs::rename(c.seeds().join("old.txt"), c.seeds().join("new.txt")).unwrap();
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains("1 added, 0 updated, 1 removed"));
    let (doc, _) = c.search_json(&["harbour", "--per-article", "9"]);
    assert_eq!(
        hit_ids(&doc),
        [("new.txt".to_string(), 1), ("new.txt".to_string(), 2)]
    );
}

#[test]
fn second_writer_gets_a_clear_message_or_waits_and_searches_go_on() {
    let c = indexed_corpus();
    c.write("later.txt", "Later\n\nA story about kites.\n");
    let store = Store::open(&c.index()).unwrap();
    let holder = Batcher::open(&store, false, false).unwrap();

    let busy = "is being updated by another newsdex process: wait for it to finish, or pass --wait";
    c.index_cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::contains(busy));
    c.cmd()
        .args(["add", "seeds/later.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(busy));
    // Searches read the last commit while the writer holds the index.
    c.cmd().args(["search", "harbour"]).assert().success();

    let bin = assert_cmd::cargo::cargo_bin("newsdex");
    let mut waiting = StdCommand::new(bin)
        .current_dir(c.root())
        .args(["index", "--wait"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its note that it waits is the signal to let it go (not a sleep).
    let stderr = waiting.stderr.take().unwrap();
    let (lines, heard) = std::sync::mpsc::channel();
    thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let first = heard.recv_timeout(Duration::from_secs(60)).unwrap();
    assert!(
        first.contains("waiting for another newsdex process"),
        "{first}"
    );
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "it waits for the lock"
    );
    drop(holder);
    assert!(waiting.wait().unwrap().success());
    let rest: Vec<String> = heard.iter().collect();
    assert!(rest.iter().any(|l| l.contains("1 added")), "{rest:?}");
}

#[cfg(unix)]
#[test]
fn killed_index_run_leaves_a_usable_index_and_a_rerun_completes_it() {
    const FILES: usize = 3000;
    let c = Corpus::new();
    for i in 0..FILES {
        c.write(
            &format!("d{}/story-{i}.txt", i % 10),
            format!("Story number {i}\n\nThe common word quokka appears in story {i}.\n"),
        );
    }
    let bin = assert_cmd::cargo::cargo_bin("newsdex");
    let mut child = StdCommand::new(&bin)
        .current_dir(c.root())
        .arg("index")
        .env("NEWSDEX_COMMIT_EVERY", "100")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once something is committed (the first of 30 commits).
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let committed =
            fs::read_to_string(c.index().join("meta.json")).is_ok_and(|m| m.contains("updated_at"));
        if committed || child.try_wait().unwrap().is_some() {
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended before it could be killed"
    );
    child.kill().ok();
    child.wait().unwrap();

    // The index opens and answers from its last commit, which is not the end.
    let (doc, code) = c.search_json(&["quokka", "-n", "1"]);
    assert_eq!(code, 0, "search failed after the kill");
    let before = doc["total_hits"].as_u64().unwrap() as usize;
    assert!(before < FILES, "the kill landed after the last commit");
    let status = status_json(&c);
    assert_eq!(status["articles"].as_u64().unwrap() as usize, before);
    assert_eq!(status["new"].as_array().unwrap().len(), FILES - before);

    // The re-run completes the job with correct counts and no duplicates.
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
        "{} added, 0 updated, 0 removed, {before} unchanged; {FILES} articles ({FILES} passages)",
        FILES - before
    )));
    let (doc, _) = c.search_json(&["quokka", "-n", "1"]);
    assert_eq!(doc["total_hits"].as_u64().unwrap() as usize, FILES);
    assert_eq!(status_json(&c)["in_sync"], true);
}

#[test]
fn many_segments_updates_and_merges_keep_articles_whole() {
    const ARTICLES: usize = 240;
    let c = Corpus::new();
    let article = |i: usize, colour: &str| {
        format!(
            "Story {i}\n\nThe first part is red and common.\n\nThe second part is {colour}.\n\nThe last part names marker{i}.\n"
        )
    };
    for i in 0..ARTICLES {
        c.write(&format!("s/{i:03}.txt"), article(i, "blue"));
    }
    let run = |c: &Corpus| {
        c.index_cmd()
            .env("NEWSDEX_COMMIT_EVERY", "7")
            .assert()
            .success();
    };
    run(&c);
    for i in (0..ARTICLES).step_by(4) {
        c.write(&format!("s/{i:03}.txt"), article(i, "green"));
    }
    run(&c);
    // Articles found: the hits' and their copies' (`also_in`: the same
    // passage in other articles is shown once).
    let count = |q: &[&str]| -> (usize, usize) {
        let mut args = q.to_vec();
        args.extend(["-n", "10000", "--per-article", "1"]);
        let (doc, _) = c.search_json(&args);
        let mut paths = std::collections::BTreeSet::new();
        for hit in doc["hits"].as_array().unwrap() {
            paths.insert(hit["article"]["path"].as_str().unwrap().to_string());
            for copy in hit["also_in"].as_array().unwrap() {
                paths.insert(copy["path"].as_str().unwrap().to_string());
            }
        }
        (paths.len(), doc["total_hits"].as_u64().unwrap() as usize)
    };
    // Words of one article in different passages match the article.
    assert_eq!(count(&["red", "blue"]), (180, 360));
    assert_eq!(count(&["red", "green"]), (60, 120));
    // No article has both: relaxed to either word, which every article has.
    let (doc, _) = c.search_json(&["blue", "green", "-n", "10000", "--per-article", "1"]);
    assert_eq!(doc["relaxed"], true);
    assert_eq!(count(&["blue", "green"]).0, ARTICLES);
    assert_eq!(count(&["red", "-green"]).0, 180);
    // Every hit carries its own article's metadata.
    let (doc, _) = c.search_json(&["marker*", "-n", "10000"]);
    let hits = doc["hits"].as_array().unwrap();
    assert_eq!(hits.len(), ARTICLES);
    for hit in hits {
        let n: usize = hit["article"]["title"].as_str().unwrap()[6..]
            .parse()
            .unwrap();
        assert_eq!(hit["article"]["path"], format!("s/{n:03}.txt"));
        assert!(hit["passage"]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("marker{n}.")));
    }
}

#[test]
fn a_file_edited_into_a_copy_of_another_is_reported_and_counted_once() {
    let c = Corpus::new();
    c.write("a.txt", LAYOUT_A).write("b.txt", LAYOUT_B);
    c.index_cmd().assert().success();
    c.write("b.txt", LAYOUT_A);
    c.index_cmd()
        .assert()
        .success()
        .stderr(
            predicate::str::contains("duplicate")
                .and(predicate::str::contains("same content as a.txt")),
        )
        .stderr(predicate::str::contains("; 1 article ("));
    assert_eq!(status_json(&c)["articles"], 1);
    let (_, code) = c.search_json(&["harbour"]);
    assert_eq!(code, 1, "b.txt's old text is gone");
}
