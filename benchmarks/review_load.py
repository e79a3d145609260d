"""The review server under load: 8 evaluators deciding at once on a 440- and a 100,000-answer run.

Run directories (built once, kept in the git-ignored ``benchmarks/.cache/review_load/``):
* *small*: ``avovastaus run corpora/kuntajarjesto/answers.csv --embedder static-fi --codebook none``
  (the committed synthetic corpus: 220 respondents x 2 questions = 440 answers);
* *100k*: the same command on a generated CSV of 50,000 respondents x 2 questions: each answer is 1-3
  sentences drawn (seed 0) from the corpus's answers to the same question, with the corpus's groups
  (``vastaajaryhma``, ``alue``) drawn at their corpus frequencies. Nothing comes from outside the project.

Each measurement copies the run directory to a temporary folder (a fresh, empty journal) and starts
``avovastaus review RUN --port 0`` in a subprocess, with the library sources under test on PYTHONPATH;
the server listens on 127.0.0.1 only and every request goes there. Eight evaluator threads (their own
sessions; reviewer names ``eval1``..``eval8``) each open a different theme page, then post a bounded
number of decisions about its answers — verdicts, notes and a few moves, as a browser does: the POST,
then a GET of the page it redirects to. Latency per decision = the POST alone; *with redirect* = POST
plus that GET (what the evaluator waits for). Pages are timed afterwards by one client (median of 5).
Finally the journal is read directly: every acknowledged decision (303) must be there exactly once.

``--baseline REF`` also measures the sources of git commit REF (``git archive``), e.g. the commit
before the incremental state, with ``--baseline-decisions`` per evaluator (it is slow); its figures
are kept in ``benchmarks/results/review_load.json`` and shown until the next baseline run.

Usage: .venv/bin/python benchmarks/review_load.py [--scales small,100k] [--decisions 25] [--baseline REF]
(writes benchmarks/results/review_load.md; a bounded run: at most --deadline seconds of load per scale)
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, PROJECT, RESULTS, load_line, machine_line, source_line, table, write_section  # noqa: E402

CORPUS = PROJECT / "corpora" / "kuntajarjesto" / "answers.csv"
QUESTIONS = ["yhteistyo_nyt", "kehittaminen"]
GROUPS = ["vastaajaryhma", "alue"]
BIG_RESPONDENTS = 50_000
#: bump when the generated data or the run command change, so the cached run directories are rebuilt
DATA_VERSION = 1
EVALUATORS = 8
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 120.0
SENTENCE = re.compile(r"(?<=[.!?])\s+")


# ---------------------------------------------------------------- run directories


def generate_csv(path: Path, respondents: int, seed: int = 0) -> None:
    """Write a survey export of ``respondents`` rows whose answers recombine the corpus's sentences."""
    rng = random.Random(seed)
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pools = {q: [s.strip() for r in rows for s in SENTENCE.split(r[q].strip()) if s.strip()] for q in QUESTIONS}
    groups = {g: [r[g] for r in rows] for g in GROUPS}  # drawing from the column keeps the corpus frequencies
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["vastaaja_id", *GROUPS, *QUESTIONS])
        for i in range(respondents):
            answers = [" ".join(rng.choice(pools[q]) for _ in range(rng.choice((1, 1, 2, 2, 3)))) for q in QUESTIONS]
            writer.writerow([f"S{i + 1:06d}", *(rng.choice(groups[g]) for g in GROUPS), *answers])


def build_run(scale: str) -> Path:
    """Return the cached run directory for ``scale`` (small | 100k), building it with the CLI when missing."""
    home = CACHE / "review_load" / f"v{DATA_VERSION}-{scale}"
    run_dir = home / "run"
    if (run_dir / "manifest.json").is_file():
        return run_dir
    home.mkdir(parents=True, exist_ok=True)
    if scale == "small":
        source = CORPUS
    else:
        source = home / "answers.csv"
        generate_csv(source, BIG_RESPONDENTS)
    cmd = [sys.executable, "-m", "avovastaus.cli", "run", str(source), "--id", "vastaaja_id",
           *(x for q in QUESTIONS for x in ("--text", q)), *(x for g in GROUPS for x in ("--group", g)),
           "--embedder", "static-fi", "--codebook", "none", "--out", str(run_dir), "--force", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "src"), "AVOVASTAUS_CACHE_DIR": str(CACHE)}
    print(f"building the {scale} run directory: {' '.join(cmd[2:])}", flush=True)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=PROJECT)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return run_dir


def baseline_sources(ref: str, into: Path) -> Path:
    """Extract ``src/`` of git commit ``ref`` into ``into`` and return the folder to put on PYTHONPATH."""
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=PROJECT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


# ---------------------------------------------------------------- a minimal browser


