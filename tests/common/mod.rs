//! Helpers for the integration tests: a temporary corpus and the real binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub mod server;

/// A temporary folder with `seeds/` (the corpus) and `index/` beside it.
pub struct Corpus {
    pub dir: TempDir,
}

impl Corpus {
    pub fn new() -> Corpus {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir(dir.path().join("seeds")).expect("seeds dir");
        Corpus { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn seeds(&self) -> PathBuf {
        self.root().join("seeds")
    }

    pub fn index(&self) -> PathBuf {
        self.root().join("index")
    }

    /// Writes an article under `seeds/`.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Corpus {
        let path = self.seeds().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, content).expect("write article");
        self
    }

    /// The binary, run in the corpus folder with a neutral environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("newsdex").expect("binary");
        cmd.current_dir(self.root())
            .env_remove("NO_COLOR")
            .env_remove("TERM")
            .env_remove("NEWSDEX_INDEX")
            .env_remove("NEWSDEX_SEEDS");
        cmd
    }

    pub fn index_cmd(&self) -> Command {
        let mut cmd = self.cmd();
        cmd.arg("index");
        cmd
    }

    /// Runs `search --json` with `args` and returns the parsed document and exit code.
    pub fn search_json(&self, args: &[&str]) -> (Value, i32) {
        let out = self
            .cmd()
            .arg("search")
            .arg("--json")
            .args(args)
            .output()
            .expect("run search");
        let code = out.status.code().expect("exit code");
        let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): stdout {:?} stderr {:?}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (doc, code)
    }
}

/// The articles of the hits, in order, each once.
pub fn hit_paths(doc: &Value) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for path in every_hit_path(doc) {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// The article path of every hit, in rank order (an article once per hit).
pub fn every_hit_path(doc: &Value) -> Vec<String> {
    hit_ids(doc).into_iter().map(|(path, _)| path).collect()
}

/// The words relevance feedback added (`expanded`), in order.
pub fn expanded(doc: &Value) -> Vec<String> {
    doc["expanded"]
        .as_array()
        .expect("expanded")
        .iter()
        .map(|w| w.as_str().expect("word").to_string())
        .collect()
}

/// The highlighted substrings of one hit's passage.
pub fn marked(hit: &Value) -> Vec<String> {
    let text = hit["passage"]["text"].as_str().expect("text");
    hit["passage"]["highlights"]
        .as_array()
        .expect("highlights")
        .iter()
        .map(|r| {
            let s = r[0].as_u64().expect("start") as usize;
            let e = r[1].as_u64().expect("end") as usize;
            text[s..e].to_string()
        })
        .collect()
}

/// `(path, ordinal)` of each hit, in rank order.
pub fn hit_ids(doc: &Value) -> Vec<(String, u64)> {
    doc["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["article"]["path"].as_str().expect("path").to_string(),
                h["passage"]["ordinal"].as_u64().expect("ordinal"),
            )
        })
        .collect()
}

/// A layout-A article (tag line, caption, body, © footer), written for the tests.
pub const LAYOUT_A: &str = "Ana Ruiz, Tomás Lee
Inspectors open a container at the port of Lázaro Cárdenas. JOSE DIAZ/Test Wire/Getty Images

Officials said the drone strikes under discussion would target remote labs.

In a separate briefing, a drone was shown to reporters, and union strikes at the port were mentioned.

Operación Sentinela has seized about 9,000 rifles since spring, officials in the U.S. said.

© 2025 Test Gazette. All rights reserved. Do not reproduce.
";

/// A layout-B article (headline, body, Source line), written for the tests.
pub const LAYOUT_B: &str = "Harbour workers vote to end strike

Workers at the harbour voted to end their strike after nine days.

The economy of the town depends on the harbour, and economists expect a quick recovery.

Source: Test Wire, 2006-11-13, written for the newsdex tests
";
