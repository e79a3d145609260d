"""The review app's actions (POST): decisions, undo, re-scoring the suggestions, exporting the reviewed result, the reviewer's name.

Every action returns the evaluator to their page, opened at the card named in the form (``anchor``:
the next answer after a decision, the undone answer after an undo), says what was done with an undo
button, and asks first before a merge or an undo (the one-key undo of ``_keys.js`` sends
``confirmed=1``: the undo is itself undone by the same key). A decision is refused (409) when what it
touches changed after the page was loaded, before anything is stored. Messages name themes by label.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template, request, session

from avovastaus.review.export import write_reviewed
from avovastaus.review.journal import Conflict, Decision
from avovastaus.review.kinds import VERDICTS, Kind, handles, touches_of
from avovastaus.review.state import Reviewed
from avovastaus.review.web.context import anchor_of, site, who, words
from avovastaus.review.web.security import BadRequest, local_path, whole_number
from avovastaus.review.web.text import count, sentence

MAX_TEXT = 2000
MAX_BATCH = 1000
_ANCHOR = re.compile(r"a-[0-9a-f]{12}")

actions = Blueprint("actions", __name__)


def _field(name: str, required: bool = True, limit: int = 200) -> str:
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise BadRequest("missing_field", name=name)
    if len(value) > limit:
        raise BadRequest("too_long", name=name, limit=limit)
    return value


#: how the app makes each kind: the decision form that builds it, or the action of its own (undo, re-score)
FORMS = handles("app actions", {
    Kind.RENAME: "rename", Kind.MERGE: "merge", Kind.SPLIT: "split", Kind.MOVE: "move", Kind.MOVE_MANY: "move_many",
    Kind.VERDICT: "verdict", Kind.NOTE: "note", Kind.INCLUDE: "include", Kind.UNDO: "/undo", Kind.RESCORE: "/rescore",
})


def decision_from_form(st: Reviewed) -> tuple[Kind, dict[str, Any]]:
    """Return (kind, payload) of the decision the form describes, checked against the current state."""
    kind = _field("kind", limit=20)

    def theme(name: str) -> str:
        value = _field(name, limit=64)
        if value not in st.labels:
            raise BadRequest("unknown_theme", value=value)
        return value

    def answer(name: str = "answer") -> str:
        value = _field(name, limit=300)
        if value not in st.themes:
            raise BadRequest("unknown_answer", value=value)
        return value

    def source() -> str | None:
        value = _field("from", required=False, limit=64) or None
        if value is not None and value not in st.labels:
            raise BadRequest("unknown_theme", value=value)
        return value

    def rename() -> dict[str, Any]:
        return {"theme": theme("theme"), "label": _field("label"), "description": _field("description", required=False, limit=MAX_TEXT)}

    def merge() -> dict[str, Any]:
        a, b = theme("source"), theme("target")
        if a == b:
            raise BadRequest("merge_same")
        return {"source": a, "target": b}

    def split() -> dict[str, Any]:
        t = theme("theme")
        chosen = [a for a in request.form.getlist("answers") if a in st.themes and t in st.themes[a]]
        if not chosen:
            raise BadRequest("split_none")
        n = 1
        while f"arvio_{n:02d}" in st.labels or f"arvio_{n:02d}" in st.merged:
            n += 1
        return {"theme": t, "new_theme": f"arvio_{n:02d}", "label": _field("label"), "answers": chosen}

    def move() -> dict[str, Any]:
        return {"answer": answer(), "from": source(), "to": theme("to")}

    def move_many() -> dict[str, Any]:
        chosen = list(dict.fromkeys(a for a in request.form.getlist("answers") if a in st.themes))[:MAX_BATCH]
        if not chosen:
            raise BadRequest("move_none")
        return {"answers": chosen, "from": source(), "to": theme("to")}

    def verdict() -> dict[str, Any]:
        a, t = answer(), theme("theme")
        value = _field("verdict", limit=20)
        if value not in VERDICTS:
            raise BadRequest("bad_verdict")
        return {"answer": a, "theme": t, "verdict": value}

    def note() -> dict[str, Any]:
        target = _field("target", limit=320)
        known = (target.startswith("theme:") and target[6:] in st.labels) or (target.startswith("answer:") and (target[7:] in st.themes or target[7:] in st.excluded))
        if not known:
            raise BadRequest("unknown_target", value=target)
        return {"target": target, "text": _field("text", limit=MAX_TEXT)}

    def include() -> dict[str, Any]:
        value = _field("answer", limit=300)
        if value not in st.excluded:
            raise BadRequest("not_excluded", value=value)
        return {"answer": value}

    forms = {"rename": rename, "merge": merge, "split": split, "move": move, "move_many": move_many, "verdict": verdict, "note": note, "include": include}
    build = forms.get(FORMS.get(kind, ""))  # type: ignore[call-overload]
    if build is None:
        raise BadRequest("unknown_kind", value=kind)
    return Kind(kind), build()


def back(**query: str) -> Any:
    """Redirect to the form's page (only ever on this server), opened at the card the form named."""
    target = urlsplit(local_path(request.form.get("next")))
    anchor = request.form.get("anchor") or ""
    args = [(k, v) for k, v in parse_qsl(target.query, keep_blank_values=True) if k not in ("cur", *query)]
    args += list(query.items())
    if _ANCHOR.fullmatch(anchor):
        args.append(("cur", anchor))
    path = urlunsplit(("", "", target.path, urlencode(args), ""))
    return redirect(path + (f"#{anchor}" if _ANCHOR.fullmatch(anchor) else ""), code=303)


