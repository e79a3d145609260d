"""The review app's pages (GET): themes, a theme, the uncertainty queue, search, unassigned and excluded answers, the log.

Every list of answers is shown as the same cards (:meth:`Site.card`), paged, with one current answer
(``cur``, the card's anchor) that carries the keyboard shortcuts (``accesskey``: the pages run no script).
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
from avovastaus.review.web.text import local_time, sentence

PAGE_SIZE = 25
MAX_PAGE = 1_000_000
ORDERS = ("typical", "atypical", "order")
_ANCHOR = re.compile(r"a-[0-9a-f]{12}")

pages = Blueprint("pages", __name__)


def _query() -> str:
    query = (request.args.get("q") or "").strip()
    if len(query) > 200:
        raise BadRequest("Haku on yli 200 merkkiä pitkä. / The search is longer than 200 characters.")
    return query


def url(**changes: Any) -> str:
    """Return the current page's address with some query values changed (None drops one), without ``token``."""
    args = {k: v for k, v in request.args.items() if k != "token"}
    args.update({k: str(v) for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
    return request.path + (f"?{urlencode(args)}" if args else "")


def cards_page(keys: list[str], context: Callable[[str], str | None], leaves: bool) -> dict[str, Any]:
    """Return the template values of one page of answer cards: the cards, paging, the current card and its neighbours.

    ``context(key)``: the theme a card's verdict and move refer to; ``leaves``: whether a decided answer
    leaves this list (then an action returns to the next card, not to the one that left).
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
        after = anchors[i + 1] if i + 1 < len(anchors) else (anchors[i - 1] if i else "")
        c["return_to"] = after if leaves else c["anchor"]  # where the page opens after an action on this card
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
        raise BadRequest(f"Tuntematon kysymys / Unknown question '{question}'.")
    return question


def _common() -> dict[str, Any]:
    """Return what every page with answer cards needs: the themes to move to, labelled, and the page version."""
    s = site()
    with s.live.view() as st:
        return {"targets": sorted(st.labels.items(), key=lambda kv: kv[1].casefold()), "base": s.live.version, "query": _query()}


@pages.get("/")
def index() -> str:
    s = site()
    question = _question()
    with s.live.view() as st:
        themes, skipped, n_answers, version = s.theme_rows(st, question), list(st.skipped), len(st.themes), s.live.version
        counts = {"unassigned": sum(1 for ts in st.themes.values() if not ts), "excluded": len(st.excluded), "undecided": len(st.undecided())}
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
        raise BadRequest(f"Tuntematon järjestys '{order}'. / Unknown order '{order}'.")
    with s.live.view() as st:
        if theme not in st.labels:
            merged = f" It was merged into {st.merged[theme]}. / Se yhdistettiin teemaan {st.merged[theme]}." if theme in st.merged else ""
            abort(404, f"Tuntematon teema / Unknown theme id '{theme}'.{merged}")
        folded = query.casefold()
        keys = [k for k in st.members(theme) if folded in s.folded[k]] if query else list(st.members(theme))
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
                           **cards_page(keys, lambda k: theme, leaves=False))


@pages.get("/queue")
def queue() -> str:
    """The answers nobody decided, least sure first, filtered by theme and respondent group."""
    s = site()
    theme = request.args.get("theme") or ""
    group = request.args.get("group") or ""
    with s.live.view() as st:
        if theme and theme != "-" and theme not in st.labels:
            raise BadRequest(f"Tuntematon teema / Unknown theme id '{theme}'.")
        keys = st.undecided()
        question = _question()
        if question:
            keys = [k for k in keys if s.question_of.get(k) == question]
        if theme == "-":
            keys = [k for k in keys if not st.themes[k]]
        elif theme:
            keys = [k for k in keys if theme in st.themes[k]]
        options = [(f"{c}:{g}", f"{column}: {g}") for c, column in enumerate(s.columns) for g in sorted(set(s.group_of[c].values()))]
        if group:
            if group not in dict(options):
                raise BadRequest(f"Tuntematon ryhmä / Unknown group '{group}'.")
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
            primary = {k: st.primary(k) for k in order}
        keys = [k for k in order if folded in s.folded[k] or k.casefold() == folded or k.split("/", 1)[0].casefold() == folded]
    else:
        primary = {}
    return render_template("answers.html", title=words()["search"], intro=words()["search_all"], search=True, **_common(),
                           **cards_page(keys, primary.get, leaves=False))


@pages.get("/unassigned")
def unassigned() -> str:
    s = site()
    with s.live.view() as st:
        keys = [k for k, ts in st.themes.items() if not ts]
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
    rows = [{"seq": d.seq, "when": local_time(d.at, s.lang), "reviewer": d.reviewer, "sentence": sentence(d, names, s.lang), "kind": d.kind,
             "active": d.seq in active} for d in reversed(decisions)]
    return render_template("log.html", decisions=rows, base=decisions[-1].seq if decisions else 0)


@pages.get("/who")
def who_page() -> str:
    return render_template("who.html", next=request.args.get("next") or "/", name=who())


@pages.get("/download/<name>")
def download(name: str) -> Any:
    """One file of the reviewed result, as an attachment (never shown inside the app's pages)."""
    path = site().run_dir / REVIEWED_DIR / name
    if name not in DOWNLOADS or not path.is_file():
        abort(404, f"Tiedostoa ei ole / No such file: {name}")
    return send_file(path, as_attachment=True, download_name=name, max_age=0)
