"""What every page and action of the review app shares: the run it serves (:class:`Site`), the reviewer, the words."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
from flask import current_app, g, request, session

from avovastaus.config import load_codebook
from avovastaus.errors import AvovastausError
from avovastaus.io.rundir import answer_key, load_run
from avovastaus.report import formatting as fmt
from avovastaus.report.view import fit_warning, question_labels
from avovastaus.review.journal import Journal
from avovastaus.review.state import LiveReview, Reviewed
from avovastaus.review.web.text import count, kind_name, reason_name, text

#: the keys that move an answer to a theme, by the theme's place in the run's theme list (the same key on every answer):
#: digits first, then letters; E, J, K, S and U are left out (E reads as "ei", K confirms, S steps on, U undoes, J is Alt+J's)
THEME_KEYS = "123456789abcdfghilmnopqrtvwxyz"
#: how many of a respondent's other answers a card shows beside the answer
OTHER_ANSWERS = 6
from avovastaus.stats.summarize import mark_significant, shares_by_group


def _single_wording(run: Any) -> str:
    """Return the wording of a one-question run's question when it has one besides its column name ("" otherwise)."""
    if run.several_questions:
        return ""
    [(column, label)] = question_labels(run).items() or [("", "")]
    return label if label != column else ""


def anchor_of(key: str) -> str:
    """Return the HTML id of an answer's card (stable across pages and decisions; answer keys may hold any character)."""
    return "a-" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


