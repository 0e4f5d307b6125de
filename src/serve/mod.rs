//! `newsdex serve`: a local web page and a JSON API over the library's
//! [`Index`], the same calls the command line makes (one search code path;
//! the page is a second client).
//!
//! The API answers with exactly the command line's JSON documents
//! (`search --json`, `show --json`, `count --json`, `status --json`), byte
//! for byte. Every request reads the index's last commit (the reader is kept
//! until `meta.json` changes), so an `add` or `index` run while the server
//! runs is seen by the next request.
//! Requests are read strictly ([`request`]): a malformed one gets a 4xx with
//! a JSON error. The work of a request runs on a blocking thread, at most
//! two per core at once, within a time limit. The page is one HTML file with
//! its CSS and script, compiled into the binary; it builds every piece of
//! article text as text (never as HTML), and the server's
//! Content-Security-Policy forbids any script or style but its own.

pub mod request;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::error::Error;
use crate::{output, Index};
use request::{Params, Refusal};

/// How `newsdex serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen (127.0.0.1:7878 unless told otherwise).
    pub bind: SocketAddr,
    /// The longest a request may take, waiting included.
    pub timeout: Duration,
}

/// The page, its style and its script (`src/serve/page/`).
const PAGE_HTML: &str = include_str!("page/index.html");
const PAGE_CSS: &str = include_str!("page/app.css");
const PAGE_JS: &str = include_str!("page/app.js");
const ICON_SVG: &str = include_str!("page/icon.svg");

/// What the page may load: its own script and style, nothing inline,
/// nothing from elsewhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct App {
    index: Index,
    /// Requests doing work at once (the rest wait their turn).
    permits: Semaphore,
    timeout: Duration,
    /// The `Host` names a request may carry when the server listens on a
    /// loopback address (a web page elsewhere that renames itself to
    /// 127.0.0.1 by DNS rebinding is refused); `None`: any.
    hosts: Option<Vec<String>>,
}

/// Serves `index` until Ctrl-C or SIGTERM; `ready` hears the address once
/// the server listens (port 0 in `options.bind` picks a free one).
pub fn run(
    index: Index,
    options: &ServeOptions,
    ready: &mut dyn FnMut(SocketAddr),
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Other(anyhow::anyhow!("cannot start the web server ({e})")))?;
    let listener = std::net::TcpListener::bind(options.bind)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                format!(
                    "another program listens there: pass another port, e.g. --bind {}:0 for any free one",
                    options.bind.ip()
                )
            } else {
                "pass an address of this machine, e.g. --bind 127.0.0.1:7878".to_string()
            };
            Error::Other(anyhow::anyhow!(
                "cannot listen on {} ({e}): {hint}",
                options.bind
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Other(anyhow::anyhow!("cannot read the server's address ({e})")))?;
    let hosts = address.ip().is_loopback().then(|| {
        let port = address.port();
        vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
            address.to_string(),
        ]
    });
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let app = Arc::new(App {
        index,
        permits: Semaphore::new(cores * 2),
        timeout: options.timeout,
        hosts,
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::Other(anyhow::anyhow!("cannot listen on {address} ({e})")))?;
        let stop = shutdown()
            .map_err(|e| Error::Other(anyhow::anyhow!("cannot listen for Ctrl-C ({e})")))?;
        ready(address);
        axum::serve(listener, router(app))
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| Error::Other(anyhow::anyhow!("the web server stopped ({e})")))
    })
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", PAGE_HTML) }),
        )
        .route(
            "/app.css",
            get(|| async { asset("text/css; charset=utf-8", PAGE_CSS) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", PAGE_JS) }),
        )
        .route(
            "/icon.svg",
            get(|| async { asset("image/svg+xml", ICON_SVG) }),
        )
        .route("/api/search", get(search))
        .route("/api/article", get(article))
        .route("/api/counts", get(counts))
        .route("/api/status", get(status))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Waits for Ctrl-C or SIGTERM, listening from the moment it is made (so
/// that a signal sent as soon as the address is printed is not missed).
#[cfg(unix)]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Refuses requests for another host name, and sets the headers every
/// response carries.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if let Some(hosts) = &app.hosts {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return refusal(Refusal {
                status: 403,
                message: format!(
                    "this server answers requests addressed to {} only (not `{host}`)",
                    hosts[0]
                ),
            });
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn search(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let asked = Params::parse(raw.as_deref(), &request::SEARCH_PARAMS)
        .and_then(|params| request::search(&params));
    match asked {
        Ok(asked) => {
            app.work(move |index| Ok(index.search(&asked.query, &asked.options)?))
                .await
        }
        Err(refused) => refusal(refused),
    }
}

async fn article(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref(), &request::ARTICLE_PARAMS) {
        Ok(params) => params,
        Err(refused) => return refusal(refused),
    };
    let Some(id) = params.get("id").map(str::to_string) else {
        return refusal(Refusal::bad("give an article id: /api/article?id=ID"));
    };
    let query = params.get("q").map(str::to_string);
    app.work(move |index| {
        // By id only: the index also finds articles by path, which a
        // request must not choose.
        index
            .article(&id, query.as_deref())?
            .filter(|full| full.article.header.id == id)
            .ok_or_else(|| Refusal {
                status: 404,
                message: format!("no article with id `{id}` in this index"),
            })
    })
    .await
}

