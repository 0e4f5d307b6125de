//! Integration tests of `newsdex index`: bad files, duplicates, format
//! versions, damaged indexes.

mod common;

use std::fs;

use common::{hit_ids, Corpus, LAYOUT_A, LAYOUT_B};
use predicates::prelude::*;

#[test]
fn bad_files_are_skipped_with_a_warning_and_counted() {
    let c = Corpus::new();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Título en UTF-16\n\nUna historia guardada por un programa de Windows.\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    c.write("good.txt", LAYOUT_B)
        .write("empty.txt", "")
        .write("blank.md", "  \n\n ")
        .write("binary.txt", b"PK\x03\x04\0\0binary")
        .write(
            "latin1.txt",
            b"Caf\xe9 society\n\nA story in Latin-1, cr\xe8me br\xfbl\xe9e.\n",
        )
        .write("utf16.txt", utf16)
        .write(
            "footer-only.txt",
            "\n\nSource: Test Wire, 2006-11-13, test\n",
        )
        .write("ignored.pdf", "not an article extension")
        .write(".hidden/secret.txt", LAYOUT_A);
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"bad\xffname.txt");
        fs::write(c.seeds().join(name), LAYOUT_A).unwrap();
    }
    c.index_cmd()
        .assert()
        .success()
        .stderr(
            predicate::str::contains("skipped")
                .and(predicate::str::contains("empty.txt: empty file")),
        )
        .stderr(predicate::str::contains("blank.md: empty file"))
        .stderr(predicate::str::contains("binary.txt: binary file"))
        .stderr(predicate::str::contains(
            "footer-only.txt: no text besides its footer or source line",
        ))
        .stderr(predicate::str::contains(
            "name.txt: its name is not valid UTF-8",
        ))
        .stderr(predicate::str::contains(
            "3 added, 0 updated, 0 removed, 0 unchanged; 3 articles",
        ))
        .stderr(predicate::str::contains(
            "2 files read in another encoding than UTF-8",
        ))
        .stderr(predicate::str::contains("5 files skipped"))
        .stderr(predicate::str::contains("secret").not())
        .stderr(predicate::str::contains("ignored.pdf").not());
    // The converted text is searchable, the files are unchanged.
    let (doc, _) = c.search_json(&["creme", "brulee"]);
    assert_eq!(
        doc["hits"][0]["passage"]["text"],
        "A story in Latin-1, crème brûlée."
    );
    let (doc, _) = c.search_json(&["historia"]);
    assert_eq!(doc["hits"][0]["article"]["title"], "Título en UTF-16");
    assert_eq!(fs::read(c.seeds().join("latin1.txt")).unwrap()[3], 0xe9);
    // A second run changes nothing: every run agrees on what is there.
    c.index_cmd()
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "0 added, 0 updated, 0 removed, 3 unchanged",
        ));
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_unreadable_files_do_not_stop_the_run() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let c = Corpus::new();
    c.write("sub/good.txt", LAYOUT_B);
    symlink(c.seeds(), c.seeds().join("sub/loop")).unwrap();
    c.write("locked.txt", LAYOUT_A);
    let locked = c.seeds().join("locked.txt");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdex"));
    if fs::read(&locked).is_ok() {
        // Root reads anything: run newsdex as an unprivileged user instead,
        // in folders that user may write.
        let everyone = |p: &std::path::Path| {
            fs::set_permissions(p, fs::Permissions::from_mode(0o777)).unwrap()
        };
        for dir in [c.root(), &c.seeds(), &c.seeds().join("sub")] {
            everyone(dir);
        }
        cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(assert_cmd::cargo::cargo_bin("newsdex"));
    }
    let out = cmd.current_dir(c.root()).arg("index").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("symbolic link loop"), "{stderr}");
    assert!(
        stderr.contains("locked.txt: cannot read it (Permission denied"),
        "{stderr}"
    );
    assert!(stderr.contains("1 added"), "{stderr}");
}

#[test]
fn duplicate_content_is_indexed_once_and_reported() {
    let c = Corpus::new();
    c.write("a/one.txt", LAYOUT_B)
        .write("b/copy.txt", LAYOUT_B.replace('\n', "\r\n"));
    c.index_cmd()
        .assert()
        .success()
        .stderr(
            predicate::str::contains("duplicate")
                .and(predicate::str::contains("same content as a/one.txt")),
        )
        .stderr(predicate::str::contains("; 1 article ("))
        .stderr(predicate::str::contains("1 duplicate not indexed again"));
    let (doc, _) = c.search_json(&["harbour", "--per-article", "9"]);
    assert_eq!(hit_ids(&doc).len(), 2, "two passages of one article");
}

#[test]
fn reindexing_replaces_rather_than_duplicates() {
    let c = Corpus::new();
    c.write("a.txt", LAYOUT_B);
    c.index_cmd().assert().success();
    c.index_cmd().assert().success();
    let (doc, _) = c.search_json(&["harbour", "--per-article", "9"]);
    assert_eq!(doc["total_hits"], 2);
}