def _base() -> int:
    base = whole_number(request.form.get("base"), "base")
    if base is None:
        raise BadRequest("no_base")
    return base


def _check_fresh(keys: list[str], base: int) -> None:
    """Raise :class:`Conflict` now (before a confirmation page) if what the decision touches changed after ``base``."""
    journal = site().journal
    if keys and journal.latest(keys) > base:
        newer = [d for d in journal.since(base) if set(touches_of(d.kind, d.payload)) & set(keys)] or journal.since(base)
        d = newer[-1]
        raise Conflict(keys[0], d.seq, d.reviewer, d.kind)


def _done(message: str, seq: int | None, link: tuple[str, str] | None = None, answer: str | None = None) -> None:
    """Leave a message for the next page: what was done, with an undo button (and a link, e.g. to a new theme).

    ``answer``: the one answer the decision was about; its undo returns to that answer's card.
    """
    session["done"] = {"text": message, "seq": seq, "link": list(link) if link else None, "anchor": anchor_of(answer) if answer else None}


@actions.post("/decide")
def decide() -> Any:
    s = site()
    base = _base()
    with s.live.view() as st:
        kind, payload = decision_from_form(st)
        names = s.names(st)
        size = st.size(payload["source"]) if kind == Kind.MERGE else 0
    touches = touches_of(kind, payload)
    if kind == Kind.MERGE and request.form.get("confirmed") != "1":
        _check_fresh(touches, base)
        t = words()
        question = t["confirm_merge"].format(source=names[payload["source"]], n=count(size, "answer", s.lang), target=names[payload["target"]])
        return render_template("confirm.html", question=question, fields=dict(request.form.items()), yes=t["yes_merge"], action="/decide",
                               back=local_path(request.form.get("next")))
    # outside the lock: the journal refuses the decision if what it touches changed after ``base``
    seq = s.journal.append(kind, payload, who(), touches, base)
    done = Decision(seq, "", who(), kind, payload)
    link = (f"/theme/{payload['new_theme']}", f"{words()['open_theme']}: {payload['label']}") if kind == Kind.SPLIT else None
    message = sentence(done, {**names, **({payload["new_theme"]: payload["label"]} if kind == Kind.SPLIT else {})}, s.lang)
    if kind == Kind.VERDICT and payload["verdict"] == "wrong":
        with s.live.view() as st:
            left = st.final_themes(payload["answer"])
        quote = "”{}”" if s.lang == "fi" else "“{}”"
        message += ". " + (words()["still_has"].format(themes=", ".join(quote.format(names.get(t, t)) for t in left)) if left else words()["now_unassigned"])
    _done(message, seq, link, payload.get("answer"))
    return back()