class Client:
    """One evaluator's browser: its own session cookie and the CSRF token of the last page."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie, self.csrf = port, "", ""

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, dict[str, str], str, float]:
        """Return (status, headers, body, seconds) of one request on a fresh connection."""
        headers = {"Host": f"{HOST}:{self.port}"}
        body = None
        if self.cookie:
            headers["Cookie"] = self.cookie
        if form is not None:
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{HOST}:{self.port}",
                            "Sec-Fetch-Site": "same-origin"})
        started = time.perf_counter()
        con = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            con.request(method, path, body=body, headers=headers)
            reply = con.getresponse()
            text = reply.read().decode("utf-8", "replace")
        finally:
            con.close()
        seconds = time.perf_counter() - started
        reply_headers = {k.lower(): v for k, v in reply.getheaders()}
        cookie = reply_headers.get("set-cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        found = re.search(r'name="csrf" value="([^"]+)"', text)
        if found:
            self.csrf = found.group(1)
        return reply.status, reply_headers, text, seconds

    def get(self, path: str) -> tuple[int, str, float]:
        status, _, text, seconds = self.request("GET", path)
        return status, text, seconds

    def post(self, path: str, **form: str) -> tuple[int, str, float]:
        """POST a form; return (status, redirect target, seconds)."""
        status, headers, _, seconds = self.request("POST", path, [("csrf", self.csrf), *form.items()])
        return status, headers.get("location", ""), seconds


def answers_on(page: str) -> list[tuple[str, str]]:
    """Return (answer key, base of its verdict form) for each answer on a theme page."""
    out = []
    for block in re.split(r'<div class="answer[ "]', page)[1:]:  # the current answer's card is "answer current"
        key = re.search(r'data-key="([^"]+)"', block)
        base = re.search(r'name="verdict" value="confirmed">.*?name="base" value="(\d+)"', block, re.S)
        if key and base:
            out.append((key.group(1).replace("&#34;", '"').replace("&amp;", "&"), base.group(1)))
    return out


@dataclass
class Evaluator:
    """What one evaluator thread did."""

    name: str
    theme: str
    page: int
    acked: list[tuple[str, str, str]] = field(default_factory=list)
    post_s: list[float] = field(default_factory=list)
    cycle_s: list[float] = field(default_factory=list)
    page_s: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    error: str = ""


def evaluate(ev: Evaluator, port: int, decisions: int, other_theme: str, deadline: float, start: threading.Barrier) -> None:
    """Post up to ``decisions`` decisions about the answers on one theme page, until ``deadline``."""
    client = Client(port)
    try:
        client.get("/")
        client.post("/reviewer", reviewer=ev.name, next="/")
        path = f"/theme/{ev.theme}?page={ev.page}"
        status, page, _ = client.get(path)
        targets = answers_on(page)
        start.wait()
        for i in range(min(decisions, 3 * len(targets))):
            if time.perf_counter() > deadline:
                break
            key, base = targets[i % len(targets)]
            if i % 10 == 9:
                form = {"kind": "move", "answer": key, "from": ev.theme, "to": other_theme}
                identity = ("move", key, "")
            elif i % 5 == 4 or i >= len(targets):
                text = f"huomio {ev.name}-{i}"
                form = {"kind": "note", "target": f"answer:{key}", "text": text}
                identity = ("note", f"answer:{key}", text)
            else:
                form = {"kind": "verdict", "answer": key, "theme": ev.theme, "verdict": "confirmed" if i % 2 else "wrong"}
                identity = ("verdict", key, "")
            status, location, post_s = client.post("/decide", base=base, next=path, **form)
            ev.statuses[status] += 1
            ev.post_s.append(post_s)
            if status == 303:
                ev.acked.append(identity)
                _, _, get_s = client.get(location or path)
                ev.page_s.append(get_s)
                ev.cycle_s.append(post_s + get_s)
    except Exception as exc:  # a benchmark reports, it does not hide
        ev.error = f"{type(exc).__name__}: {exc}"
        if not start.broken:
            start.abort()


def journal_identities(run_dir: Path) -> Counter:
    """Return a multiset of (reviewer, kind, object, text) of the decisions in the run's journal."""
    con = sqlite3.connect(f"file:{run_dir / 'review.sqlite'}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT reviewer, kind, payload FROM decisions").fetchall()
    finally:
        con.close()
    out: Counter = Counter()
    for reviewer, kind, payload in rows:
        p = json.loads(payload)
        if kind == "note":
            out[(reviewer, kind, p["target"], p["text"])] += 1
        elif kind in ("verdict", "move"):
            out[(reviewer, kind, p["answer"], "")] += 1
    return out


# ---------------------------------------------------------------- one measurement


