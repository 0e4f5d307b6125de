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
        &["-A".as_ref(), "2".as_ref(), "oil".as_ref()],
        "unexpected argument '-A'",
    );
    // `-C 2` is newsdex's context option too: 2 is its value, not a word.
    let (doc, _) = c.search_json(&["-C", "2", "oil"]);
    assert_eq!(doc["query"], "oil");
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

fn today() -> String {
    newsdex::clock::date(newsdex::clock::now())
}

/// A folder outside the corpus, with an article in it.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("secret.txt"), "Secret\n\nzanzibar codes\n").unwrap();
    dir
}

#[test]
fn add_never_writes_over_something_else_at_the_name() {
    let c = corpus();
    let day = format!("added/{}", today());
    let folder = c.seeds().join(&day);
    std::fs::create_dir_all(folder.join("story.txt")).unwrap();
    std::fs::write(folder.join("story-2.txt"), b"\xff\xfe not text").unwrap();
    c.write(
        "../in/story.txt",
        "Harbour story\n\nThe quokka crossed the harbour.\n",
    );
    c.cmd()
        .args(["add", "in/story.txt"])
        .assert()
        .success()
        .stdout(format!("added seeds/{day}/story-3.txt\n"));
    assert_eq!(
        std::fs::read_to_string(folder.join("story-3.txt")).unwrap(),
        "Harbour story\n\nThe quokka crossed the harbour.\n"
    );
    assert_eq!(
        std::fs::read(folder.join("story-2.txt")).unwrap(),
        b"\xff\xfe not text"
    );
    // The next refresh agrees: nothing to change, the article is found.
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains("0 added, 0 updated, 0 removed"));
    let (doc, _) = c.search_json(&["quokka"]);
    assert_eq!(
        doc["hits"][0]["article"]["path"],
        format!("{day}/story-3.txt")
    );
}

#[test]
fn add_reads_only_what_is_inside_the_folder_given() {
    let c = corpus();
    let away = outside();
    let batch = c.root().join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    std::fs::write(batch.join("real.txt"), "Real\n\nA real quokka story.\n").unwrap();
    std::os::unix::fs::symlink(away.path().join("secret.txt"), batch.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(away.path(), batch.join("linked-folder")).unwrap();
    let out = c.cmd().args(["add", "batch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("batch/real.txt"), "{stdout}");
    assert!(
        stdout.contains("link.txt: symbolic link, not followed")
            && stdout.contains("linked-folder: symbolic link, not followed"),
        "{stdout}"
    );
    let (_, code) = c.search_json(&["zanzibar"]);
    assert_eq!(code, 1, "nothing from outside the folder was indexed");
}

#[test]
fn add_never_writes_through_a_link_out_of_the_seeds_folder() {
    let c = corpus();
    let away = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(away.path(), c.seeds().join("added")).unwrap();
    c.write("../in/story.txt", "Story\n\nA quokka.\n");
    c.cmd()
        .args(["add", "in/story.txt"])
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("rejected in/story.txt: ")
                .and(predicate::str::contains("added is not a folder")),
        );
    assert_eq!(std::fs::read_dir(away.path()).unwrap().count(), 0);
}

#[test]
fn add_refuses_pipes_and_mends_names_that_index_would_drop() {
    let c = corpus();
    let fifo = c.root().join("pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    c.cmd()
        .args(["add", "pipe.txt"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "rejected pipe.txt: not a regular file",
        ));
    let long = format!("{}.txt", "n".repeat(250));
    c.write(
        &format!("../{long}"),
        "Long\n\nA quokka with a long name.\n",
    );
    c.write("../.dotted.txt", "Dotted\n\nA hidden quokka.\n");
    let day = today();
    c.cmd()
        .args(["add", &long, ".dotted.txt"])
        .assert()
        .success()
        .stdout(format!(
            "added seeds/added/{day}/{}.txt\nadded seeds/added/{day}/dotted.txt\n",
            "n".repeat(196)
        ));
    // `index` keeps both.
    let status = c.cmd().args(["status", "--json"]).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["in_sync"], true, "{status}");
}

#[test]
fn wrong_folders_are_errors() {
    let c = corpus();
    // A folder with another program's index is never cleared.
    let foreign = c.root().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("meta.json"), "{}").unwrap();
    c.cmd()
        .args(["index", "--rebuild", "--index", "foreign"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "holds an index that newsdex did not make",
        ));
    assert_eq!(
        std::fs::read_to_string(foreign.join("meta.json")).unwrap(),
        "{}"
    );
    c.cmd()
        .args(["add", "--seeds", "seeds/oil.txt", "seeds/oil.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the seeds folder seeds/oil.txt is not a folder",
        ));
    c.cmd()
        .args(["status", "--seeds", "missing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the seeds folder missing does not exist",
        ));
}

#[test]
fn a_linked_seeds_folder_is_walked_without_a_warning() {
    let c = Corpus::new();
    // seeds -> real/, and real/linked -> other/: both walked, no warning.
    let (real, other) = (c.root().join("real"), c.root().join("other"));
    std::fs::create_dir_all(&real).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(real.join("direct.txt"), ARTICLE).unwrap();
    std::fs::write(other.join("oil.txt"), "Oil\n\nAnother quokka story.\n").unwrap();
    std::os::unix::fs::symlink(&other, real.join("linked")).unwrap();
    std::fs::remove_dir_all(c.seeds()).unwrap();
    std::os::unix::fs::symlink(&real, c.seeds()).unwrap();
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains("2 added"))
        .stderr(predicate::str::contains("warning").not());
}