@dataclass
class Site:
    """One run directory as the review app serves it: fixed tables, the live state, settings, caches."""

    run_dir: Path
    reviewer: str | None  # None: each browser session is asked for a name
    lang: str
    token: str | None
    hosts: frozenset[str]
    any_ip: bool
    live: LiveReview
    journal: Journal
    texts: dict[str, str]
    folded: dict[str, str]
    info: dict[str, dict[str, Any]]
    threshold: float | None
    columns: list[str]
    group_of: list[dict[str, str]]
    person_of: dict[str, str]  # answer key -> respondent id: group shares count respondents
    reasons: dict[str, str]
    min_cell: int
    alpha: float
    correction: str
    warning: str | None
    model_labels: dict[str, str]
    #: the run's open questions (column -> wording) when it has several: the pages then offer a question switcher
    questions: dict[str, str] = field(default_factory=dict)
    question_of: dict[str, str] = field(default_factory=dict)
    #: respondent id -> design weight (weighted runs: the group bars are weighted as in groups.csv)
    weight_of: dict[str, float] | None = None
    #: a one-question run's wording (``[questions.COL] label`` or the SPSS/Stata variable label), shown above its themes
    wording: str = ""
    #: question column -> its wording (every run), for the same respondent's other answers
    question_names: dict[str, str] = field(default_factory=dict)
    #: respondent id -> their answer keys in the run's order
    answers_of: dict[str, list[str]] = field(default_factory=dict)
    #: whether the model's number per answer is a probability (answers.csv ``confidence``) or, in older runs, a similarity (``score``)
    probabilities: bool = True
    #: the answers the model left without a theme: their number is the probability of no theme
    model_none: frozenset[str] = frozenset()
    _cells: dict[str, tuple[Any, list[dict[str, Any]]]] = field(default_factory=dict)
    _totals: tuple[int, list[dict[str, Any]]] | None = None

    @classmethod
    def load(cls, run_dir: Path, reviewer: str | None, lang: str, token: str | None, hosts: frozenset[str], any_ip: bool) -> "Site":
        run = load_run(run_dir)
        journal = Journal(run_dir, run.fingerprint)
        journal.check()  # a damaged journal stops the server here with a coded error, not with a 500 on every page
        answers = run.answers
        keys = [answer_key(i, q) for i, q in zip(answers["id"], answers["question"])]
        columns = run.manifest.input.group_columns
        descriptions: dict[str, str] = {}
        m = run.manifest
        if m.codebook and Path(m.codebook.path).is_file():
            try:
                descriptions = {t.id: t.description for t in load_codebook(m.codebook.path).themes}
            except AvovastausError:
                descriptions = {}  # the codebook changed since the run; descriptions are a courtesy
        info = {}
        for row in run.themes.to_dict("records"):
            stability = row.get("stability")
            info[row["theme"]] = {"keywords": row["keywords"], "description": descriptions.get(row["theme"], ""), "question": row.get("question") or "",
                                  "stability": None if stability in ("", None) or pd.isna(stability) else float(stability)}
        return cls(
            run_dir=run_dir, reviewer=reviewer, lang=lang, token=token, hosts=hosts, any_ip=any_ip,
            live=LiveReview(run_dir, answers, run.themes), journal=journal,
            texts=dict(zip(keys, answers["text"])), folded={k: t.casefold() for k, t in zip(keys, answers["text"])},
            info=info, threshold=m.stability.threshold if m.stability else None, columns=list(columns),
            group_of=[dict(zip(keys, answers[column])) for column in columns],
            person_of=dict(zip(keys, answers["id"])),
            reasons={k: r for k, r in zip(keys, answers["excluded"]) if r},
            min_cell=m.statistics.suppressed_below, alpha=float(m.setting("summarize", "alpha", 0.05)),
            correction=str(m.setting("summarize", "correction", "bh")),
            warning=fit_warning((m.model_extra or {}).get("codebook_fit"), m.codebook.name if m.codebook else "", lang),
            model_labels=dict(zip(run.themes["theme"], run.themes["label"])),
            questions=question_labels(run) if run.several_questions else {},
            question_of=dict(zip(keys, answers["question"])),
            weight_of=dict(zip(answers["id"], answers["weight"].astype(float))) if run.weight and "weight" in answers else None,
            wording=_single_wording(run),
            question_names=question_labels(run),
            answers_of=_answers_of(keys, answers["id"]),
            probabilities="confidence" in answers.columns,
            model_none=frozenset(k for k, ts, reason in zip(keys, answers["themes"], answers["excluded"]) if not reason and not str(ts).strip()),
        )

    def _respondent_groups(self, st: Reviewed) -> list[dict[str, Any]]:
        """Return each group column's respondent -> group among the analysed answers (recounted only when an answer is taken in)."""
        n = len(st.themes)
        if self._totals is None or self._totals[0] != n:
            self._totals = (n, [{self.person_of[k]: of[k] for k in st.themes} for of in self.group_of])
        return self._totals[1]

    @staticmethod
    def wrong_of(st: Reviewed, theme: str) -> frozenset[str]:
        """Return the answers an evaluator marked wrong for ``theme`` (they no longer count as its answers)."""
        return frozenset(k for k, ts in st.wrong.items() if theme in ts)

    def members(self, st: Reviewed, theme: str) -> list[str]:
        """Return the theme's answers as the reviewed outputs count them: without those marked wrong for it, in the run's order."""
        wrong = self.wrong_of(st, theme)
        keys = st.members(theme)
        return [k for k in keys if k not in wrong] if wrong else list(keys)

    def size(self, st: Reviewed, theme: str) -> int:
        """Return how many answers the theme has, those marked wrong for it left out."""
        return st.size(theme) - sum(1 for k in self.wrong_of(st, theme) if theme in st.themes.get(k, ()))

    @staticmethod
    def unassigned(st: Reviewed) -> list[str]:
        """Return the analysed answers without a theme, counting a theme marked wrong as gone (*Ilman teemaa*)."""
        return [k for k, ts in st.themes.items() if not ts or (k in st.wrong and not st.final_themes(k))]

    def _theme_cells(self, st: Reviewed, theme: str, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return the theme's share of each group's respondents, tested like groups.csv (cached until its members or the analysed answers change)."""
        stamp = (st.stamps.get(theme, 0), len(st.themes), self.wrong_of(st, theme))
        cached = self._cells.get(theme)
        if cached is None or cached[0] != stamp:
            people = {self.person_of[k] for k in self.members(st, theme)}
            cached = (stamp, shares_by_group(people, groups, self.columns, self.min_cell, self.weight_of))
            self._cells[theme] = cached
        return [dict(cell) for cell in cached[1]]

    def cells(self, st: Reviewed) -> dict[str, list[dict[str, Any]]]:
        """Return every theme's group cells (respondents, as in groups.csv's all-questions rows) with ``significant`` and ``direction``: one correction over all."""
        groups = self._respondent_groups(st)
        per_theme = {theme: self._theme_cells(st, theme, groups) for theme in st.labels}
        mark_significant([cell for cells in per_theme.values() for cell in cells], "holm" if self.correction == "holm" else "bh", self.alpha)
        return per_theme

    def theme_question(self, st: Reviewed, theme: str) -> str:
        """Return the question a theme belongs to: the model's, else (made in review) the one question its answers answer; "" when shared."""
        own = self.info.get(theme, {}).get("question")
        if own is not None:
            return own
        asked = {self.question_of.get(k, "") for k in st.members(theme)}
        return asked.pop() if len(asked) == 1 else ""

    def theme_rows(self, st: Reviewed, question: str = "") -> list[dict[str, Any]]:
        """Return the index page's rows: one per theme (of ``question`` and the shared ones, when given), largest first, with its group cells."""
        rows = []
        total = len(st.themes)
        cells = self.cells(st)
        for theme, label in st.labels.items():
            if question and self.theme_question(st, theme) not in ("", question):
                continue
            size = self.size(st, theme)
            rows.append({**self.theme_info(st, theme), "label": label, "size": size, "share": size / total if total else 0.0, "groups": cells[theme]})
        return sorted(rows, key=lambda r: (-r["size"], r["theme"]))

    def theme_info(self, st: Reviewed, theme: str) -> dict[str, Any]:
        """Return what the pages show about a theme besides its answers: description, keywords, source, stability."""
        info = self.info.get(theme, {})
        stability = info.get("stability")
        return {
            "theme": theme, "description": st.descriptions.get(theme) or info.get("description", ""), "keywords": info.get("keywords", ""),
            "source": st.sources.get(theme, "review"), "stability": stability,
            "unstable": stability is not None and self.threshold is not None and stability < self.threshold,
        }

    def card(self, st: Reviewed, key: str, context: str | None, notes: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        """Return what an answer's card shows: text, groups, themes by label (primary first), own verdict, the model's number, notes,
        and the same respondent's other answers."""
        themes = st.themes.get(key)
        reason = st.excluded.get(key)
        return {
            "key": key, "anchor": anchor_of(key), "text": self.texts[key], "context": context,
            "groups": [(column, self.group_of[c][key]) for c, column in enumerate(self.columns)],
            "themes": [(t, st.labels.get(t, t), i == 0) for i, t in enumerate(themes or [])], "analysed": themes is not None,
            "final": st.final_themes(key) if themes is not None else [],
            "reason": reason_name(reason, self.lang) if reason else None, "verdict": st.verdicts.get((key, who()), (None, None))[1],
            "wrong": sorted(st.wrong.get(key, ())), "sure": self.sure(st, key),
            "notes": notes.get(f"answer:{key}", []), "others": self.others(st, key),
        }

    def sure(self, st: Reviewed, key: str) -> dict[str, str] | None:
        """Return the model's number for an answer, named by what it is: ``varmuus`` (its theme's probability), the probability of
        no theme (an answer the model gave none), or an older run's similarity; None when unknown."""
        value = st.confidence.get(key, math.nan)
        if math.isnan(value):
            return None
        t = text(self.lang)
        if not self.probabilities:
            return {"name": t["similarity"], "title": t["similarity_title"], "value": fmt.number(value, self.lang, 2)}
        # the model's suggestion is the answer's themes until someone decides it; after that, what the model had left it with
        no_theme = not st.themes.get(key) if key not in st.decided else key in self.model_none
        name = "p_none" if no_theme else "confidence"
        return {"name": t[name], "title": t[f"{name}_title"], "value": fmt.percent(value, self.lang)}

    def others(self, st: Reviewed, key: str) -> list[dict[str, Any]]:
        """Return the same respondent's other answers (question, text, themes by label or why excluded), the first few."""
        shown = []
        for other in self.answers_of.get(self.person_of.get(key, ""), ()):
            if other == key:
                continue
            reason = st.excluded.get(other)
            themes = [st.labels.get(t, t) for t in st.final_themes(other)] if other in st.themes else []
            shown.append({"key": other, "question": self.question_names.get(self.question_of.get(other, ""), self.question_of.get(other, "")),
                          "text": self.texts[other], "themes": themes, "reason": reason_name(reason, self.lang) if reason else None})
            if len(shown) == OTHER_ANSWERS:
                break
        return shown

    def keyed_themes(self, st: Reviewed) -> list[tuple[str, str, str]]:
        """Return (theme id, label, key) of every theme in the run's theme order: the key moves an answer there ("" past the last key)."""
        return [(theme, label, THEME_KEYS[i] if i < len(THEME_KEYS) else "") for i, (theme, label) in enumerate(st.labels.items())]

    def names(self, st: Reviewed, decisions: list[Any] = ()) -> dict[str, str]:
        """Return theme id -> label for sentences: the model's labels, labels given in splits, then the current labels."""
        names = dict(self.model_labels)
        for d in decisions:
            if d.kind == "split" and not d.problem:
                names[d.payload["new_theme"]] = d.payload["label"]
        names.update(st.labels)
        return names


def _answers_of(keys: list[str], ids: Any) -> dict[str, list[str]]:
    by: dict[str, list[str]] = {}
    for key, person in zip(keys, ids):
        by.setdefault(person, []).append(key)
    return by


def site() -> Site:
    return current_app.extensions["avovastaus"]


def who() -> str:
    return session.get("reviewer") or site().reviewer or ""


def here() -> str:
    """Return the current page as a local path, without any token (for forms' ``next``)."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    return quote(request.path) + (f"?{urlencode(query)}" if query else "")


def words() -> dict[str, str]:
    """Return the page words in the app's language."""
    return text(site().lang)


def page_context() -> dict[str, Any]:
    s = site()
    return {"csrf": session.get("csrf", ""), "reviewer": who(), "run_name": s.run_dir.name, "t": text(s.lang), "lang": s.lang,
            "csp_nonce": g.get("csp_nonce", ""), "here": here(), "done": session.pop("done", None) if request.method == "GET" else None,
            "count": lambda n, noun: count(n, noun, s.lang), "kind_name": lambda kind: kind_name(kind, s.lang),
            "percent": lambda value, digits=0: fmt.percent(value, s.lang, digits), "number": lambda value, digits=None: fmt.number(value, s.lang, digits)}
