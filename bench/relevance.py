#!/usr/bin/env python3
"""newsdex relevance benchmark (see bench/README.md, "Relevance").

For every test collection under ../shared/relevance (docs/, queries.tsv,
qrels.tsv), indexes the documents with newsdex and with SQLite FTS5 in the
same run, runs every query at article level on both, and prints MAP, P@10 and
nDCG@10 (trec_eval definitions) with newsdex's difference to FTS5.

newsdex runs each query as typed, as a whole process:
    newsdex search --any --per-article 1 -n 1000 --json -- QUERY
(the ranked articles are the hits in order; an article listed in a hit's
`also_in`, a copy of the passage shown, counts at that hit's rank).
FTS5: one row per document, tokenize='porter unicode61', ranked by bm25(),
the query being the OR of its distinct terms, each quoted.

Standard library only. Raw per-query figures go to target/relevance/last.json;
--compare FILE prints per-query wins and losses against an earlier run's file.
"""

import argparse
import json
import math
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "relevance"
WORK = ROOT / "target" / "relevance"
BIN = ROOT / "target" / "release" / "newsdex"
DEPTH = 1000


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def read_tsv(path, columns):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(line.split("\t", columns - 1))
    return rows


def load(collection):
    queries = {qid: text for qid, text in read_tsv(collection / "queries.tsv", 2)}
    qrels = {}
    for qid, docid, rel, *_ in read_tsv(collection / "qrels.tsv", 3):
        if int(rel) > 0:
            qrels.setdefault(qid, set()).add(docid)
    return queries, qrels


# ---------------------------------------------------------------- metrics

def average_precision(ranked, relevant):
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked, 1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant)


def precision_at(ranked, relevant, k):
    return sum(1 for doc in ranked[:k] if doc in relevant) / k


def ndcg_at(ranked, relevant, k):
    dcg = sum(1 / math.log2(i + 1) for i, doc in enumerate(ranked[:k], 1) if doc in relevant)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def evaluate(runs, qrels):
    """Per-query (AP, P@10, nDCG@10) over every query with a relevant document."""
    return {
        qid: (
            average_precision(runs.get(qid, []), rel),
            precision_at(runs.get(qid, []), rel, 10),
            ndcg_at(runs.get(qid, []), rel, 10),
        )
        for qid, rel in qrels.items()
        if rel
    }


def means(per_query):
    values = list(per_query.values())
    return tuple(statistics.fmean(v[i] for v in values) for i in range(3))


# ---------------------------------------------------------------- engines

def newsdex_runs(name, collection, queries, extra_args):
    docs = collection / "docs"
    index = WORK / name / "index"
    index.parent.mkdir(parents=True, exist_ok=True)
    build = subprocess.run(
        [str(BIN), "index", "--rebuild", "--seeds", str(docs), "--index", str(index)],
        capture_output=True, text=True,
    )
    if build.returncode != 0:
        sys.exit(f"relevance: indexing {docs} failed: {build.stderr.strip()}")
    runs, times, failures = {}, [], []
    for qid, text in queries.items():
        cmd = [str(BIN), "search", "--index", str(index), "--seeds", str(docs),
               "--any", "--per-article", "1", "-n", str(DEPTH), "--json", *extra_args, "--", text]
        start = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if p.returncode not in (0, 1):
            failures.append((qid, p.stderr.strip()))
            runs[qid] = []
            continue
        ranked = []
        for hit in json.loads(p.stdout)["hits"]:
            for path in [hit["article"]["path"]] + [c["path"] for c in hit.get("also_in", [])]:
                doc = Path(path).stem
                if doc not in ranked:
                    ranked.append(doc)
        runs[qid] = ranked[:DEPTH]
    return runs, times, failures


def fts5_runs(collection, queries):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(docid UNINDEXED, body, tokenize='porter unicode61')")
    with db:
        for f in sorted((collection / "docs").glob("*.txt")):
            db.execute("INSERT INTO docs VALUES (?, ?)", (f.stem, f.read_text(encoding="utf-8")))
    runs = {}
    for qid, text in queries.items():
        terms = list(dict.fromkeys(t.lower() for t in re.findall(r"[^\W_]+", text)))
        if not terms:
            runs[qid] = []
            continue
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = db.execute(
            "SELECT docid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, DEPTH)
        ).fetchall()
        runs[qid] = [r[0] for r in rows]
    return runs


# ---------------------------------------------------------------- report