#[test]
fn control_characters_in_articles_and_names_never_reach_the_terminal() {
    let c = Corpus::new();
    c.write(
        "evil\nname.txt",
        "T \x1b]0;PWNED\x07\x1b[2J\n\nbody with a quokka \x1b[31mred\x1b[0m\n",
    );
    let index = c.index_cmd().output().unwrap();
    let stderr = String::from_utf8_lossy(&index.stderr);
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    for color in ["never", "always"] {
        let out = c
            .cmd()
            .args(["search", "--color", color, "quokka"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("T \\x1b]0;PWNED\\x07\\x1b[2J"),
            "{stdout:?}"
        );
        assert!(stdout.contains("evil\\nname.txt"), "{stdout:?}");
        assert!(
            !stdout.contains("\x1b]") && !stdout.contains("\x1b[2J"),
            "{stdout:?}"
        );
        assert!(!stdout.contains("evil\nname"), "{stdout:?}");
    }
    // JSON stays exact.
    let (doc, _) = c.search_json(&["quokka"]);
    assert_eq!(doc["article"]["title"], serde_json::Value::Null);
    assert_eq!(
        doc["hits"][0]["article"]["title"],
        "T \x1b]0;PWNED\x07\x1b[2J"
    );
    assert_eq!(doc["hits"][0]["article"]["path"], "evil\nname.txt");
    let added = c.root().join("in");
    std::fs::create_dir_all(&added).unwrap();
    std::fs::write(added.join("new\x1bline.txt"), "New\n\nA new quokka.\n").unwrap();
    let out = c.cmd().args(["add", "in"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    assert!(stdout.contains("new\\x1bline.txt"), "{stdout:?}");
}

/// A corpus of `n` articles with the word quokka, indexed.
fn quokkas(n: usize) -> Corpus {
    let c = Corpus::new();
    for i in 0..n {
        c.write(
            &format!("d{}/story-{i}.txt", i % 10),
            format!("Story number {i}\n\nThe word quokka appears in story {i}.\n"),
        );
    }
    c.index_cmd().assert().success();
    c
}

fn quokka_hits(c: &Corpus) -> u64 {
    let (doc, code) = c.search_json(&["quokka", "-n", "1"]);
    assert_eq!(code, 0, "{doc}");
    doc["total_hits"].as_u64().expect("total_hits")
}

/// Whether the index being rebuilt beside `index` has committed something.
fn rebuild_committed(c: &Corpus) -> bool {
    std::fs::read_to_string(c.root().join(".index.newsdex-rebuild/meta.json"))
        .is_ok_and(|m| m.contains("updated_at"))
}

fn slow_rebuild(c: &Corpus) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .current_dir(c.root())
        .args(["index", "--rebuild"])
        .env("NEWSDEX_COMMIT_EVERY", "1")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn")
}

#[test]
fn searches_during_a_rebuild_read_the_old_index_whole() {
    const N: u64 = 150;
    let c = quokkas(N as usize);
    let mut child = slow_rebuild(&c);
    let started = std::time::Instant::now();
    let mut during = 0;
    while child.try_wait().unwrap().is_none() && started.elapsed().as_secs() < 120 {
        let mid = rebuild_committed(&c);
        assert_eq!(quokka_hits(&c), N, "a search saw a partial index");
        during += usize::from(mid && child.try_wait().unwrap().is_none());
    }
    assert!(child.wait().unwrap().success());
    assert!(during > 0, "no search ran while the rebuild was under way");
    assert_eq!(quokka_hits(&c), N);
    assert!(!c.root().join(".index.newsdex-rebuild").exists());
}

#[test]
fn a_rebuild_killed_midway_leaves_the_old_index() {
    const N: u64 = 150;
    let c = quokkas(N as usize);
    std::fs::write(c.index().join(".gitignore"), "*\n").unwrap();
    let mut child = slow_rebuild(&c);
    let started = std::time::Instant::now();
    while !rebuild_committed(&c) && started.elapsed().as_secs() < 120 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the rebuild ended first"
        );
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the rebuild ended first"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        c.root().join(".index.newsdex-rebuild").exists(),
        "the kill landed mid-rebuild"
    );
    assert_eq!(quokka_hits(&c), N);
    // The next run removes what was left and agrees with the old index.
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "0 added, 0 updated, 0 removed, 150 unchanged",
        ));
    assert!(!c.root().join(".index.newsdex-rebuild").exists());
    // A finished rebuild keeps the folder's other files.
    c.index_cmd().arg("--rebuild").assert().success();
    assert_eq!(
        std::fs::read_to_string(c.index().join(".gitignore")).unwrap(),
        "*\n"
    );
    assert_eq!(quokka_hits(&c), N);
}

