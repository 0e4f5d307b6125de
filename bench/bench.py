#!/usr/bin/env python3
"""newsdex side-by-side benchmark (see bench/README.md).

Builds a scaled copy of ../shared/corpus, indexes it with newsdex and with the
anchor (SQLite FTS5), times 24 queries as whole processes on both, times the
growth path (add one article, refresh with nothing changed and with 1% changed),
and prints a Markdown report with ratios newsdex / anchor measured in the same
run. Raw figures go to target/bench/report-xN.json.

Standard library only. Needs: cargo, sqlite3 (CLI with FTS5), /usr/bin/time;
hyperfine is used when installed (otherwise a built-in timing loop).
"""

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
WORK = ROOT / "target" / "bench"
BIN = ROOT / "target" / "release" / "newsdex"

# 8 single keywords (very common to rare), 8 multi-word (all words required), 8 phrases.
QUERIES = [
    ("single", "said"), ("single", "oil"), ("single", "government"), ("single", "election"),
    ("single", "tariffs"), ("single", "wheat"), ("single", "refinery"), ("single", "zinc"),
    ("multi", "oil prices"), ("multi", "interest rates rise"), ("multi", "trade deficit japan"),
    ("multi", "central bank dollar"), ("multi", "president election vote"),
    ("multi", "coffee export quota"), ("multi", "police killed protest"), ("multi", "iraq war troops"),
    ("phrase", '"oil prices"'), ("phrase", '"interest rates"'), ("phrase", '"trade deficit"'),
    ("phrase", '"prime minister"'), ("phrase", '"central bank"'), ("phrase", '"united nations"'),
    ("phrase", '"stock exchange"'), ("phrase", '"human rights"'),
]


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def need(tool, package):
    if shutil.which(tool):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"bench: installing {package} (Debian package) for {tool}")
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False,
                       stdout=subprocess.DEVNULL)
    if shutil.which(tool):
        return True
    say(f"bench: {tool} is missing: install the Debian package {package}")
    return False


def make_corpus(scale):
    """N copies of the shared corpus, each made unique (path and source line)."""
    out = WORK / f"corpus-x{scale}"
    done = out / ".complete"
    if done.exists():
        return out
    if not SHARED.is_dir():
        sys.exit(f"bench: {SHARED} is missing: the benchmark needs ../shared/corpus beside the repository")
    if out.exists():
        shutil.rmtree(out)
    sources = sorted(SHARED.glob("*/articles/*/*.txt"))
    say(f"bench: making {out} ({scale} x {len(sources)} articles)")
    for copy in range(scale):
        for src in sources:
            rel = src.relative_to(SHARED)
            dest = out / f"copy{copy:02d}" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            text = src.read_text(encoding="utf-8")
            if copy:
                # A different last line: a distinct article for every engine.
                text = text.rstrip("\n") + f" (copy {copy})\n"
            dest.write_text(text, encoding="utf-8")
    done.write_text("ok")
    return out


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time -v: wall s, cpu s, peak RSS MB, stdout."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    def field(name):
        m = re.search(rf"{re.escape(name)}: ([\d.:]+)", p.stderr)
        return m.group(1) if m else "0"
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    return {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, "stdout": p.stdout, "stderr": p.stderr}


def du(path):
    """Bytes in a file, or in every file under a folder."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


FTS_LOADER = r"""
import sqlite3, sys
from pathlib import Path
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE VIRTUAL TABLE articles USING fts5(path UNINDEXED, title, body, tokenize='porter unicode61 remove_diacritics 2')")
with db:
    for f in sorted(Path(sys.argv[1]).rglob("*.txt")):
        text = f.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        db.execute("INSERT INTO articles VALUES (?, ?, ?)", (str(f), title, body))
