#!/usr/bin/env python3
"""newsdex serve under load (see bench/README.md#serve).

Builds the release binary and the index of a scaled copy of ../shared/corpus
(as bench/run does), starts `newsdex serve` on a free port of 127.0.0.1, and
drives it with wrk (Debian's HTTP load generator): 50 connections, each
sending its next request as soon as the last one is answered, for a bounded
time per scenario:

  search   the 24 benchmark queries of bench/run, in turn, on /api/search
  page     what the page asks for on each search: /api/search and the two
           counts (/api/counts by year and by publisher) for the same query
  article  /api/article for the articles the queries find, with highlights

Prints a Markdown table (requests, requests/s, latency percentiles, errors)
and writes target/bench/serve-xN.json. Traffic goes to 127.0.0.1 only; wrk
and the server share the machine's cores.
"""

import argparse
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the corpus, the queries, the paths)

LUA = r"""
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def quote(q):
    return urllib.parse.quote_plus(q)


def scenarios(base):
    """The request paths of each scenario."""
    search = [f"/api/search?q={quote(q)}" for _, q in bench.QUERIES]
    page = []
    for _, q in bench.QUERIES:
        page += [f"/api/search?q={quote(q)}", f"/api/counts?q={quote(q)}&by=year",
                 f"/api/counts?q={quote(q)}&by=publisher"]
    article = []
    for _, q in bench.QUERIES:
        with urllib.request.urlopen(f"{base}/api/search?q={quote(q)}&limit=3") as r:
            for hit in json.load(r)["hits"]:
                article.append(f"/api/article?id={hit['article']['id']}&q={quote(q)}")
    return {"search": search, "page": page, "article": article}


def ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(base, paths, connections, seconds, threads):
    script = bench.WORK / "serve-load.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(script), base],
        capture_output=True, text=True, check=True).stdout
    pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.M))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": ms(pct["50"]), "p90_ms": ms(pct["90"]), "p99_ms": ms(pct["99"]),
        "max_ms": ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out).group(1)),
        "errors": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(x) for x in sock.groups()) if sock else 0),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1, help="copies of ../shared/corpus (default 1)")
    ap.add_argument("--connections", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--seconds", type=int, default=10, help="length of each scenario (default 10)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    args = ap.parse_args()
    if not bench.need("wrk", "wrk"):
        sys.exit(2)
    bench.WORK.mkdir(parents=True, exist_ok=True)
    bench.say("bench: cargo build --release")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=bench.ROOT, check=True)
    corpus = bench.make_corpus(args.scale)
    index = bench.WORK / f"index-x{args.scale}"
    paths = ["--seeds", str(corpus), "--index", str(index)]
    bench.say(f"bench: indexing {corpus}")
    if subprocess.run([str(bench.BIN), "index", *paths], capture_output=True).returncode != 0:
        subprocess.run([str(bench.BIN), "index", "--rebuild", *paths], check=True,
                       capture_output=True)
    server = subprocess.Popen([str(bench.BIN), "serve", *paths, "--bind", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        base = re.search(r"(http://\S+?)/? ", line).group(1)
        results = {"scale": args.scale, "connections": args.connections,
                   "seconds": args.seconds, "platform": bench.platform_line(), "scenarios": {}}
        for name, requests in scenarios(base).items():
            bench.say(f"bench: {name}: {args.connections} clients for {args.seconds} s")
            results["scenarios"][name] = run_wrk(base, requests, args.connections,
                                                 args.seconds, args.threads)
    finally:
        server.terminate()
        server.wait(timeout=10)
    rows = [f"| {name} | {r['requests']:,} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['errors']} |"
            for name, r in results["scenarios"].items()]
    md = "\n".join([
        f"newsdex serve at x{args.scale}: {args.connections} clients, {args.seconds} s each "
        f"({results['platform']})",
        "",
        "| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ])
    (bench.WORK / f"serve-x{args.scale}.json").write_text(json.dumps(results, indent=2))
    print(md)


if __name__ == "__main__":
    main()
