"""The evaluator's workbench without a browser: reviewed outputs, codebook export, suppression, re-score replay, words, fit warning."""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app as cli
from avovastaus.config import load_codebook, load_config
from avovastaus.io.rundir import load_run
from avovastaus.pipeline import run_pipeline
from avovastaus.report.view import fit_warning
from avovastaus.review.carryover import _translate
from avovastaus.review.journal import Decision, Journal
from avovastaus.review.kinds import Kind
from avovastaus.review.state import LiveReview, Reviewed, replay
from avovastaus.review.web.app import create_app
from avovastaus.review.web.text import local_time, sentence
from avovastaus.stats.summarize import suppress
from avovastaus.themes.codebookfit import MIN_KEYWORD_SHARE, codebook_fit

from .conftest import CORPORA, REVIEW_INGEST

runner = CliRunner()


def keyed(run_dir, theme=None):
    answers = load_run(run_dir).answers
    rows = answers[(answers["excluded"] == "") & ((answers["theme"] == theme) if theme else True)]
    return [f"{r.id}/{r.question}" for r in rows.itertuples()]


def largest(run_dir, n=2):
    return load_run(run_dir).themes.sort_values(["size", "theme"], ascending=[False, True])["theme"].tolist()[:n]


class Client:
    """A Flask test client that keeps the CSRF token of the last page."""

    def __init__(self, run_dir, **kwargs):
        self.client = create_app(run_dir, **kwargs).test_client()
        self.csrf = ""

    def get(self, path, **kwargs):
        page = self.client.get(path, **kwargs)
        found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
        self.csrf = found.group(1) if found else self.csrf
        return page

    def post(self, path, **form):
        return self.client.post(path, data={"csrf": self.csrf, **form})


# ---------------------------------------------------------------- suppression: one rule everywhere


def test_suppress_is_the_groups_csv_rule():
    assert suppress(4, 5) and not suppress(5, 5) and suppress(0, 1) and not suppress(1, 1)


def test_the_app_shows_the_cells_of_groups_csv_and_hides_the_suppressed_ones(review_run):
    run = load_run(review_run)
    site = create_app(review_run).extensions["avovastaus"]
    with site.live.view() as st:
        cells = site.cells(st)
    groups = run.groups
    if run.several_questions:  # the app shows the all-questions block: a respondent counts once per theme
        groups = groups[groups["question"].fillna("") == ""]
    alpha = run.manifest.setting("summarize", "alpha", 0.05)
    for row in groups.itertuples():
        (cell,) = [c for c in cells[row.theme] if c["column"] == row.group_column and c["group"] == row.group]
        assert cell["suppressed"] == row.suppressed and cell["n"] == row.n_group
        if row.suppressed:
            assert cell["share"] is None and cell["k"] is None
        else:
            assert cell["share"] == pytest.approx(row.share, abs=1e-4)
            assert cell["significant"] == (row.p_adjusted < alpha)
    hidden = groups[groups["suppressed"] & (groups["n_theme"].isna())].iloc[0]
    page = Client(review_run).get(f"/theme/{hidden.theme}").get_data(as_text=True)
    assert f"{hidden.group}: alle 5 (n={hidden.n_group})" in page


# ---------------------------------------------------------------- reviewed outputs and the codebook they carry


