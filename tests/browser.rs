//! Issue 13: the page of `newsdex serve` in a real browser (Debian's
//! chromium driven headless through chromedriver): type a query, see
//! highlighted hits, click a facet, open an article with the keyboard, go
//! back, and an article with HTML in it shown as text.
//!
//! Without chromium and chromedriver the test prints why it did not run and
//! passes, unless `NEWSDEX_BROWSER_TEST=require` (set by `.ci/run`, which
//! installs them). `NEWSDEX_SCREENSHOT=FILE` saves a picture of the page on
//! the shipped seeds (the README's).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::server::Server;
use common::Corpus;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The first of `names` on the PATH or in /usr/bin.
fn program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.push(PathBuf::from("/usr/bin"));
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Copies the shipped seeds into the corpus.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the seeds");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs `script` in the page until it returns something truthy (its value),
/// or fails the test after 10 s saying `what` was awaited.
async fn until(client: &Client, what: &str, script: &str) -> Value {
    let start = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await.expect("run script");
        let truthy = match &value {
            Value::Null | Value::Bool(false) => false,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return value;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited 10 s for {what}; last value {value}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_filter_read_and_go_back_in_a_real_browser() {
    let required = std::env::var("NEWSDEX_BROWSER_TEST").is_ok_and(|v| v == "require");
    let (Some(chromium), Some(chromedriver)) = (
        program(&["chromium", "chromium-browser", "google-chrome"]),
        program(&["chromedriver"]),
    ) else {
        assert!(
            !required,
            "NEWSDEX_BROWSER_TEST=require but chromium or chromedriver is missing"
        );
        // Straight to stderr: the test harness would swallow eprintln!.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: the browser test did not run: no chromium and chromedriver \
             (apt-get install chromium chromium-driver; .ci/run installs them)"
        );
        return;
    };

    let corpus = Corpus::new();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"),
        &corpus.seeds(),
    );
    corpus.index_cmd().assert().success();
    let server = Server::start(&corpus);

    let port = free_port();
    let driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().expect("profile dir");
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1200,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let capabilities = capabilities.as_object().expect("object").clone();
    let webdriver = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&webdriver)
            .await
        {
            Ok(client) => break client,
            Err(e) if start.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start chromium through chromedriver: {e}"),
        }
    };

    // The empty page: the archive's size, the chart and the facets.
    client.goto(&server.base).await.expect("open the page");
    until(
        &client,
        "the archive summary",
        "return document.getElementById('summary').textContent.includes('34 articles in the archive')",
    )
    .await;

    // Type a query: hits appear as you type, words marked.
    let box_ = client.find(Locator::Id("q")).await.expect("search box");
    box_.send_keys("border").await.expect("type");
    let marks = until(
        &client,
        "highlighted hits",
        "const m = [...document.querySelectorAll('#hits .hit mark')].map(e => e.textContent.toLowerCase());
         return m.length ? m : null;",
    )
    .await;
    let marks: Vec<String> = serde_json::from_value(marks).expect("strings");
    assert!(marks.iter().any(|m| m == "border"), "{marks:?}");
    assert!(client
        .current_url()
        .await
        .expect("url")
        .as_str()
        .contains("q=border"));
    if let Some(file) = std::env::var_os("NEWSDEX_SCREENSHOT") {
        until(
            &client,
            "the chart",
            "return document.querySelectorAll('#chart .col').length > 1
                && !document.getElementById('hits').classList.contains('loading');",
        )
        .await;
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(file, png).expect("save the screenshot");
    }

    // Click a publisher: a chip, the URL, and only its articles.
    let publisher = until(
        &client,
        "the publisher facet",
        "const b = document.querySelector('#facet-publisher button');
         if (!b) return null; const name = b.firstChild.textContent; b.click(); return name;",
    )
    .await;
    let publisher = publisher.as_str().expect("a name").to_string();
    until(
        &client,
        "the chip and the filtered hits",
        &format!(
            "const chips = [...document.querySelectorAll('#chips .chip')].map(c => c.textContent);
             const metas = [...document.querySelectorAll('#hits .hit .meta')].map(m => m.textContent);
             return chips.length === 1 && chips[0] === {p} && metas.length > 0
                 && metas.every(m => m.startsWith({p})) && !document.getElementById('hits').classList.contains('loading');",
            p = json!(publisher)
        ),
    )
    .await;
    let url = client.current_url().await.expect("url");
    assert!(url.query().unwrap_or("").contains("publisher="), "{url}");

    // The keyboard: j selects the first hit, Enter opens its article.
    client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .send_keys("j")
        .await
        .expect("j");
    let title = until(
        &client,
        "a selected hit",
        "const h = document.querySelector('#hits .hit.selected h2'); return h && h.textContent;",
    )
    .await;
    client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("Enter");
    let shown = until(
        &client,
        "the article",
        "const v = document.getElementById('article-view');
         const h = document.querySelector('#article h1');
         const t = document.querySelector('#article li.target mark');
         return !v.hidden && h && t && h.textContent;",
    )
    .await;
    assert_eq!(shown, title);
    let stray = client
        .execute(
            "return [...document.getElementById('article').childNodes]
                .filter(n => n.nodeType !== 1).map(n => n.textContent);",
            vec![],
        )
        .await
        .expect("check");
    assert_eq!(stray, json!([]), "only elements in the article view");
    assert!(client
        .current_url()
        .await
        .expect("url")
        .as_str()
        .contains("article="));

    // Back: the same results, filter and all.
    client.back().await.expect("back");
    until(
        &client,
        "the results again",
        &format!(
            "return !document.getElementById('results-view').hidden
                && document.querySelectorAll('#hits .hit').length > 0
                && document.querySelector('#chips .chip').textContent === {p};",
            p = json!(publisher)
        ),
    )
    .await;

    // An article with HTML in it, added while the server runs, is text.
    let hostile = corpus.root().join("hostile.txt");
    std::fs::write(
        &hostile,
        "<script>window.pwned = 1</script> Zeppelin notice\n\n\
         A zeppelin <img src=x onerror=\"window.pwned = 2\"> moored by the <b>pier</b>.\n",
    )
    .expect("write");
    corpus.cmd().arg("add").arg(&hostile).assert().success();
    client
        .goto(&format!("{}/?q=zeppelin", server.base))
        .await
        .expect("open");
    let title = until(
        &client,
        "the hostile article's hit",
        "const h = document.querySelector('#hits .hit h2'); return h && h.textContent;",
    )
    .await;
    assert_eq!(title, "<script>window.pwned = 1</script> Zeppelin notice");
    let injected = client
        .execute(
            "return [window.pwned || 0, document.querySelectorAll('img, b, #hits script').length,
                     document.querySelector('#hits .passage').textContent];",
            vec![],
        )
        .await
        .expect("check");
    assert_eq!(
        injected,
        json!([
            0,
            0,
            "A zeppelin <img src=x onerror=\"window.pwned = 2\"> moored by the <b>pier</b>."
        ])
    );

    client.close().await.expect("close the browser");
    drop(driver);
}