async fn counts(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let asked = Params::parse(raw.as_deref(), &request::COUNT_PARAMS)
        .and_then(|params| request::count(&params));
    match asked {
        Ok(asked) => {
            app.work(move |index| Ok(index.count(asked.query.as_deref(), asked.any, asked.by)?))
                .await
        }
        Err(refused) => refusal(refused),
    }
}

async fn status(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    if let Err(refused) = Params::parse(raw.as_deref(), &["_"]) {
        return refusal(refused);
    }
    app.work(|index| Ok(index.status()?)).await
}

async fn not_found(request: Request) -> Response {
    refusal(Refusal {
        status: 404,
        message: format!(
            "no such page `{}`: the page is at /, the API at /api/search, /api/article, /api/counts and /api/status",
            request.uri().path()
        ),
    })
}

async fn method_not_allowed(method: Method) -> Response {
    let mut response = refusal(Refusal {
        status: 405,
        message: format!("{method} is not accepted here: the page and the API answer GET"),
    });
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

impl App {
    /// Runs `job` on a blocking thread when a permit is free, within the
    /// time limit: its value as the command line's JSON document, or its
    /// refusal as a JSON error.
    async fn work<T, F>(self: &Arc<Self>, job: F) -> Response
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&Index) -> Result<T, Refusal> + Send + 'static,
    {
        let app = self.clone();
        let timed = tokio::time::timeout(self.timeout, async move {
            let permit = app.permits.acquire().await;
            let worker = app.clone();
            let done = tokio::task::spawn_blocking(move || job(&worker.index)).await;
            drop(permit);
            done
        })
        .await;
        match timed {
            Err(_) => refusal(Refusal {
                status: 503,
                message: format!(
                    "the request took longer than {} s: narrow the query (fewer prefixes, more words) or try again",
                    self.timeout.as_secs_f32()
                ),
            }),
            Ok(Err(_)) => refusal(Refusal {
                status: 500,
                message: "the request failed inside the server".to_string(),
            }),
            Ok(Ok(Err(refused))) => refusal(refused),
            Ok(Ok(Ok(value))) => json_response(StatusCode::OK, &value),
        }
    }
}

/// A failure of the library as the API reports it: an invalid query is the
/// request's fault (400); a busy, missing or damaged index is the server's
/// state (503); anything else 500.
impl From<Error> for Refusal {
    fn from(err: Error) -> Refusal {
        let status = match err {
            Error::Query(_) => 400,
            Error::NoIndex { .. }
            | Error::Busy { .. }
            | Error::Unreadable { .. }
            | Error::DiskFull { .. }
            | Error::Seeds { .. } => 503,
            Error::Other(_) => 500,
        };
        Refusal {
            status,
            message: err.to_string(),
        }
    }
}

/// The JSON error document: `{"error": "…", "status": 400}`.
#[derive(Serialize)]
struct ErrorDocument<'a> {
    error: &'a str,
    status: u16,
}

fn refusal(refused: Refusal) -> Response {
    let status = StatusCode::from_u16(refused.status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(
        status,
        &ErrorDocument {
            error: &refused.message,
            status: status.as_u16(),
        },
    )
}

/// `value` as the command line prints it with `--json`.
fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let mut body = Vec::new();
    match output::json(value, &mut body) {
        Ok(()) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexOptions;

    fn app(timeout: Duration) -> (tempfile::TempDir, Arc<App>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let seeds = dir.path().join("seeds");
        std::fs::create_dir(&seeds).expect("seeds");
        std::fs::write(seeds.join("a.txt"), "Quay\n\nThe quay was rebuilt.\n").expect("write");
        let options = IndexOptions::new(&seeds, dir.path().join("index"));
        let (index, _) = Index::build(&options, &mut |_| {}).expect("index");
        let app = Arc::new(App {
            index,
            permits: Semaphore::new(1),
            timeout,
            hosts: None,
        });
        (dir, app)
    }

    async fn body(response: Response) -> (u16, serde_json::Value) {
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, serde_json::from_slice(&bytes).expect("JSON"))
    }

    #[tokio::test]
    async fn a_request_past_the_time_limit_gets_a_503_that_says_so() {
        let (_dir, app) = app(Duration::from_millis(100));
        let slow = app.work(|_| {
            std::thread::sleep(Duration::from_millis(600));
            Ok(1)
        });
        let (status, doc) = body(slow.await).await;
        assert_eq!(status, 503);
        assert_eq!(
            doc["error"],
            "the request took longer than 0.1 s: narrow the query (fewer prefixes, more words) or try again"
        );
        // The one permit is held until the slow job ends; then work goes on.
        let (status, doc) = body(app.work(|_| Ok(2)).await).await;
        assert_eq!((status, doc), (200, serde_json::json!(2)));
    }

    #[tokio::test]
    async fn library_failures_map_to_statuses() {
        let (_dir, app) = app(Duration::from_secs(5));
        let (status, doc) = body(
            app.work(|index| Ok(index.search("\"unclosed", &Default::default())?))
                .await,
        )
        .await;
        assert_eq!(status, 400);
        assert!(doc["error"].as_str().unwrap().starts_with("invalid query"));
        let missing = app
            .work(|_| {
                Err::<u8, _>(Refusal {
                    status: 404,
                    message: "no article `x`".to_string(),
                })
            })
            .await;
        assert_eq!(
            body(missing).await,
            (
                404,
                serde_json::json!({"error": "no article `x`", "status": 404})
            )
        );
    }
}