@actions.post("/undo")
def undo() -> Any:
    s = site()
    seq = whole_number(request.form.get("seq"), "seq", 1)
    base = _base()
    if seq is None:
        raise BadRequest("undo_seq")
    target = next((d for d in s.journal.since(seq - 1) if d.seq == seq), None)
    if target is None:
        raise BadRequest("no_decision", seq=seq)
    with s.live.view() as st:
        names = s.names(st, s.journal.all())
    described = sentence(target, names, s.lang)
    if request.form.get("confirmed") != "1":
        _check_fresh(touches_of(target.kind, target.payload), base)
        return render_template("confirm.html", question=words()["confirm_undo"].format(seq=seq, sentence=described),
                               fields=dict(request.form.items()), yes=words()["yes_undo"], action="/undo", back=local_path(request.form.get("next")))
    try:
        undone = s.journal.undo(seq, who(), base)
    except KeyError:
        raise BadRequest("no_decision", seq=seq) from None
    _done(("Peruttu: " if s.lang == "fi" else "Undone: ") + described, undone, answer=target.payload.get("answer") if not target.problem else None)
    return back()


@actions.post("/rescore")
def rescore() -> Any:
    """Re-score the undecided answers with what evaluators decided so far; store the changed suggestions as one decision."""
    s = site()
    base = _base()
    with s.live.view() as st:
        decided = {k: st.final_themes(k) for k in st.decided if k in st.themes}
        current = {k: list(st.themes[k]) for k in st.undecided()}
        known = set(st.labels)
    from avovastaus.review import learn  # the estimator stack loads only when an evaluator asks for new suggestions

    result = learn.rescore(s.run_dir, decided, current)
    themes = {k: [t for t in dict.fromkeys(ts) if t in known] for k, ts in result.themes.items() if k in current and k not in decided}
    changed = {k: ts for k, ts in themes.items() if ts != current[k]}
    confidence = {k: round(float(c), 4) for k, c in result.confidence.items() if k in current and k not in decided and math.isfinite(float(c))}
    fi = s.lang == "fi"
    reviewed = count(len(decided), "reviewed", s.lang)
    if not changed and not confidence:
        _done(f"Ehdotukset ovat ennallaan: 0 muuttui ({reviewed})." if fi else f"The suggestions stay as they were: 0 changed ({reviewed}).", None)
        return back()
    payload = {"themes": changed, "confidence": confidence}
    seq = s.journal.append(Kind.RESCORE, payload, who(), touches_of(Kind.RESCORE, payload), base)
    _done(f"Ehdotukset päivitetty: {count(len(changed), 'suggestion', s.lang)} muuttui {len(current)} arvioimattomasta; {reviewed} opetti mallia." if fi else
          f"Suggestions updated: {len(changed)} of {count(len(current), 'answer', s.lang)} without a review changed; {reviewed} taught the model.", seq)
    return back()


@actions.post("/export")
def export() -> Any:
    """Write the reviewed tables, reports and codebook into the run's reviewed/ folder."""
    s = site()
    paths = write_reviewed(s.run_dir, lang=s.lang)
    n = count(len(s.journal.active()), "decision", s.lang)
    _done((f"Arvioitu tulos ({n}) kirjoitettiin kansioon {paths[0].parent}; lataa tiedostot alta." if s.lang == "fi" else
           f"The reviewed result ({n}) was written to {paths[0].parent}; download the files below."), None)
    return back()


@actions.post("/reviewer")
def set_reviewer() -> Any:
    session["reviewer"] = _field("reviewer", limit=60)
    return back()