def test_report_writes_the_reviewed_result_beside_the_model_run(review_run):
    a, b = largest(review_run)
    first, second, third = keyed(review_run, a)[:3]
    journal = Journal(review_run)
    journal.append(Kind.RENAME, {"theme": a, "label": "Arvioijan nimi", "description": "Kuvaus arvioijalta"}, "liisa", [f"theme:{a}"])
    journal.append(Kind.VERDICT, {"answer": first, "theme": a, "verdict": "confirmed"}, "liisa", [f"answer:{first}"])
    journal.append(Kind.VERDICT, {"answer": second, "theme": a, "verdict": "wrong"}, "pekka", [f"answer:{second}"])
    journal.append(Kind.MOVE, {"answer": third, "from": a, "to": b}, "pekka", [f"answer:{third}"])
    journal.append(Kind.NOTE, {"target": f"answer:{first}", "text": "selkeä"}, "liisa", [f"answer:{first}"])
    before = (review_run / "answers.csv").read_bytes()
    result = runner.invoke(cli, ["report", str(review_run)])
    assert result.exit_code == 0, result.output
    assert "5 decisions" in result.output
    assert (review_run / "answers.csv").read_bytes() == before  # the model's run stays as it was

    reviewed = review_run / "reviewed"
    answers = pd.read_csv(reviewed / "answers.csv", dtype=str, keep_default_na=False).assign(key=lambda f: f["id"] + "/" + f["question"]).set_index("key")
    assert answers.loc[first, ["theme", "model_theme", "verdict", "reviewer", "notes"]].tolist() == [a, a, "confirmed", "liisa", "liisa: selkeä"]
    assert a not in answers.loc[second, "themes"].split(";") and answers.loc[second, "model_theme"] == a and answers.loc[second, "verdict"] == "wrong"
    assert answers.loc[third, "theme"] == b and answers.loc[third, "model_theme"] == a
    themes = pd.read_csv(reviewed / "themes.csv", keep_default_na=False).set_index("theme")
    assert themes.loc[a, "label"] == "Arvioijan nimi" and themes.loc[a, "description"] == "Kuvaus arvioijalta"
    assert themes.loc[a, "model_label"] != "Arvioijan nimi"
    assert themes.loc[a, "size"] == (answers["themes"].str.split(";").map(lambda ts: a in ts)).sum()
    groups = pd.read_csv(reviewed / "groups.csv", keep_default_na=False)
    assert set(groups["theme"]) == set(themes.index)
    html = (reviewed / "report.html").read_text(encoding="utf-8")
    assert "Arvioijan nimi" in html and "5 päätöstä" in html
    assert "5 päätöstä" in (reviewed / "report.md").read_text(encoding="utf-8")
    assert (reviewed / "summary.xlsx").is_file()


def test_exported_codebook_runs_again_with_the_same_theme_ids(review_run, tmp_path):
    a, b = largest(review_run)
    journal = Journal(review_run)
    journal.append(Kind.RENAME, {"theme": a, "label": "Tilat ja raha"}, "liisa", [f"theme:{a}"])
    for key in keyed(review_run, b)[:2]:
        journal.append(Kind.VERDICT, {"answer": key, "theme": b, "verdict": "confirmed"}, "liisa", [f"answer:{key}"])
    assert runner.invoke(cli, ["report", str(review_run)]).exit_code == 0
    path = review_run / "reviewed" / "codebook.yaml"
    codebook = load_codebook(path)  # valid: `run --codebook` accepts it
    exported = {t.id: t for t in codebook.themes}
    assert exported[a].label == "Tilat ja raha"
    confirmed = load_run(review_run).answers.set_index(["id", "question"]).loc[tuple(keyed(review_run, b)[0].split("/")), "text"]
    assert exported[b].examples[0] == confirmed  # confirmed answers lead the examples

    again = tmp_path / "again"
    config = load_config(overrides={"ingest": REVIEW_INGEST, "embed": {"model": "static-fi"}, "codebook": str(path)})
    run_pipeline(CORPORA / "tiny" / "answers.csv", config, again)
    themes = load_run(again).themes
    assert set(themes.loc[themes["source"] == "codebook", "theme"]) == set(exported)
    assert themes.set_index("theme").loc[a, "label"] == "Tilat ja raha"


# ---------------------------------------------------------------- re-score, batch moves, inclusion: replayed the same way everywhere


def _state():
    return Reviewed(themes={"1/q": ["a"], "2/q": ["a"], "3/q": ["b"]}, labels={"a": "A", "b": "B"}, excluded={"4/q": "dont_know"},
                    confidence={"1/q": 0.2, "2/q": 0.9, "3/q": 0.4})


def test_a_rescore_never_overwrites_an_evaluator_decision():
    st = _state()
    st.apply(Decision(1, "t", "liisa", Kind.VERDICT, {"answer": "1/q", "theme": "a", "verdict": "confirmed"}))
    st.apply(Decision(2, "t", "liisa", Kind.RESCORE, {"themes": {"1/q": ["b"], "2/q": ["b"], "3/q": ["a", "zz"]}, "confidence": {"1/q": 0.1, "2/q": 0.6}}))
    assert st.themes == {"1/q": ["a"], "2/q": ["b"], "3/q": ["a"]}  # unknown theme ids are dropped
    assert st.confidence["1/q"] == 0.2 and st.confidence["2/q"] == 0.6
    st.apply(Decision(3, "t", "pekka", Kind.MOVE, {"answer": "2/q", "to": "a"}))  # a later decision wins over the suggestion
    assert st.themes["2/q"] == ["a"] and st.undecided() == ["3/q"]


