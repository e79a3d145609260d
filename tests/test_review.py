"""Evaluator decisions: the web app (Flask test client), replay, carry-over to a new run, agreement."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app as cli
from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline
from avovastaus.review.journal import Journal
from avovastaus.review.state import LiveReview, replay
from avovastaus.review.web.app import create_app, is_loopback

from .conftest import CORPORA

TINY = CORPORA / "tiny" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}


def config(**extra):
    return load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}, **extra})


@pytest.fixture
def run(review_run):
    return review_run


def themes_of(run_dir):
    return pd.read_csv(run_dir / "themes.csv", keep_default_na=False)


def answers_of(run_dir):
    return pd.read_csv(run_dir / "answers.csv", dtype=str, keep_default_na=False)


class Browser:
    """A Flask test client that keeps the CSRF token of the last page."""

    def __init__(self, run_dir, reviewer="liisa"):
        self.client = create_app(run_dir, reviewer=reviewer).test_client()
        self.csrf = ""

    def get(self, path):
        page = self.client.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
        self.csrf = found.group(1) if found else self.csrf
        return page

    def post(self, path, **form):
        return self.client.post(path, data={"csrf": self.csrf, **form})


def two_themes(run_dir):
    """The two largest themes (each is some answers' primary theme)."""
    sized = themes_of(run_dir).sort_values(["size", "theme"], ascending=[False, True])
    return sized["theme"].iloc[0], sized["theme"].iloc[1]


def an_answer_of(run_dir, theme):
    answers = answers_of(run_dir)
    row = answers[answers["theme"] == theme].iloc[0]
    return f"{row['id']}/{row['question']}"


def test_rename_merge_move_persist_and_show(run):
    a, b = two_themes(run)
    key = an_answer_of(run, a)
    browser = Browser(run)
    assert browser.get("/").status_code == 200
    assert browser.post("/decide", kind="rename", theme=a, label="Tilat <b>ja</b> raha", base=0).status_code == 303
    assert browser.post("/decide", kind="move", answer=key, to=b, base=0).status_code == 303
    page = Browser(run).get("/").get_data(as_text=True)  # a fresh session sees it too
    assert "Tilat &lt;b&gt;ja&lt;/b&gt; raha" in page and "<b>ja</b>" not in page
    stale = browser.post("/decide", kind="merge", source=a, target=b, base=0)
    assert stale.status_code == 409  # theme a was renamed after "version 0"
    asked = browser.post("/decide", kind="merge", source=a, target=b, base=Journal(run).latest())
    assert asked.status_code == 200 and 'name="confirmed"' in asked.get_data(as_text=True)  # a merge asks first
    assert len(Journal(run).all()) == 2
    assert browser.post("/decide", kind="merge", source=a, target=b, base=Journal(run).latest(), confirmed=1).status_code == 303
    assert [d.kind for d in Journal(run).active()] == ["rename", "move", "merge"]
    missing = browser.get(f"/theme/{a}")
    assert missing.status_code == 404 and "yhdistettiin teemaan" in missing.get_data(as_text=True)  # the app speaks Finnish (#27)
    assert browser.get(f"/theme/{b}").status_code == 200


def test_bad_requests_get_messages_not_tracebacks(run):
    a, _ = two_themes(run)
    browser = Browser(run)
    browser.get("/")
    cases = [
        ({"kind": "rename", "theme": "nope", "label": "x", "base": 0}, 400, "Tuntematon teema"),
        ({"kind": "rename", "theme": a, "base": 0}, 400, "puuttuu"),
        ({"kind": "explode", "base": 0}, 400, "Tuntematon päätös"),
        ({"kind": "move", "answer": "zzz/q", "to": a, "base": 0}, 400, "Tuntematon vastaus"),
        ({"kind": "rename", "theme": a, "label": "x"}, 400, "versio"),
    ]
    for form, status, message in cases:
        reply = browser.post("/decide", **form)
        body = reply.get_data(as_text=True)
        assert reply.status_code == status and message in body and "Traceback" not in body, form
    assert browser.get("/theme/../../etc/passwd").status_code == 404


def test_state_change_without_csrf_token_is_refused(run):
    a, _ = two_themes(run)
    client = create_app(run).test_client()
    client.get("/")
    reply = client.post("/decide", data={"kind": "rename", "theme": a, "label": "x", "base": 0})
    assert reply.status_code == 400 and Journal(run).all() == []


def test_two_evaluators_editing_the_same_theme_conflict(run):
    a, _ = two_themes(run)
    liisa, pekka = Browser(run, "liisa"), Browser(run, "pekka")
    liisa.get("/")
    pekka.get("/")
    assert liisa.post("/decide", kind="rename", theme=a, label="Liisan nimi", base=0).status_code == 303
    reply = pekka.post("/decide", kind="rename", theme=a, label="Pekan nimi", base=0)
    assert reply.status_code == 409 and "liisa" in reply.get_data(as_text=True)
    assert [d.payload["label"] for d in Journal(run).active()] == ["Liisan nimi"]


def test_undo_and_audit_log(run):
    a, _ = two_themes(run)
    browser = Browser(run)
    browser.get("/")
    browser.post("/decide", kind="rename", theme=a, label="Väliaikainen", base=0)
    log = browser.get("/log").get_data(as_text=True)
    assert "liisa" in log and "Väliaikainen" in log
    assert browser.post("/undo", seq=1, base=1, next="/log").status_code == 200  # asks first
    assert browser.post("/undo", seq=1, base=1, next="/log", confirmed=1).status_code == 303
    assert Journal(run).active() == []
    assert [d.kind for d in Journal(run).all()] == ["rename", "undo"]


def test_split_creates_a_review_theme(run):
    a, _ = two_themes(run)
    answers = answers_of(run)
    keys = [f"{r.id}/{r.question}" for r in answers[answers["theme"] == a].itertuples()][:2]
    browser = Browser(run)
    browser.get(f"/theme/{a}")
    browser.client.post("/decide", data={"csrf": browser.csrf, "kind": "split", "theme": a, "label": "Uusi ala-teema", "answers": keys, "base": 0})
    assert "Uusi ala-teema" in browser.get("/").get_data(as_text=True)
    assert browser.get("/theme/arvio_01").status_code == 200


def test_decisions_carry_over_to_a_new_run(run, tmp_path):
    a, b = two_themes(run)
    key = an_answer_of(run, a)
    browser = Browser(run)
    browser.get("/")
    browser.post("/decide", kind="rename", theme=b, label="Arvioijan nimi", base=0)
    browser.post("/decide", kind="move", answer=key, to=b, base=0)
    browser.post("/decide", kind="verdict", answer=key, theme=b, verdict="confirmed", base=Journal(run).latest())
    Journal(run).append("move", {"answer": "EI-OLE/yhteistyo_nyt", "to": b}, "liisa", ["answer:EI-OLE/yhteistyo_nyt"])
    again = tmp_path / "again"
    run_pipeline(TINY, config(review_from=str(run)), again)
    themes = themes_of(again).set_index("theme")
    assert themes.loc[b, "label"] == "Arvioijan nimi"
    moved = answers_of(again)
    row = moved[(moved["id"] + "/" + moved["question"]) == key].iloc[0]
    assert row["theme"] == b
    import json

    review = json.loads((again / "manifest.json").read_text())["review"]
    assert review["applied"] == 3
    assert [x["seq"] for x in review["not_applied"]] == [4] and "not in this run" in review["not_applied"][0]["reason"]
    assert "EI-OLE" in (again / "report.md").read_text()
    assert len(Journal(again).active()) == 3  # the new run's evaluators see (and can undo) what carried over


def test_agreement_command(run):
    a, b = two_themes(run)
    answers = answers_of(run)
    keys = [f"{r.id}/{r.question}" for r in answers[answers["theme"] == a].itertuples()][:3]
    journal = Journal(run)
    for k in keys:
        journal.append("verdict", {"answer": k, "theme": a, "verdict": "confirmed"}, "liisa", [f"answer:{k}"])
    journal.append("verdict", {"answer": keys[0], "theme": a, "verdict": "confirmed"}, "pekka", [f"answer:{keys[0]}"])
    journal.append("move", {"answer": keys[1], "to": b}, "pekka", [f"answer:{keys[1]}"])
    result = CliRunner().invoke(cli, ["agreement", str(run), "--json"])
    assert result.exit_code == 0, result.output
    import json

    rows = {r["pair"]: r for r in json.loads(result.output)}
    assert rows["model vs liisa"]["n"] == 3 and rows["model vs liisa"]["percent"] == 1.0
    assert rows["model vs pekka"]["n"] == 2 and rows["model vs pekka"]["percent"] == 0.5
    assert rows["liisa vs pekka"]["n"] == 2 and rows["liisa vs pekka"]["percent"] == 0.5


def test_remote_binding_needs_a_token(run):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    client = create_app(run, token="sekret").test_client()
    assert client.get("/").status_code == 403
    exchanged = client.get("/?token=sekret")
    assert exchanged.status_code == 303 and exchanged.headers["Location"] == "/"  # the token leaves the address bar
    assert client.get("/").status_code == 200  # the session remembers


def test_review_command_refuses_a_public_host_without_allow_remote(run):
    result = CliRunner().invoke(cli, ["review", str(run), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and result.output.startswith("E305")


# ---------------------------------------------------------------- the state kept in memory (issue #17, item 5)


def small_tables():
    answers = pd.DataFrame({
        "id": [f"R{i}" for i in range(8)], "question": ["q"] * 8, "text": [f"vastaus {i}" for i in range(8)],
        "excluded": [""] * 7 + ["empty"], "themes": ["a", "a;b", "b", "c", "c;a", "", "b", "a"],
    })
    themes = pd.DataFrame({"theme": ["a", "b", "c"], "label": ["Aa", "Bee", "Cee"], "source": ["codebook", "codebook", "discovered"]})
    return answers, themes


def assert_same_state(live_state, full):
    assert live_state == full  # themes, labels, descriptions, sources, merged, verdicts, notes, applied, skipped
    for theme in set(live_state.labels) | set(full.labels) | set(live_state.merged):
        assert live_state.members(theme) == full.members(theme) and live_state.size(theme) == full.size(theme), theme


def test_incremental_state_equals_a_full_replay_with_two_writers(tmp_path):
    answers, themes = small_tables()
    live = LiveReview(tmp_path, answers, themes)
    liisa, pekka = Journal(tmp_path), Journal(tmp_path)  # two writers, each with its own connections
    check = lambda: assert_same_state(live.current(), replay(tmp_path, answers, themes))  # noqa: E731
    check()
    liisa.append("rename", {"theme": "a", "label": "Uusi A", "description": "kuvaus"}, "liisa", ["theme:a"])
    pekka.append("move", {"answer": "R0/q", "from": "a", "to": "b"}, "pekka", ["answer:R0/q"])
    check()
    pekka.append("verdict", {"answer": "R1/q", "theme": "b", "verdict": "wrong"}, "pekka", ["answer:R1/q"])
    merge = liisa.append("merge", {"source": "c", "target": "b"}, "liisa", ["theme:b", "theme:c"])
    pekka.append("split", {"theme": "b", "new_theme": "arvio_01", "label": "Osa B", "answers": ["R2/q", "R3/q"]}, "pekka", ["theme:b"])
    pekka.append("move", {"answer": "R5/q", "to": "c"}, "pekka", ["answer:R5/q"])  # c was merged away: skipped
    liisa.append("note", {"target": "answer:R4/q", "text": "huomio"}, "liisa", ["answer:R4/q"])
    check()
    assert live.full_replays == 1 and [s["kind"] for s in live.current().skipped] == ["move"]
    undone = liisa.undo(merge, "liisa")  # an undo of an older decision: replays everything
    pekka.append("move", {"answer": "R6/q", "from": "b", "to": "a"}, "pekka", ["answer:R6/q"])
    check()
    assert live.full_replays == 2 and "c" in live.current().labels and live.current().members("arvio_01") == ["R2/q"]
    undo_of_undo = pekka.undo(undone, "pekka")  # restores the merge
    check()
    pekka.append("rename", {"theme": "arvio_01", "label": "Osa B, nimetty"}, "pekka", ["theme:arvio_01"])
    check()
    assert live.full_replays == 3 and live.version == undo_of_undo + 1 and "c" not in live.current().labels


def test_a_decision_from_another_server_shows_on_the_next_page(run):
    a, _ = two_themes(run)
    one, other = Browser(run, "liisa"), Browser(run, "pekka")  # two apps: two servers on the same run directory
    one.get("/")
    other.get("/")
    assert one.post("/decide", kind="rename", theme=a, label="Liisan uusi nimi", base=0).status_code == 303
    assert "Liisan uusi nimi" in other.get("/").get_data(as_text=True)
    reply = other.post("/decide", kind="rename", theme=a, label="Pekan nimi", base=0)
    assert reply.status_code == 409  # pekka's page predates liisa's rename


def test_member_index_follows_random_decisions():
    import random

    from avovastaus.review.journal import Decision
    from avovastaus.review.state import NotApplicable, Reviewed

    rng = random.Random(7)
    keys = [f"R{i}/q" for i in range(60)]
    state = Reviewed(themes={k: rng.sample(["a", "b", "c", "d"], rng.randint(0, 2)) for k in keys}, labels={t: t.upper() for t in "abcd"})
    for seq in range(1, 300):
        theme = rng.choice(sorted(state.labels))
        state.members(theme)  # cache some sorted lists, so that moves update them in place
        kind = rng.choice(["move", "move", "move", "split", "merge"] if len(state.labels) > 2 else ["move", "split"])
        if kind == "move":
            payload = {"answer": rng.choice(keys), "from": rng.choice([None, theme]), "to": rng.choice(sorted(state.labels))}
        elif kind == "split":
            payload = {"theme": theme, "new_theme": f"arvio_{seq}", "label": "x", "answers": rng.sample(keys, 5)}
        else:
            payload = {"source": theme, "target": rng.choice(sorted(set(state.labels) - {theme}))}
        try:
            state.apply(Decision(seq, "", "liisa", kind, payload))
        except NotApplicable:
            pass
        for t in set(state.labels) | set(state.merged):
            assert state.members(t) == [k for k in keys if t in state.themes[k]], (seq, kind, t)
            assert state.size(t) == len(state.members(t))
