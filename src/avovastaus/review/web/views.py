"""The review app's pages (GET): themes, a theme, the uncertainty queue, search, unassigned and excluded answers, the log.

Every list of answers is shown as the same cards (:meth:`Site.card`), paged, with one current answer
(``cur``, the card's anchor) that carries the keyboard shortcuts: ``accesskey`` (Alt + letter) in plain
HTML, and one-key coding (``_keys.js``) where the browser runs the page's own script. A decision on a
card returns to the next card, so coding goes down the page without a jump back to its top.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, send_file

from avovastaus.review.export import DOWNLOADS, REVIEWED_DIR
from avovastaus.review.journal import in_force
from avovastaus.review.web.context import site, who, words
from avovastaus.review.web.security import BadRequest, whole_number
from avovastaus.review.web.text import error_text, labels_before, local_time, sentence

PAGE_SIZE = 25
MAX_PAGE = 1_000_000
ORDERS = ("typical", "atypical", "order")
_ANCHOR = re.compile(r"a-[0-9a-f]{12}")

pages = Blueprint("pages", __name__)


def _query() -> str:
    query = (request.args.get("q") or "").strip()
    if len(query) > 200:
        raise BadRequest("long_search", limit=200)
    return query


def url(**changes: Any) -> str:
    """Return the current page's address with some query values changed (None drops one), without ``token``."""
    args = {k: v for k, v in request.args.items() if k != "token"}
    args.update({k: str(v) for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
    return request.path + (f"?{urlencode(args)}" if args else "")


def cards_page(keys: list[str], context: Callable[[str], str | None], leaves: bool, moves_leave: bool | None = None) -> dict[str, Any]:
    """Return the template values of one page of answer cards: the cards, paging, the current card and its neighbours.

    ``context(key)``: the theme a card's verdict and move refer to; ``leaves``: whether a decided answer
    leaves this list; ``moves_leave``: whether a move or a "wrong theme" takes it off the list (a theme's
    page; default ``leaves``). A decision returns to the next card; when there is none, to the previous
    one if the decided card left, else to the card itself.
    """
    s = site()
    page = whole_number(request.args.get("page"), "page", 1, MAX_PAGE) or 1
    pages = max(1, -(-len(keys) // PAGE_SIZE))
    shown = keys[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    with s.live.view() as st:
        notes: dict[str, list[dict[str, Any]]] = {}
        for n in st.notes:
            notes.setdefault(n["target"], []).append({**n, "when": local_time(n["at"], s.lang)})
        cards = [s.card(st, k, context(k), notes) for k in shown]
    anchors = [c["anchor"] for c in cards]
    cur = request.args.get("cur") or ""
    cur = cur if _ANCHOR.fullmatch(cur) and cur in anchors else (anchors[0] if anchors else "")
    for i, c in enumerate(cards):
        c["current"] = c["anchor"] == cur
        following = anchors[i + 1] if i + 1 < len(anchors) else ""
        gone = following or (anchors[i - 1] if i else "")  # where the page opens after a decision that takes this card off the list
        kept = following or c["anchor"]
        c["return_to"] = gone if leaves else kept  # a confirmation or an inclusion
        c["return_moved"] = gone if (leaves if moves_leave is None else moves_leave) else kept  # a move or a "wrong theme"
        c["stay"] = c["anchor"]
    at = anchors.index(cur) if cur else -1
    step = {
        "next_answer": url(cur=anchors[at + 1]) + f"#{anchors[at + 1]}" if 0 <= at < len(anchors) - 1 else None,
        "prev_answer": url(cur=anchors[at - 1]) + f"#{anchors[at - 1]}" if at > 0 else None,
        "next_page": url(page=page + 1, cur=None) if page < pages else None,
        "prev_page": url(page=page - 1, cur=None) if page > 1 else None,
    }
    return {"cards": cards, "page": page, "pages": pages, "n": len(keys), "step": step}


def _question() -> str:
    """Return the question the page is switched to (``?question=COLUMN``), "" for all; an unknown one is a 400."""
    question = request.args.get("question") or ""
    if question and question not in site().questions:
        raise BadRequest("unknown_question", value=question)
    return question


def _common() -> dict[str, Any]:
    """Return what every page with answer cards needs: the themes to move to (labelled, with their keys, in the run's order) and the page version."""
    s = site()
    with s.live.view() as st:
        return {"targets": s.keyed_themes(st), "base": s.live.version, "query": _query()}


@pages.get("/")
def index() -> str:
    s = site()
    question = _question()
    with s.live.view() as st:
        themes, skipped, n_answers, version = s.theme_rows(st, question), list(st.skipped), len(st.themes), s.live.version
        counts = {"unassigned": len(s.unassigned(st)), "excluded": len(st.excluded), "undecided": len(st.undecided())}
    downloads = [n for n in DOWNLOADS if (s.run_dir / REVIEWED_DIR / n).is_file()]
    return render_template("index.html", themes=themes, skipped=skipped, n_answers=n_answers, base=version, counts=counts,
                           warning=s.warning, min_cell=s.min_cell, alpha=s.alpha, downloads=downloads, question=question, questions=s.questions,
                           weighted=s.weight_of is not None, wording=s.wording)


@pages.get("/theme/<theme>")
def theme_page(theme: str) -> str:
    s = site()
    query = _query()
    order = request.args.get("order") or "typical"
    if order not in ORDERS:
        raise BadRequest("unknown_order", value=order)
    with s.live.view() as st:
        if theme not in st.labels:
            target = st.merged.get(theme)
            while target in st.merged:  # merged again later: the theme it lives on in now
                target = st.merged[target]
            names = s.names(st, s.journal.all()) if target else {}
            abort(404, error_text("merged_into", {"value": names.get(theme, theme), "label": names.get(target, target)}, s.lang) if target else
                  error_text("no_such_theme", {"value": theme}, s.lang))
        folded = query.casefold()
        members = s.members(st, theme)
        keys = [k for k in members if folded in s.folded[k]] if query else members
        if order != "order":
            # most typical: the answers whose primary theme this is, surest first; answers carrying it as a second theme after them
            def typical(k: str) -> tuple[int, float]:
                sure = st.confidence.get(k, math.nan)
                return (0 if st.primary(k) == theme else 1, -(sure if not math.isnan(sure) else -math.inf))
            keys.sort(key=typical)
            if order == "atypical":
                keys.reverse()
        view = {**s.theme_info(st, theme), "label": st.labels[theme], "cells": s.cells(st)[theme],
                "notes": [{**n, "when": local_time(n["at"], s.lang)} for n in st.notes if n["target"] == f"theme:{theme}"]}
    return render_template("theme.html", order=order, orders=ORDERS, min_cell=s.min_cell, alpha=s.alpha, **view, **_common(),
                           **cards_page(keys, lambda k: theme, leaves=False, moves_leave=True))


@pages.get("/queue")
def queue() -> str:
    """The answers nobody decided, least sure first, filtered by theme and respondent group."""
    s = site()
    theme = request.args.get("theme") or ""
    group = request.args.get("group") or ""
    with s.live.view() as st:
        if theme and theme != "-" and theme not in st.labels:
            raise BadRequest("unknown_theme", value=theme)
        keys = st.undecided()
        question = _question()
        if question:
            keys = [k for k in keys if s.question_of.get(k) == question]
        if theme == "-":
            keys = [k for k in keys if not st.final_themes(k)]
        elif theme:
            keys = [k for k in keys if theme in st.themes[k]]
        options = [(f"{c}:{g}", f"{column}: {g}") for c, column in enumerate(s.columns) for g in sorted(set(s.group_of[c].values()))]
        if group:
            if group not in dict(options):
                raise BadRequest("unknown_group", value=group)
            c, _, value = group.partition(":")
            of = s.group_of[int(c)]
            keys = [k for k in keys if of[k] == value]
        sure = st.confidence
        keys.sort(key=lambda k: (math.isnan(sure.get(k, math.nan)), sure.get(k, math.nan) if not math.isnan(sure.get(k, math.nan)) else 0.0))
        primary = {k: st.primary(k) for k in keys}
        decided = len(st.decided)
    return render_template("queue.html", theme=theme, group=group, groups=options, decided=decided, question=question, questions=s.questions, **_common(),
                           **cards_page(keys, primary.get, leaves=True))


@pages.get("/search")
def search() -> str:
    """Answers of every theme (and the excluded ones) whose text holds the search words, or whose id or key is the search."""
    s = site()
    query = _query()
    keys: list[str] = []
    if query:
        folded = query.casefold()
        with s.live.view() as st:
            order = [*st.themes, *st.excluded]
            primary = {k: next(iter(st.final_themes(k)), None) for k in order}  # a theme marked wrong is not the answer's any more
        keys = [k for k in order if folded in s.folded[k] or k.casefold() == folded or k.split("/", 1)[0].casefold() == folded]
    else:
        primary = {}
    return render_template("answers.html", title=words()["search"], intro=words()["search_all"], search=True, **_common(),
                           **cards_page(keys, primary.get, leaves=False))


@pages.get("/unassigned")
def unassigned() -> str:
    s = site()
    with s.live.view() as st:
        keys = s.unassigned(st)
    return render_template("answers.html", title=words()["unassigned"], intro=words()["unassigned_intro"], search=False, **_common(),
                           **cards_page(keys, lambda k: None, leaves=True))


@pages.get("/excluded")
def excluded() -> str:
    s = site()
    with s.live.view() as st:
        keys = list(st.excluded)
    return render_template("answers.html", title=words()["excluded"], intro=words()["excluded_intro"], search=False, **_common(),
                           **cards_page(keys, lambda k: None, leaves=True))


@pages.get("/log")
def log_page() -> str:
    s = site()
    decisions = s.journal.all()
    active = {d.seq for d in in_force(decisions)}
    with s.live.view() as st:
        names = s.names(st, decisions)
    before = labels_before(decisions, s.model_labels, active)
    rows = [{"seq": d.seq, "when": local_time(d.at, s.lang), "reviewer": d.reviewer, "kind": d.kind, "active": d.seq in active,
             "sentence": sentence(d, {**names, d.payload["theme"]: before[d.seq]} if d.seq in before else names, s.lang)} for d in reversed(decisions)]
    return render_template("log.html", decisions=rows, base=decisions[-1].seq if decisions else 0)


@pages.get("/who")
def who_page() -> str:
    return render_template("who.html", next=request.args.get("next") or "/", name=who())


@pages.get("/download/<name>")
def download(name: str) -> Any:
    """One file of the reviewed result, as an attachment (never shown inside the app's pages)."""
    path = site().run_dir / REVIEWED_DIR / name
    if name not in DOWNLOADS or not path.is_file():
        abort(404, error_text("no_such_file", {"value": name}, site().lang))
    return send_file(path, as_attachment=True, download_name=name, max_age=0)