def test_move_many_and_inclusion():
    st = _state()
    st.apply(Decision(1, "t", "liisa", Kind.INCLUDE, {"answer": "4/q"}))
    assert st.themes["4/q"] == [] and "4/q" not in st.excluded
    st.apply(Decision(2, "t", "liisa", Kind.MOVE_MANY, {"answers": ["1/q", "4/q", "9/q"], "to": "b"}))
    assert st.themes["1/q"] == ["b"] and st.themes["4/q"] == ["b"] and st.members("b") == ["1/q", "3/q", "4/q"]
    with pytest.raises(Exception, match="not among the excluded"):
        st.apply(Decision(3, "t", "liisa", Kind.INCLUDE, {"answer": "4/q"}))


def test_replay_and_the_live_state_agree_on_rescores_and_undo(review_run):
    a, b = largest(review_run)
    keys = keyed(review_run, a)
    journal = Journal(review_run)
    live = LiveReview(review_run, load_run(review_run).answers, load_run(review_run).themes)
    journal.append(Kind.VERDICT, {"answer": keys[0], "theme": a, "verdict": "confirmed"}, "liisa", [f"answer:{keys[0]}"])
    seq = journal.append(Kind.RESCORE, {"themes": {keys[0]: [b], keys[1]: [b]}, "confidence": {keys[1]: 0.3}}, "liisa", [f"answer:{keys[1]}"])
    state = live.current()
    assert state.themes[keys[0]] == [a] and state.themes[keys[1]] == [b] and state.confidence[keys[1]] == 0.3
    journal.undo(seq, "liisa")
    run = load_run(review_run)
    assert live.current().themes == replay(review_run, run.answers, run.themes).themes
    assert live.current().themes[keys[1]][0] == a


def test_a_rescore_carries_to_a_new_run_by_answer_and_theme():
    d = Decision(5, "t", "r", Kind.RESCORE, {"themes": {"1/q": ["a", "x"], "2/q": ["b"]}, "confidence": {"1/q": 0.4, "2/q": 0.5}})
    carried = _translate(d, {"a": "A", "b": "B"}, {"1/q": "7/q"})
    assert carried.payload == {"themes": {"7/q": ["A"]}, "confidence": {"7/q": 0.4}}
    with pytest.raises(Exception, match="include it again"):
        _translate(Decision(6, "t", "r", Kind.INCLUDE, {"answer": "1/q"}), {}, {"1/q": "1/q"})


# ---------------------------------------------------------------- words: sentences, local times, names, languages


def test_log_reads_as_sentences_with_labels_and_local_times(review_run):
    a, b = largest(review_run)
    key = keyed(review_run, a)[0]
    client = Client(review_run, reviewer="Liisa")
    client.get("/")
    assert client.post("/decide", kind="move", answer=key, to=b, **{"from": a}, base=0, next="/").status_code == 303
    labels = dict(zip(load_run(review_run).themes["theme"], load_run(review_run).themes["label"]))
    log = client.get("/log").get_data(as_text=True)
    assert f"Liisa siirsi vastauksen {key} teemasta ”{labels[a]}” teemaan ”{labels[b]}”" in log.replace("&#34;", '"')
    assert re.search(r"\d{1,2}\.\d{1,2}\.20\d\d klo \d\d\.\d\d", log)
    assert "seq:" not in log and "target:" not in log
    english = Client(review_run, reviewer="Liisa", lang="en").get("/log").get_data(as_text=True)
    assert f"Liisa moved the answer {key} from “{labels[a]}” to “{labels[b]}”" in english and "Themes" in english


def test_local_time_and_unknown_kinds():
    assert local_time("not a time") == "not a time"
    assert sentence(Decision(1, "t", "liisa", "explode", {}, "unknown decision kind explode"), {}).startswith("liisa: päätöstä ei voi soveltaa")


def test_a_conflict_explains_and_links_back_to_the_page(review_run):
    a, _ = largest(review_run)
    liisa, pekka = Client(review_run, reviewer="liisa"), Client(review_run, reviewer="pekka")
    liisa.get("/")
    pekka.get("/")
    liisa.post("/decide", kind="rename", theme=a, label="L", base=0, next=f"/theme/{a}")
    reply = pekka.post("/decide", kind="rename", theme=a, label="P", base=0, next=f"/theme/{a}?page=1")
    body = reply.get_data(as_text=True)
    assert reply.status_code == 409 and "liisa" in body and "Päätöstäsi ei tallennettu" in body
    assert f'href="/theme/{a}?page=1" id="back"' in body


