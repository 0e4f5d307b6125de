//! `newsdex serve` on a free port of 127.0.0.1, stopped when dropped, and
//! plain HTTP requests to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use super::Corpus;

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

/// A response: status, headers (names lowercased) and body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

impl Server {
    /// Starts the server on the corpus (its index must exist).
    pub fn start(corpus: &Corpus) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .current_dir(corpus.root())
            .env_remove("NEWSDEX_INDEX")
            .env_remove("NEWSDEX_SEEDS")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start newsdex serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the serving line");
        let start = line
            .find("http://")
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let base = line[start..]
            .split_whitespace()
            .next()
            .expect("address")
            .trim_end_matches('/')
            .to_string();
        Server { child, base }
    }

    pub fn port(&self) -> u16 {
        self.base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port")
    }

    /// Sends `signal` (SIGTERM, SIGINT) and waits for the server to end.
    pub fn stop(mut self, signal: i32) -> std::process::ExitStatus {
        // SAFETY: kill(2) on the child's own pid.
        let sent = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(sent, 0, "kill");
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the server did not stop within 5 s of the signal");
    }

    /// `GET path` (with its query string).
    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &format!("127.0.0.1:{}", self.port()))
    }

    /// A request as written, over a new connection.
    pub fn request(&self, method: &str, path: &str, host: &str) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port())).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8(raw).expect("UTF-8 response");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