def collections(names):
    if not SHARED.is_dir():
        sys.exit(
            f"relevance: {SHARED} is missing: this benchmark needs the test collections in "
            "../shared/relevance beside the repository (docs/, queries.tsv, qrels.tsv per collection)"
        )
    found = sorted(p for p in SHARED.iterdir() if (p / "qrels.tsv").is_file())
    if names:
        found = [p for p in found if p.name in names]
    if not found:
        sys.exit(f"relevance: no collection found in {SHARED}")
    return found


def compare(name, current, earlier, queries):
    if name not in earlier:
        return
    before = {q: tuple(v) for q, v in earlier[name]["per_query"].items()}
    changes = sorted(
        ((current[q][0] - before[q][0], q) for q in current if q in before),
        key=lambda c: c[0],
    )
    wins = [c for c in changes if c[0] > 0.01]
    losses = [c for c in changes if c[0] < -0.01]
    print(f"\n{name}: against the earlier run, {len(wins)} queries gain > 0.01 AP, "
          f"{len(losses)} lose > 0.01 AP, {len(changes) - len(wins) - len(losses)} within 0.01")
    for delta, q in losses[:5] + wins[-5:]:
        print(f"  q{q}: AP {before[q][0]:.3f} -> {current[q][0]:.3f} ({delta:+.3f})  {queries[q][:60]}")


def per_query_table(name, ours, theirs, queries):
    print(f"\n{name}: per query, AP newsdex vs FTS5 (largest differences)")
    rows = sorted(((ours[q][0] - theirs[q][0], q) for q in ours), key=lambda r: r[0])
    wins = sum(1 for d, _ in rows if d > 0.01)
    losses = sum(1 for d, _ in rows if d < -0.01)
    print(f"  {wins} queries better by > 0.01 AP, {losses} worse, {len(rows) - wins - losses} within 0.01")
    for delta, q in rows[:8] + rows[-8:]:
        print(f"  q{q}: {ours[q][0]:.3f} vs {theirs[q][0]:.3f} ({delta:+.3f})  {queries[q][:60]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("collections", nargs="*", help="only these collections (default: all)")
    ap.add_argument("--per-query", action="store_true", help="list per-query wins and losses against FTS5")
    ap.add_argument("--compare", type=Path, help="a last.json of an earlier run: per-query changes")
    ap.add_argument("--newsdex-arg", action="append", default=[], help="extra argument for newsdex search")
    ap.add_argument("--no-build", action="store_true", help="use target/release/newsdex as it is")
    args = ap.parse_args()

    found = collections(args.collections)
    if not args.no_build:
        say("relevance: cargo build --release")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(args.compare.read_text()) if args.compare else {}

    report = {}
    rows = []
    for collection in found:
        name = collection.name
        queries, qrels = load(collection)
        qrels = {q: r for q, r in qrels.items() if q in queries}
        say(f"relevance: {name}: {len(queries)} queries, {sum(map(len, qrels.values()))} relevant pairs")
        runs, times, failures = newsdex_runs(name, collection, queries, args.newsdex_arg)
        ours = evaluate(runs, qrels)
        theirs = evaluate(fts5_runs(collection, queries), qrels)
        m_ours, m_theirs = means(ours), means(theirs)
        report[name] = {
            "newsdex": m_ours, "fts5": m_theirs, "queries": len(ours),
            "median_ms": statistics.median(times) * 1000, "failures": failures,
            "per_query": ours,
        }
        rows.append((name, len(ours), m_ours, m_theirs, statistics.median(times) * 1000,
                     max(times) * 1000, len(failures)))
        for qid, err in failures[:5]:
            say(f"relevance: {name} q{qid} failed: {err}")
        if args.per_query:
            per_query_table(name, ours, theirs, queries)
        compare(name, ours, earlier, queries)

    print("\n| collection | queries | newsdex MAP | FTS5 MAP | Δ MAP | newsdex P@10 | FTS5 P@10 | Δ P@10 "
          "| newsdex nDCG@10 | FTS5 nDCG@10 | Δ nDCG@10 | newsdex median / max ms | failed |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, n, o, t, med, worst, failed in rows:
        print(f"| {name} | {n} | {o[0]:.4f} | {t[0]:.4f} | {o[0] - t[0]:+.4f} | {o[1]:.4f} | {t[1]:.4f} "
              f"| {o[1] - t[1]:+.4f} | {o[2]:.4f} | {t[2]:.4f} | {o[2] - t[2]:+.4f} | {med:.1f} / {worst:.1f} "
              f"| {failed} |")
    out = WORK / "last.json"
    out.write_text(json.dumps(report, indent=1))
    say(f"relevance: per-query figures in {out}")


if __name__ == "__main__":
    main()