db.close()
"""


def fts_query(q):
    # FTS5 takes the same phrases; bare words are ANDed, as in newsdex.
    return q.replace("'", "''")


def sqlite_cmd(db, q):
    sql = (f"SELECT path, snippet(articles, 2, '[', ']', '...', 20) FROM articles "
           f"WHERE articles MATCH '{fts_query(q)}' ORDER BY rank LIMIT 10;")
    return ["sqlite3", str(db), sql]


def newsdex_cmd(index, q):
    return [str(BIN), "search", "--index", str(index), "--json", "-n", "10", "--", q]


def time_runs(cmd, runs, warmup):
    """Median wall time in ms of `runs` executions after `warmup`."""
    if shutil.which("hyperfine"):
        out = WORK / "hyperfine.json"
        subprocess.run(["hyperfine", "-N", "--warmup", str(warmup), "--runs", str(runs),
                        "-i", "--export-json", str(out), "--style", "none",
                        " ".join(shell_quote(c) for c in cmd)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(out.read_text())["results"][0]["median"] * 1000
    for _ in range(warmup):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def bench_scale(scale, runs, warmup, builds):
    corpus = make_corpus(scale)
    files = sorted(corpus.rglob("*.txt"))
    # Warm cache, and no write-back of a just-made corpus during the first build.
    os.sync()
    size = sum(len(f.read_bytes()) for f in files)
    index = WORK / f"index-x{scale}"
    db = WORK / f"fts5-x{scale}.db"
    r = {"scale": scale, "articles": len(files), "text_mb": size / 1e6}

    loader = WORK / "fts5_loader.py"
    loader.write_text(FTS_LOADER)

    def build(cmd, out):
        """Builds `out` from scratch with `cmd`: times and size."""
        if out.is_dir():
            shutil.rmtree(out)
        elif out.exists():
            out.unlink()
        t = timed(cmd)
        t.update(index_mb=du(out) / 1e6)
        return t

    commands = {
        "newsdex": ([str(BIN), "index", "--seeds", str(corpus), "--index", str(index)], index),
        "fts5": ([sys.executable, str(loader), str(corpus), str(db)], db),
    }
    # Alternating builds, so that a slow spell of the machine hits both engines.
    built = {engine: [] for engine in commands}
    for i in range(builds):
        say(f"bench x{scale}: index build {i + 1} of {builds} (newsdex, then SQLite FTS5)")
        for engine, (cmd, out) in commands.items():
            built[engine].append(build(cmd, out))
    nd, fts = (median_run(built[e]) for e in ("newsdex", "fts5"))
    for d in (nd, fts):
        d["mb_per_s"] = size / 1e6 / d["wall_s"]
    r["build"] = {"newsdex": nd, "fts5": fts}

    say(f"bench x{scale}: {len(QUERIES)} queries x {runs} runs each")
    queries = []
    for kind, q in QUERIES:
        n_ms = time_runs(newsdex_cmd(index, q), runs, warmup)
        s_ms = time_runs(sqlite_cmd(db, q), runs, warmup)
        hits = json.loads(subprocess.run(newsdex_cmd(index, q), capture_output=True,
                                         text=True).stdout or '{"total_hits": 0}')["total_hits"]
        queries.append({"kind": kind, "query": q, "newsdex_ms": n_ms, "fts5_ms": s_ms,
                        "newsdex_passages": hits})
    slow_n = max(queries, key=lambda x: x["newsdex_ms"])
    slow_s = max(queries, key=lambda x: x["fts5_ms"])
    rss = timed(newsdex_cmd(index, slow_n["query"]))["rss_mb"]
    r["search"] = {
        "queries": queries,
        "newsdex_median_ms": statistics.median(q["newsdex_ms"] for q in queries),
        "fts5_median_ms": statistics.median(q["fts5_ms"] for q in queries),
        "newsdex_slowest": {"query": slow_n["query"], "ms": slow_n["newsdex_ms"]},
        "fts5_slowest": {"query": slow_s["query"], "ms": slow_s["fts5_ms"]},
        "newsdex_search_rss_mb": rss,
    }

    say(f"bench x{scale}: growth")
    g = {}
    adds = []
    for i in range(5):
        art = WORK / f"new-article-{i}.txt"
        art.write_text(f"Benchmark addition {i} {time.time()}\n\nA new article about "
                       f"benchmarks number {i} added at {time.time()}.\n")
        t = timed([str(BIN), "add", "--seeds", str(corpus), "--index", str(index), str(art)])
        adds.append(t["wall_s"])
    g["add_one_ms"] = statistics.median(adds) * 1000
    t = timed([str(BIN), "index", "--seeds", str(corpus), "--index", str(index)])
    g["refresh_unchanged_s"] = t["wall_s"]
    rng = random.Random(42)
    changed = rng.sample(files, max(1, len(files) // 100))
    for f in changed:
        with open(f, "a", encoding="utf-8") as fh:
            fh.write(f"\nA correction was appended at {time.time()}.\n")
    t = timed([str(BIN), "index", "--seeds", str(corpus), "--index", str(index)])
    g["refresh_1pct_s"] = t["wall_s"]
    g["refresh_1pct_files"] = len(changed)
    g["full_build_s"] = nd["wall_s"]
    r["growth"] = g
    # The corpus was changed: make it again next time.
    (corpus / ".complete").unlink()
    return r


def median_run(runs):
    """The run with the median wall time (the slower middle one for an even
    count), its other figures with it, and the walls of all runs."""
    ordered = sorted(runs, key=lambda t: t["wall_s"])
    chosen = {k: v for k, v in ordered[len(ordered) // 2].items() if k not in ("stdout", "stderr")}
    chosen["walls_s"] = [t["wall_s"] for t in runs]
    return chosen


def ratio(a, b):
    return a / b if b else float("nan")


def table(headers, rows):
    """A Markdown table: the header row, its separator, then the rows."""
    line = lambda cells: "| " + " | ".join(str(c) for c in cells) + " |"
    return [line(headers), "|" + "---|" * len(headers)] + [line(r) for r in rows]


def report(results):
    lines = ["# newsdex benchmark", "",
             f"Machine: {os.cpu_count()} cores, {platform_line()}. Whole processes, warm cache; "
             "ratios are newsdex ÷ SQLite FTS5 measured in the same run.", ""]
    build = []
    for r in results:
        n, f = r["build"]["newsdex"], r["build"]["fts5"]
        build.append([f"x{r['scale']}", r["articles"], f"{r['text_mb']:.1f}", f"{n['wall_s']:.2f}",
                      f"{f['wall_s']:.2f}", f"{ratio(n['wall_s'], f['wall_s']):.2f}", f"{n['cpu_s']:.2f}",
                      f"{n['rss_mb']:.0f}", f"{f['rss_mb']:.0f}", f"{n['index_mb'] / r['text_mb']:.2f}",
                      f"{f['index_mb'] / r['text_mb']:.2f}", f"{n['mb_per_s']:.1f}"])
    lines += ["## Index build", ""] + table(
        ["scale", "articles", "text MB", "newsdex wall s", "FTS5 wall s", "ratio", "newsdex CPU s",
         "newsdex RSS MB", "FTS5 RSS MB", "newsdex index / text", "FTS5 index / text", "newsdex MB/s"], build)
    walls = lambda runs: ", ".join(f"{w:.2f}" for w in runs["walls_s"])
    lines += [""] + [f"- x{r['scale']}: each build's wall time, newsdex {walls(r['build']['newsdex'])} s; "
                     f"FTS5 {walls(r['build']['fts5'])} s (the table shows the median run)" for r in results]
    search = []
    for r in results:
        s = r["search"]
        n_slow, f_slow = s["newsdex_slowest"], s["fts5_slowest"]
        search.append([f"x{r['scale']}", f"{s['newsdex_median_ms']:.1f}", f"{s['fts5_median_ms']:.1f}",
                       f"{ratio(s['newsdex_median_ms'], s['fts5_median_ms']):.2f}",
                       f"{n_slow['ms']:.1f} (`{n_slow['query']}`)", f"{f_slow['ms']:.1f} (`{f_slow['query']}`)",
                       f"{ratio(n_slow['ms'], f_slow['ms']):.2f}", f"{s['newsdex_search_rss_mb']:.0f}"])
    lines += ["", "## Search (median of the per-query medians; top 10 with highlights and JSON)", ""] + table(
        ["scale", "newsdex median ms", "FTS5 median ms", "ratio", "newsdex slowest", "FTS5 slowest",
         "slowest ratio", "newsdex search RSS MB"], search)
    last = results[-1]
    per_query = [[q["kind"], f"`{q['query']}`", f"{q['newsdex_ms']:.1f}", f"{q['fts5_ms']:.1f}",
                  f"{ratio(q['newsdex_ms'], q['fts5_ms']):.2f}", q["newsdex_passages"]]
                 for q in last["search"]["queries"]]
    lines += ["", f"### Per query at x{last['scale']}", ""] + table(
        ["kind", "query", "newsdex ms", "FTS5 ms", "ratio", "newsdex passages"], per_query)
    growth = []
    for r in results:
        g = r["growth"]
        growth.append([f"x{r['scale']}", f"{g['add_one_ms']:.0f}", f"{g['refresh_unchanged_s']:.2f}",
                       f"{g['refresh_1pct_s']:.2f} ({g['refresh_1pct_files']} files)", f"{g['full_build_s']:.2f}",
                       f"{ratio(g['refresh_1pct_s'], g['full_build_s']):.2f}"])
    lines += ["", "## Growth", ""] + table(
        ["scale", "add one article ms", "refresh, nothing changed s", "refresh, 1% changed s", "full build s",
         "1% ÷ full"], growth)
    if len(results) > 1:
        a, b = results[0], results[-1]
        k = b["scale"] / a["scale"]
        lines += ["", f"## Scaling x{a['scale']} → x{b['scale']} ({k:.0f}× the articles)", "",
                  f"- build wall: {ratio(b['build']['newsdex']['wall_s'], a['build']['newsdex']['wall_s']):.1f}×",
                  f"- search median: {ratio(b['search']['newsdex_median_ms'], a['search']['newsdex_median_ms']):.1f}×"]
    return "\n".join(lines) + "\n"


def platform_line():
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        model = "unknown CPU"
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {mem:.0f} GiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, action="append",
                    help="copies of ../shared/corpus (repeatable; default 10)")
    ap.add_argument("--runs", type=int, default=10, help="timed runs per query (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="warm-up runs per query (default 2)")
    ap.add_argument("--builds", type=int, default=3,
                    help="index builds per engine and scale, alternating; the median is reported (default 3)")
    args = ap.parse_args()
    scales = args.scale or [10]
    ok = all([need("sqlite3", "sqlite3"), need("/usr/bin/time", "time")])
    need("hyperfine", "hyperfine")
    if not ok:
        sys.exit(2)
    WORK.mkdir(parents=True, exist_ok=True)
    say("bench: cargo build --release")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    results = [bench_scale(s, args.runs, args.warmup, max(1, args.builds)) for s in scales]
    md = report(results)
    tag = "-".join(f"x{s}" for s in scales)
    (WORK / f"report-{tag}.json").write_text(json.dumps(results, indent=2))
    (WORK / f"report-{tag}.md").write_text(md)
    print(md)
    say(f"bench: raw figures in {WORK / f'report-{tag}.json'}")


if __name__ == "__main__":
    main()