def test_each_browser_is_asked_for_a_name_when_no_reviewer_is_given(review_run):
    client = Client(review_run, reviewer=None)
    first = client.get("/queue")
    assert first.status_code == 303 and first.headers["Location"].startswith("/who?next=")
    assert "Kuka arvioi?" in client.get("/who?next=/queue").get_data(as_text=True)
    refused = client.post("/decide", kind="note", target=f"theme:{largest(review_run, 1)[0]}", text="x", base=0)
    assert refused.status_code == 400 and Journal(review_run).all() == []
    assert client.post("/reviewer", reviewer="Maija", next="/queue").headers["Location"] == "/queue"
    assert client.get("/queue").status_code == 200


def test_excluded_answers_can_be_taken_in_and_given_a_theme(review_run):
    answers = load_run(review_run).answers
    row = answers[answers["excluded"] != ""].iloc[0]
    key = f"{row.id}/{row.question}"
    a = largest(review_run, 1)[0]
    client = Client(review_run)
    assert key in client.get("/excluded").get_data(as_text=True)
    assert client.post("/decide", kind="include", answer=key, base=0, next="/excluded").status_code == 303
    assert key in client.get("/unassigned").get_data(as_text=True)
    assert client.post("/decide", kind="move", answer=key, to=a, base=1, next="/unassigned").status_code == 303
    assert runner.invoke(cli, ["report", str(review_run)]).exit_code == 0
    reviewed = pd.read_csv(review_run / "reviewed" / "answers.csv", dtype=str, keep_default_na=False)
    taken = reviewed[(reviewed["id"] == row.id) & (reviewed["question"] == row.question)].iloc[0]
    assert taken["excluded"] == "" and taken["theme"] == a and taken["model_theme"] == ""


def test_search_finds_answers_across_themes_and_by_id(review_run):
    answers = load_run(review_run).answers
    row = answers[answers["excluded"] == ""].iloc[3]
    client = Client(review_run)
    by_id = client.get(f"/search?q={row.id}").get_data(as_text=True)
    assert f'data-key="{row.id}/{row.question}"' in by_id
    word = "avustus"
    hits = {f"{r.id}/{r.question}" for r in answers.itertuples() if word in r.text.casefold()}
    page = client.get(f"/search?q={word}").get_data(as_text=True)
    assert hits and set(re.findall(r'data-key="([^"]+)"', page)) == hits
    assert len({answers.set_index(["id", "question"]).loc[tuple(k.split("/")), "theme"] for k in hits}) > 1  # across themes


# ---------------------------------------------------------------- codebook fit


class _Lemma:
    def __init__(self, lemma):
        self.lemma, self.parts = lemma, ()


def test_codebook_fit_warns_below_half_of_the_answers_naming_a_keyword():
    codebook = load_codebook(CORPORA.parent / "configs" / "codebook" / "kuntajarjesto.yaml")
    words = [[_Lemma("avustus")], [_Lemma("nato")], [_Lemma("euro")], [_Lemma("verkosto")], [_Lemma("terrorismi")]]
    fit = codebook_fit(words, codebook, [["resurssit"]] * 5, {"resurssit": "codebook"})
    assert fit == {"keyword_share": 0.4, "codebook_share": 1.0, "threshold": MIN_KEYWORD_SHARE, "warning": True}
    assert "--codebook none" in fit_warning(fit, "kuntajarjesto", "fi") and "40 %" in fit_warning(fit, "kuntajarjesto", "fi")
    assert not codebook_fit(words[:1] + words[3:4], codebook, [["resurssit"]] * 2, {})["warning"]
    assert fit_warning(None, "x") is None


OFF_TOPIC = [
    "Nato-jäsenyys lisäisi Suomen turvallisuutta.", "Euro on ollut Suomelle huono ratkaisu.", "Venäjän kanssa pitää käydä kauppaa.",
    "Geenimuunneltu ruoka pitäisi kieltää kokonaan.", "Kauppojen aukioloajat voisi vapauttaa.", "Turvapaikanhakijoiden määrä on liian suuri.",
    "Ydinvoimaa tarvitaan ilmastonmuutoksen torjuntaan.", "Sote-uudistus on venynyt liian kauan.", "Koulutukseen ei saa kohdistaa leikkauksia.",
    "Puolustusvoimien hankinnat ovat välttämättömiä.", "Alkoholiveroa pitäisi nostaa.", "Tuloverotusta pitää keventää pieni- ja keskituloisilta.",
]