def start_server(run_dir: Path, src: Path) -> tuple[subprocess.Popen, int, float]:
    """Start ``avovastaus review`` on 127.0.0.1 and return (process, port, seconds until it listened)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "avovastaus.cli", "review", str(run_dir), "--host", HOST, "--port", "0", "--reviewer", "bench"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=PROJECT)
    line = proc.stdout.readline() if proc.stdout else ""
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        proc.kill()
        raise RuntimeError(f"the review server did not start: {line!r}")
    return proc, int(found.group(1)), time.perf_counter() - started


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def measure(scale: str, run_template: Path, src: Path, decisions: int, deadline_s: float) -> dict:
    """Serve a fresh copy of the run, load it with the evaluators, time pages, check the journal."""
    with tempfile.TemporaryDirectory(prefix="review-load-") as tmp:
        run_dir = Path(tmp) / "run"
        shutil.copytree(run_template, run_dir, ignore=shutil.ignore_patterns("review.sqlite*"))
        proc, port, startup_s = start_server(run_dir, src)
        try:
            probe = Client(port)
            _, index, _ = probe.get("/")
            themes = list(dict.fromkeys(re.findall(r'href="/theme/([^"?]+)"', index)))
            sizes = [int(x) for x in re.findall(r"<td>(\d+) \(", index)]
            n_answers = int(re.search(r"(\d+) analysoitua", index).group(1))
            evaluators = [Evaluator(f"eval{i + 1}", themes[i % len(themes)], 1 + i // len(themes)) for i in range(EVALUATORS)]
            barrier = threading.Barrier(EVALUATORS)
            deadline = time.perf_counter() + deadline_s
            threads = [threading.Thread(target=evaluate, args=(ev, port, decisions, themes[(i + 1) % len(themes)], deadline, barrier))
                       for i, ev in enumerate(evaluators)]
            load_started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            load_s = time.perf_counter() - load_started
            pages = {}
            largest = themes[0]
            word = "yhteistyö"
            for name, path in [("index", "/"), ("theme page 1", f"/theme/{largest}"), ("theme, search", f"/theme/{largest}?q={quote(word)}"),
                               ("theme, last page", f"/theme/{largest}?page={max(1, -(-sizes[0] // 25))}"), ("log", "/log")]:
                times = []
                for _ in range(5):
                    status, _, seconds = probe.get(path)
                    if status != 200:
                        raise RuntimeError(f"GET {path} answered {status}")
                    times.append(seconds)
                pages[name] = statistics.median(times)
            rss = peak_rss_mib(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        acked = Counter((ev.name, *identity) for ev in evaluators for identity in ev.acked)
        stored = journal_identities(run_dir)
    lost = sum((acked - stored).values())
    duplicated = sum((stored - acked).values())
    errors = [f"{ev.name}: {ev.error}" for ev in evaluators if ev.error]
    statuses = sum((ev.statuses for ev in evaluators), Counter())
    post = [s for ev in evaluators for s in ev.post_s]
    cycle = [s for ev in evaluators for s in ev.cycle_s]
    return {
        "scale": scale, "answers": n_answers, "themes": len(themes), "startup_s": startup_s, "rss_mib": rss,
        "evaluators": EVALUATORS, "decisions": sum(statuses.values()), "acked": sum(acked.values()),
        "statuses": dict(sorted(statuses.items())), "lost": lost, "duplicated": duplicated, "errors": errors,
        "post_p50": pct(post, 0.5), "post_p95": pct(post, 0.95), "cycle_p50": pct(cycle, 0.5), "cycle_p95": pct(cycle, 0.95),
        "load_s": load_s, "throughput": len(post) / load_s if load_s else 0.0, "pages": pages,
    }


# ---------------------------------------------------------------- report


def fmt_s(value: float) -> str:
    return "–" if value != value else (f"{value:.3f}" if value < 10 else f"{value:.1f}")


def rows_of(results: list[dict], label: str) -> list[list[object]]:
    rows = []
    for r in results:
        statuses = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        rows.append([label, r["scale"], f"{r['answers']:,}", r["themes"], f"{r['startup_s']:.1f}", f"{r['rss_mib']:,.0f}" if r["rss_mib"] else "?",
                     r["decisions"], statuses, fmt_s(r["post_p50"]), fmt_s(r["post_p95"]), fmt_s(r["cycle_p50"]), fmt_s(r["cycle_p95"]),
                     f"{r['throughput']:.1f}", r["lost"], r["duplicated"]])
    return rows


def page_rows(results: list[dict], label: str) -> list[list[object]]:
    return [[label, r["scale"], *(fmt_s(v) for v in r["pages"].values())] for r in results]


def render(current: list[dict], baseline: dict | None, args: argparse.Namespace, started: float, load_before: str) -> str:
    head = ["sources", "scale", "answers", "themes", "startup s", "server peak RSS MiB", "decisions posted", "HTTP statuses",
            "decision p50 s", "decision p95 s", "with redirect p50 s", "with redirect p95 s", "decisions/s", "lost", "duplicated"]
    rows = rows_of(current, "this branch")
    pages = page_rows(current, "this branch")
    if baseline:
        rows += rows_of(baseline["results"], f"`{baseline['ref']}`")
        pages += page_rows(baseline["results"], f"`{baseline['ref']}`")
    page_names = list(current[0]["pages"]) if current else []
    target = [r for r in current if r["scale"] == "100k"]
    verdict = ""
    if target:
        p95 = target[0]["post_p95"]
        verdict = f"Target p95 ≤ 0.3 s per decision at 100,000 answers with 8 evaluators: **{'met' if p95 <= 0.3 else 'missed'}** ({p95:.3f} s)."
    lines = [
        "## Review server under load",
        "",
        f"Script: `benchmarks/review_load.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        f"Machine load when the script started: {load_before}; at the end: {load_line()}; the script ran {time.time() - started:,.0f} s. "
        "Server and clients share the machine's cores, and other processes on it make timings noisy.",
        "",
        "Run directories: *small* = `avovastaus run corpora/kuntajarjesto/answers.csv --embedder static-fi --codebook none` (440 answers); "
        f"*100k* = the same command on a generated CSV of {BIG_RESPONDENTS:,} respondents × 2 questions, each answer 1–3 sentences drawn (seed 0) "
        "from the corpus's answers to that question (excluded answers are not counted in *answers*). "
        f"Each measurement serves a fresh copy with `avovastaus review RUN --host 127.0.0.1 --port 0` in its own process; {EVALUATORS} evaluator "
        "threads (own sessions, each on its own theme page) post verdicts, notes and moves (9 : 2 : 1 roughly) about the answers on their page; "
        "*decision* = the POST, *with redirect* = POST + GET of the page it redirects to. Percentiles are nearest-rank over all evaluators' decisions. "
        "*Lost* = acknowledged (303) but not in the journal; *duplicated* = in the journal more often than acknowledged (read back from `review.sqlite`).",
        "",
        f"Decisions per evaluator: {args.decisions} (this branch)" + (f", {baseline['decisions']} (`{baseline['ref']}`, measured {baseline['date']})" if baseline else "") + ".",
        "",
        table(head, rows),
        "",
        verdict,
        "",
        "Pages, one client after the load, median of 5 requests, seconds (the largest theme; search = `?q=yhteistyö`):",
        "",
        table(["sources", "scale", *page_names], pages),
    ]
    errors = [e for r in current for e in r["errors"]]
    if errors:
        lines += ["", "Evaluator errors: " + "; ".join(errors)]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="small,100k", help="comma-separated: small, 100k")
    parser.add_argument("--decisions", type=int, default=25, help="decisions per evaluator (this branch)")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds of load per scale at most")
    parser.add_argument("--baseline", help="also measure the sources of this git commit (slow: see --baseline-decisions)")
    parser.add_argument("--baseline-decisions", type=int, default=4, help="decisions per evaluator for --baseline")
    parser.add_argument("--src", type=Path, default=PROJECT / "src", help="library sources the server runs (default: this checkout)")
    args = parser.parse_args(argv)
    scales = [s for s in args.scales.split(",") if s]
    started, load_before = time.time(), load_line()
    runs = {scale: build_run(scale) for scale in scales}
    sidecar = RESULTS / "review_load.json"
    baseline = json.loads(sidecar.read_text()).get("baseline") if sidecar.is_file() else None
    if args.baseline:
        with tempfile.TemporaryDirectory(prefix="review-load-src-") as tmp:
            src = baseline_sources(args.baseline, Path(tmp))
            results = []
            for scale in scales:
                print(f"=== {scale}, sources of {args.baseline} ===", flush=True)
                results.append(measure(scale, runs[scale], src, args.baseline_decisions, args.deadline))
                print(json.dumps(results[-1], indent=1), flush=True)
        ref = subprocess.run(["git", "rev-parse", "--short", args.baseline], cwd=PROJECT, capture_output=True, text=True).stdout.strip()
        baseline = {"ref": ref, "decisions": args.baseline_decisions, "date": time.strftime("%Y-%m-%d", time.gmtime()), "results": results}
    current = []
    for scale in scales:
        print(f"=== {scale}, sources in {args.src} ===", flush=True)
        current.append(measure(scale, runs[scale], args.src, args.decisions, args.deadline))
        print(json.dumps(current[-1], indent=1), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps({"baseline": baseline, "current": current}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {write_section('review_load', render(current, baseline, args, started, load_before))}")
    bad = [r for r in current if r["lost"] or r["duplicated"] or r["errors"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