#[test]
fn missing_seeds_folder_is_a_clear_error() {
    let c = Corpus::new();
    c.index_cmd()
        .args(["--seeds", "nowhere"])
        .assert()
        .code(2)
        .stderr(
        "newsdex: error: the seeds folder nowhere does not exist: create it or pass --seeds DIR\n",
    );
    c.cmd()
        .args(["search", "--seeds", "nowhere", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no index at index: there is no seeds folder nowhere to build it from",
        ));
}

#[test]
fn index_of_another_format_asks_for_a_rebuild() {
    let c = Corpus::new();
    c.write("a.txt", LAYOUT_B);
    c.index_cmd().assert().success();
    fs::write(
        c.index().join("newsdex.json"),
        r#"{"format": 0, "created_by": "old"}"#,
    )
    .unwrap();
    let rebuild_hint = "rebuild it with `newsdex index --rebuild --index index`";
    c.cmd()
        .args(["search", "harbour"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "has format 0 but this newsdex reads format 7",
        ))
        .stderr(predicate::str::contains(rebuild_hint));
    c.index_cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::contains(rebuild_hint));
    c.index_cmd().arg("--rebuild").assert().success();
    c.cmd().args(["search", "harbour"]).assert().success();
}

#[test]
fn damaged_index_is_a_clear_error() {
    let c = Corpus::new();
    c.write("a.txt", LAYOUT_B);
    c.index_cmd().assert().success();
    fs::write(c.index().join("meta.json"), "{ not json").unwrap();
    c.cmd()
        .args(["search", "harbour"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "newsdex: error: the index at index is damaged or unreadable",
        ))
        .stderr(predicate::str::contains("newsdex index --rebuild"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    c.index_cmd().arg("--rebuild").assert().success();
    c.cmd().args(["search", "harbour"]).assert().success();
}

#[test]
fn index_folder_with_other_files_is_refused() {
    let c = Corpus::new();
    c.write("a.txt", LAYOUT_B);
    fs::create_dir(c.index()).unwrap();
    fs::write(c.index().join("notes.txt"), "mine").unwrap();
    c.index_cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "holds other files (such as notes.txt)",
        ));
    assert_eq!(
        fs::read_to_string(c.index().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn index_inside_seeds_is_not_walked() {
    let c = Corpus::new();
    c.write("a.txt", LAYOUT_B);
    c.index_cmd()
        .args(["--index", "seeds/idx"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 added, 0 updated, 0 removed, 0 unchanged; 1 article (",
        ));
    // An article file inside the index folder is not part of the corpus.
    fs::write(c.seeds().join("idx/stray.txt"), LAYOUT_A).unwrap();
    c.index_cmd()
        .args(["--index", "seeds/idx"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "0 added, 0 updated, 0 removed, 1 unchanged; 1 article (",
        ));
}

/// The segments listed in the index's last commit, checking that the folder
/// holds no files of other segments (merged ones left behind).
fn segments(c: &Corpus) -> usize {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.index().join("meta.json")).unwrap())
            .unwrap();
    let listed: std::collections::BTreeSet<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(c.index())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let (stem, ext) = name.split_once('.')?;
            (ext == "idx").then(|| stem.to_string())
        })
        .collect();
    assert_eq!(on_disk, listed, "segment files on disk and in meta.json");
    listed.len()
}

#[test]
fn a_build_and_a_rebuild_leave_one_segment_per_core() {
    let c = Corpus::new();
    for i in 0..40 {
        c.write(
            &format!("a{i:02}.txt"),
            format!("Harbour notice {i}\n\nShip {i} docked at the harbour.\n"),
        );
    }
    // A commit every 5 articles: 8 segments or more, fewer than tantivy's
    // merge policy waits for (10), so only the final merge joins them: none
    // is large, so one per core is left.
    let most = std::thread::available_parallelism().map_or(2, |n| n.get());
    c.index_cmd()
        .env("NEWSDEX_COMMIT_EVERY", "5")
        .assert()
        .success();
    let built = segments(&c);
    assert!(built <= most, "{built} segments");
    let (doc, _) = c.search_json(&["harbour", "-n", "100", "--per-article", "1"]);
    assert_eq!(doc["total_articles"], 40);
    for i in 40..52 {
        c.write(
            &format!("a{i:02}.txt"),
            format!("Harbour notice {i}\n\nShip {i} left the harbour.\n"),
        );
    }
    // --rebuild merges too.
    c.index_cmd()
        .args(["--rebuild"])
        .env("NEWSDEX_COMMIT_EVERY", "7")
        .assert()
        .success();
    assert!(segments(&c) <= most, "{} segments", segments(&c));
    let (doc, _) = c.search_json(&["harbour", "-n", "100", "--per-article", "1"]);
    assert_eq!(doc["total_articles"], 52);
}