/// A 2 MiB file system mounted for a test, unmounted when dropped.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    /// `None` where this machine does not let the test mount one.
    fn mount() -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk(dir))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[test]
fn a_full_disk_is_one_clear_line_and_the_next_run_cleans_up() {
    let Some(disk) = SmallDisk::mount() else {
        eprintln!("note: skipped: this machine does not let the test mount a small file system");
        return;
    };
    let index = disk.0.path().join("index");
    let c = Corpus::new();
    c.write("small.txt", ARTICLE);
    let index_arg = index.to_str().unwrap();
    c.cmd()
        .args(["index", "--index", index_arg])
        .assert()
        .success();
    // Far more than fits: words no compression can shrink.
    let big = c.root().join("big");
    std::fs::create_dir(&big).unwrap();
    let mut state = 12345u64;
    for i in 0..300 {
        let words: Vec<String> = (0..600)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!("w{:x}", state >> 40)
            })
            .collect();
        std::fs::write(
            big.join(format!("b{i}.txt")),
            format!("Big {i}\n\n{}\n", words.join(" ")),
        )
        .unwrap();
    }
    c.cmd()
        .args(["add", "--index", index_arg, "big"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(format!(
            "newsdex: error: no space left on the disk of the index at {index_arg}: free some space"
        )))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    // The index keeps its last commit; a run with nothing new succeeds, and
    // removes what the failed run half-wrote.
    std::fs::remove_dir_all(c.seeds().join("added")).unwrap();
    let used = |dir: &std::path::Path| -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum()
    };
    let before = used(&index);
    c.cmd()
        .args(["index", "--index", index_arg])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "0 added, 0 updated, 0 removed, 1 unchanged",
        ));
    assert!(used(&index) * 4 < before, "{} -> {}", before, used(&index));
    c.cmd()
        .args(["search", "--index", index_arg, "traders"])
        .assert()
        .success();
}