def test_a_codebook_that_does_not_fit_is_said_plainly_in_the_cli_report_and_app(tmp_path):
    survey = tmp_path / "vaalit.csv"
    pd.DataFrame({"id": range(1, 1 + len(OFF_TOPIC)), "kommentti": OFF_TOPIC}).to_csv(survey, index=False)
    out = tmp_path / "run"
    result = runner.invoke(cli, ["run", str(survey), "--id", "id", "--text", "kommentti", "--fast", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Warning: The codebook kuntajarjesto does not seem to fit" in result.output and "--codebook none" in result.output
    assert "ei näytä sopivan" in (out / "report.md").read_text(encoding="utf-8")
    assert 'id="codebook-fit"' in (out / "report.html").read_text(encoding="utf-8")
    assert "ei näytä sopivan" in Client(out).get("/").get_data(as_text=True)
    assert not math.isnan(load_run(out).manifest.model_extra["codebook_fit"]["keyword_share"])


# ---------------------------------------------------------------- #27: Finnish throughout (English with --lang en)


@pytest.mark.parametrize("lang, n, noun, expected", [
    ("fi", 1, "answer", "1 vastaus"), ("fi", 2, "answer", "2 vastausta"), ("fi", 0, "answer", "0 vastausta"),
    ("fi", 1, "answer_object", "1 vastauksen"), ("fi", 1, "decision", "1 päätös"), ("fi", 5, "decision", "5 päätöstä"),
    ("fi", 1, "suggestion", "1 ehdotus"), ("fi", 21, "analysed", "21 analysoitua vastausta"),
    ("en", 1, "answer", "1 answer"), ("en", 2, "answer", "2 answers"),
])
def test_counts_take_the_right_number(lang, n, noun, expected):
    from avovastaus.review.web.text import count

    assert count(n, noun, lang) == expected


def test_every_kind_has_a_name_and_every_refusal_a_message_in_both_languages():
    from avovastaus.review.web.text import ERRORS, KIND_NAMES, T, kind_name

    for lang in ("fi", "en"):
        assert set(KIND_NAMES[lang]) == set(Kind)
        assert set(ERRORS[lang]) == set(ERRORS["fi"]) and set(T[lang]) == set(T["fi"])
    assert kind_name("rename") == "nimeäminen" and kind_name("rename", "en") == "rename" and kind_name("explode") == "explode"


def test_refusals_and_conflicts_speak_one_language(review_run):
    a, _ = largest(review_run)
    for lang, words, foreign in [("fi", ["Tuntematon teema", "puuttuu kenttä", "kokonaisluku", "nimeäminen", "Sivua ei ole"], ["Unknown", "missing", "whole number", "rename,"]),
                                 ("en", ["Unknown theme", "missing the field", "whole number", "(rename,", "no such page"], ["Tuntematon", "puuttuu", "nimeäminen"])]:
        liisa, pekka = Client(review_run, reviewer="liisa", lang=lang), Client(review_run, reviewer="pekka", lang=lang)
        liisa.get("/")
        pekka.get("/")
        base = Journal(review_run).latest()
        pages = [liisa.post("/decide", kind="rename", theme="nope", label="x", base=base), liisa.post("/decide", kind="rename", theme=a, base=base),
                 liisa.post("/decide", kind="note", target=f"theme:{a}", text="x", base="-1"), liisa.get("/no-such-page")]
        assert liisa.post("/decide", kind="rename", theme=a, label=f"L {lang}", base=base).status_code == 303
        pages.append(pekka.post("/decide", kind="rename", theme=a, label="P", base=base))
        assert [p.status_code for p in pages] == [400, 400, 400, 404, 409]
        said = " ".join(re.search(r'<p id="error-message">(.*?)</p>', p.get_data(as_text=True), re.S).group(1) for p in pages)
        assert all(w in said for w in words), said
        assert not any(w in said for w in foreign) and " / " not in said, said


def test_reasons_numbers_and_the_two_probabilities_read_as_words(review_run):
    answers = load_run(review_run).answers.assign(key=lambda f: f["id"] + "/" + f["question"])
    excluded = answers[answers["excluded"] != ""]
    client = Client(review_run)
    page = client.get("/excluded").get_data(as_text=True)
    from avovastaus.report.view import UI

    for code in set(excluded["excluded"]):
        assert f"syy: {UI['fi'][code]}" in page and f"syy: {code})" not in page
    english = html.unescape(Client(review_run, lang="en").get("/excluded").get_data(as_text=True))
    assert f"reason: {UI['en'][excluded['excluded'].iloc[0]]}" in english

    index = client.get("/").get_data(as_text=True)
    assert re.search(r"\(\d+ %\)", index) and not re.search(r"\d\.\d", re.sub(r"<style.*?</style>|<svg.*?</svg>", "", index, flags=re.S))
    assert re.search(r"\(\d+%\)", Client(review_run, lang="en").get("/").get_data(as_text=True))

    # "varmuus" is the probability of the answer's theme; an answer the model left without one shows the probability of no theme
    none = answers[(answers["excluded"] == "") & (answers["themes"] == "")]
    unassigned = client.get("/unassigned").get_data(as_text=True)
    if len(none) and "confidence" in answers:
        assert "ei-teeman todennäköisyys" in unassigned and "varmuus" not in re.sub(r'<p class="muted">.*?</p>', "", unassigned, flags=re.S)
    queue = client.get("/queue?theme=" + largest(review_run, 1)[0]).get_data(as_text=True)
    assert re.search(r'class="muted confidence"[^>]*>varmuus \d+ %<', queue)


def test_a_rename_is_told_by_labels_and_wrong_takes_an_answer_off_its_theme(review_run):
    a, b = largest(review_run)
    labels = dict(zip(load_run(review_run).themes["theme"], load_run(review_run).themes["label"]))
    answers = load_run(review_run).answers
    alone = [f"{r.id}/{r.question}" for r in answers.itertuples() if r.themes == a]
    client = Client(review_run, reviewer="Liisa")
    client.get("/")
    assert client.post("/decide", kind="rename", theme=a, label="Uusi nimi", base=0, next="/").status_code == 303
    log = client.get("/log").get_data(as_text=True).replace("&#34;", '"')
    assert f"Liisa nimesi teeman ”{labels[a]}” uudelleen: ”Uusi nimi”" in log and f"teeman {a} " not in log
    before = client.get("/").get_data(as_text=True)
    size = int(re.search(rf'id="row-{a}">.*?<td>(\d+) \(', before, re.S).group(1))

    # "väärä teema" (Alt+V, the key 0): the answer leaves the theme and, with no other theme, is under "Ilman teemaa"
    reply = client.post("/decide", kind="verdict", verdict="wrong", answer=alone[0], theme=a, base=Journal(review_run).latest(), next=f"/theme/{a}")
    assert reply.status_code == 303
    assert f'data-key="{alone[0]}"' not in client.get(f"/theme/{a}").get_data(as_text=True)
    unassigned = client.get("/unassigned")
    assert f'data-key="{alone[0]}"' in unassigned.get_data(as_text=True) and "Ilman teemaa" in unassigned.get_data(as_text=True)
    index = client.get("/").get_data(as_text=True)
    assert int(re.search(rf'id="row-{a}">.*?<td>(\d+) \(', index, re.S).group(1)) == size - 1
    # a move from "Ilman teemaa" gives it a theme again, in place of the one marked wrong
    assert client.post("/decide", kind="move", answer=alone[0], to=b, base=Journal(review_run).latest(), next="/unassigned").status_code == 303
    assert f'data-key="{alone[0]}"' not in client.get("/unassigned").get_data(as_text=True)
    assert f'data-key="{alone[0]}"' in client.get(f"/theme/{b}").get_data(as_text=True)


def test_the_same_respondents_other_answers_are_shown_escaped(review_run):
    answers = pd.read_csv(review_run / "answers.csv", dtype=str, keep_default_na=False)
    person = answers["id"].value_counts().index[0]
    mine = answers[answers["id"] == person]
    answers.loc[mine.index[1], "text"] = "<b>lihava</b> & muuta"
    answers.to_csv(review_run / "answers.csv", index=False)
    first = f"{person}/{mine['question'].iloc[0]}"
    page = Client(review_run).get(f"/search?q={person}").get_data(as_text=True)
    card = page[page.index(f'data-key="{first}"'):]
    card = card[: card.index('class="answer') if 'class="answer' in card else len(card)]
    assert "Saman vastaajan muut vastaukset" in card and "&lt;b&gt;lihava&lt;/b&gt; &amp; muuta" in card and "<b>lihava" not in page
