//! Issue 13: `newsdex serve`'s JSON API, over real HTTP to the real binary.

mod common;

use common::server::Server;
use common::{every_hit_path as paths, Corpus};

const GRAIN: &str = "Grain ships return\n\nGrain ships returned to the harbour at Port Ellis after the strike.\n\nDock workers unloaded wheat through the night.\n\nSource: Coast Courier, 2019-04-08\n";
const WHEAT: &str = "Wheat prices\n\nWheat prices fell as grain ships queued at the harbour.\n\nSource: Plains Gazette, 2021-06-01\n";
const FERRY: &str = "Ferry timetable\n\nThe harbour ferry adds a late sailing.\n\nSource: Coast Courier, 2021-02-11\n";
const HOSTILE: &str = "<script>alert('headline')</script> Harbour notice\n\nThe notice said <img src=x onerror=alert(1)> & \"quoted\" words about the harbour.\n\nSource: Coast Courier, 2020-01-01\n";

fn corpus() -> Corpus {
    let c = Corpus::new();
    c.write("grain.txt", GRAIN)
        .write("wheat.txt", WHEAT)
        .write("ferry.txt", FERRY)
        .write("notice.txt", HOSTILE);
    c.index_cmd().assert().success();
    c
}

/// What the command line prints for `args`.
fn cli(c: &Corpus, args: &[&str]) -> String {
    let out = c.cmd().args(args).output().expect("run newsdex");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_api_answers_with_the_command_lines_json_byte_for_byte() {
    let c = corpus();
    let server = Server::start(&c);
    let pairs: [(&str, &[&str]); 6] = [
        ("/api/search?q=harbour", &["search", "--json", "harbour"]),
        (
            "/api/search?q=harbour&sort=newest&offset=1&limit=2&per_article=1&context=1",
            &[
                "search",
                "--json",
                "--sort",
                "newest",
                "--offset",
                "1",
                "-n",
                "2",
                "--per-article",
                "1",
                "-C",
                "1",
                "harbour",
            ],
        ),
        (
            "/api/search?q=grain+ships+strike&any=1",
            &["search", "--json", "--any", "grain ships strike"],
        ),
        (
            "/api/counts?q=harbour&by=publisher",
            &["count", "--json", "--by", "publisher", "harbour"],
        ),
        ("/api/counts", &["count", "--json"]),
        ("/api/status", &["status", "--json"]),
    ];
    for (path, args) in pairs {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(
            reply.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(reply.body, cli(&c, args), "{path}");
    }
    let id = server.get("/api/search?q=wheat+prices").json()["hits"][0]["article"]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    let reply = server.get(&format!("/api/article?id={id}&q=grain"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, cli(&c, &["show", "--json", &id, "grain"]));
    let doc = reply.json();
    let passage = &doc["passages"][0];
    let text = passage["text"].as_str().expect("text");
    let (s, e) = (
        passage["highlights"][0][0].as_u64().expect("start") as usize,
        passage["highlights"][0][1].as_u64().expect("end") as usize,
    );
    assert_eq!(&text[s..e], "grain");
}

#[test]
fn filters_are_required_fields_and_paging_moves_through_the_hits() {
    let c = corpus();
    let server = Server::start(&c);
    let doc = server
        .get("/api/search?q=harbour&year=2021&publisher=Coast+Courier")
        .json();
    assert_eq!(
        doc["query"],
        "(harbour) year:2021 publisher:\"Coast Courier\""
    );
    assert_eq!(paths(&doc), ["ferry.txt"]);
    // With any of the words, the filters stay required.
    let doc = server
        .get("/api/search?q=ferry+wheat&any=1&expand=0&year=2021&publisher=Plains+Gazette")
        .json();
    assert_eq!(paths(&doc), ["wheat.txt"]);
    // A filter alone is a search.
    assert_eq!(
        paths(&server.get("/api/search?year=2019").json()),
        ["grain.txt"]
    );
    // Counts by year with a publisher filter: empty years inside the range.
    let counts = server
        .get("/api/counts?q=harbour&by=year&publisher=Coast+Courier")
        .json();
    let buckets: Vec<(String, u64)> = counts["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap_or("none").to_string(),
                b["articles"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(
        buckets,
        [
            ("2019".to_string(), 1),
            ("2020".to_string(), 1),
            ("2021".to_string(), 1)
        ]
    );
    // Pages of one hit: every article once, in the order of the full list.
    let all = paths(&server.get("/api/search?q=harbour&per_article=1").json());
    assert_eq!(all.len(), 4);
    let paged: Vec<String> = (0..4)
        .flat_map(|i| {
            let doc = server
                .get(&format!(
                    "/api/search?q=harbour&per_article=1&limit=1&offset={i}"
                ))
                .json();
            assert_eq!(doc["offset"], i);
            assert_eq!(doc["hits"][0]["rank"], i + 1);
            paths(&doc)
        })
        .collect();
    assert_eq!(paged, all);
}

#[test]
fn article_text_comes_back_as_text_and_the_page_may_run_only_its_own_script() {
    let c = corpus();
    let server = Server::start(&c);
    let doc = server.get("/api/search?q=notice").json();
    let hit = &doc["hits"][0];
    assert_eq!(
        hit["article"]["title"],
        "<script>alert('headline')</script> Harbour notice"
    );
    assert!(hit["passage"]["text"]
        .as_str()
        .expect("text")
        .contains("<img src=x onerror=alert(1)> & \"quoted\""));
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"));
    assert!(!page.body.contains("<script>"), "no inline script");
    let script = server.get("/app.js");
    assert_eq!(script.status, 200);
    assert!(
        !script.body.contains("innerHTML") && !script.body.contains("insertAdjacentHTML"),
        "the page never parses text as HTML"
    );
}

#[test]
fn bad_requests_get_a_4xx_with_a_json_error_that_says_what_to_fix() {
    let c = corpus();
    let server = Server::start(&c);
    let long = format!("/api/search?q={}", "a+".repeat(5000));
    let cases: [(&str, &str, u16, &str); 12] = [
        ("GET", "/api/search?q=%22harbour", 400, "invalid query"),
        (
            "GET",
            "/api/search?q=x&limt=5",
            400,
            "unknown parameter `limt`",
        ),
        (
            "GET",
            "/api/search?q=x&limit=0",
            400,
            "give a whole number from 1 to 100",
        ),
        (
            "GET",
            "/api/search?q=x&sort=best",
            400,
            "give one of relevance, newest, oldest",
        ),
        ("GET", "/api/search", 400, "give a query"),
        ("GET", "/api/search?q=x&q=y", 400, "given twice"),
        ("GET", "/api/article", 400, "give an article id"),
        (
            "GET",
            "/api/article?id=grain.txt",
            404,
            "no article with id `grain.txt`",
        ),
        (
            "GET",
            "/api/counts?by=day",
            400,
            "give one of year, month, publisher",
        ),
        ("GET", "/api/nothing", 404, "no such page `/api/nothing`"),
        ("POST", "/api/search?q=x", 405, "POST is not accepted here"),
        ("GET", &long, 414, "at most 8192 are read"),
    ];
    for (method, path, status, message) in cases {
        let host = format!("127.0.0.1:{}", server.port());
        let reply = server.request(method, path, &host);
        assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
        let doc = reply.json();
        assert_eq!(doc["status"], status);
        let error = doc["error"].as_str().expect("an error message");
        assert!(error.contains(message), "{path}: {error}");
    }
    // A page elsewhere renamed to 127.0.0.1 by DNS rebinding.
    let reply = server.request("GET", "/api/search?q=harbour", "attacker.example:80");
    assert_eq!(reply.status, 403);
    assert!(reply.json()["error"]
        .as_str()
        .expect("error")
        .contains("not `attacker.example:80`"));
    // Bytes that are not UTF-8 are read as text, not refused with a 500.
    assert_eq!(server.get("/api/search?q=harb%FFour").status, 200);
}

#[test]
fn an_add_while_the_server_runs_is_seen_by_the_next_search() {
    let c = corpus();
    let server = Server::start(&c);
    let before = server.get("/api/search?q=zeppelin");
    assert_eq!(before.status, 200);
    assert_eq!(before.json()["total_hits"], 0);
    let outside = c.root().join("airship.txt");
    std::fs::write(
        &outside,
        "Airship visit\n\nA zeppelin moored over the harbour for an hour.\n",
    )
    .expect("write");
    c.cmd().arg("add").arg(&outside).assert().success();
    let after = server.get("/api/search?q=zeppelin").json();
    assert_eq!(after["total_hits"], 1);
    // And an index run that removes an article.
    std::fs::remove_file(c.seeds().join("ferry.txt")).expect("remove");
    c.index_cmd().assert().success();
    let ferry = server.get("/api/search?q=ferry").json();
    assert_eq!(ferry["total_hits"], 0, "{ferry}");
    assert_eq!(server.get("/api/status").json()["articles"], 4);
}

#[test]
fn ctrl_c_or_sigterm_stops_the_server_cleanly_even_right_after_it_starts() {
    let c = corpus();
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // At once, as a supervisor that waits for the address would.
        let status = Server::start(&c).stop(signal);
        assert!(status.success(), "signal {signal}: {status:?}");
    }
    let server = Server::start(&c);
    assert_eq!(server.get("/api/status").status, 200);
    // A second server on the same port says what to do.
    c.cmd()
        .args(["serve", "--bind", &server.base["http://".len()..]])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "another program listens there: pass another port, e.g. --bind 127.0.0.1:0 for any free one",
        ));
    assert!(server.stop(libc::SIGTERM).success());
}
