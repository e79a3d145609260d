"""The review web app: server-rendered Flask pages over one run directory and its decision journal.

Security: binds 127.0.0.1 unless told otherwise, and then requires a token printed at start, which
the browser exchanges once for a session cookie (SameSite=Strict) before it is sent to a clean URL;
only the host names the server is bound to are accepted in ``Host`` (DNS rebinding); a POST from
another origin is refused, and every state-changing form carries a per-session CSRF token; every
answer text and label is autoescaped by Jinja, and the Content-Security-Policy allows no script at
all; ``next`` only ever redirects to a path on this server; numbers are range-checked; the access log
carries no query strings (tokens, search words); nothing outside the run directory is read or
written; bad requests get a plain message page, never a traceback.

Speed: the reviewed state lives in memory (:class:`~avovastaus.review.LiveReview`) and each request
applies only the decisions that are newer than it; per-theme group shares are cached until the
theme's members change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session
from werkzeug.exceptions import HTTPException

from .journal import VERDICTS, Conflict, Journal, Kind, in_force, touches_of
from .rundir import answer_key, load_run
from .review import LiveReview, Reviewed
from .summarize import mark_significant, shares_by_group
from .websecurity import (
    LOOPBACK_NAMES, BadRequest, allowed_hosts, foreign_post, host_allowed, is_loopback, local_path, make_review_server, same_secret, whole_number,
)

__all__ = ["BadRequest", "create_app", "is_loopback", "make_review_server", "serve"]

PAGE_SIZE = 25
MAX_TEXT = 2000
MAX_PAGE = 1_000_000


def _field(name: str, required: bool = True, limit: int = 200) -> str:
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise BadRequest(f"The field '{name}' is missing.")
    if len(value) > limit:
        raise BadRequest(f"The field '{name}' is longer than {limit} characters.")
    return value


# ---------------------------------------------------------------- what the app serves


@dataclass
class Site:
    """One run directory as the review app serves it: fixed tables, the live state, settings, caches."""

    run_dir: Path
    reviewer: str
    token: str | None
    hosts: frozenset[str]
    any_ip: bool
    live: LiveReview
    journal: Journal
    texts: dict[str, str]
    folded: dict[str, str]
    info: dict[str, dict[str, Any]]
    threshold: float | None
    groups: list[tuple[int, Any, int]]
    group_of: list[dict[str, Any]]
    _shares: dict[str, tuple[int, list[dict[str, Any]]]] = field(default_factory=dict)
    person_of: dict[str, str] = field(default_factory=dict)  # answer key -> respondent id: group shares count respondents
    person_group: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # group columns, min_cell, correction, alpha of the run

    @classmethod
    def load(cls, run_dir: Path, reviewer: str, token: str | None, hosts: frozenset[str], any_ip: bool) -> "Site":
        run = load_run(run_dir)
        journal = Journal(run_dir)
        journal.check()  # a damaged journal stops the server here with a coded error, not with a 500 on every page
        analysed = run.answers[run.answers["excluded"] == ""].copy()
        analysed["key"] = [answer_key(i, q) for i, q in zip(analysed["id"], analysed["question"])]
        columns = run.manifest.input.group_columns
        groups = [(c, group, len(keys)) for c, column in enumerate(columns) for group, keys in analysed.groupby(column)["key"]]
        info = {}
        for row in run.themes.to_dict("records"):
            stability = row.get("stability")
            info[row["theme"]] = {"keywords": row["keywords"], "stability": None if stability in ("", None) or pd.isna(stability) else float(stability)}
        return cls(
            run_dir=run_dir, reviewer=reviewer, token=token, hosts=hosts, any_ip=any_ip,
            live=LiveReview(run_dir, run.answers, run.themes), journal=journal,
            texts=dict(zip(analysed["key"], analysed["text"])), folded={k: t.casefold() for k, t in zip(analysed["key"], analysed["text"])},
            info=info, threshold=run.manifest.stability.threshold if run.manifest.stability else None, groups=groups,
            group_of=[dict(zip(analysed["key"], analysed[column])) for column in columns],
            person_of=dict(zip(analysed["key"], analysed["id"])),
            person_group=[dict(zip(analysed["id"], analysed[column])) for column in columns],
            stats={"columns": columns, "min_cell": run.manifest.statistics.suppressed_below, "alpha": run.manifest.setting("summarize", "alpha", 0.05),
                   "correction": run.manifest.setting("summarize", "correction", "bh")},
        )

    def group_shares(self, st: Reviewed, theme: str) -> list[dict[str, Any]]:
        """Return the theme's share of each group's respondents with its test against the rest (cached until its members change)."""
        stamp = st.stamps.get(theme, 0)
        cached = self._shares.get(theme)
        if cached is None or cached[0] != stamp:
            people = {self.person_of[k] for k in st.members(theme) if k in self.person_of}
            cached = (stamp, shares_by_group(people, self.person_group, self.stats.get("columns", []), self.stats.get("min_cell", 5)))
            self._shares[theme] = cached
        return [dict(c) for c in cached[1]]

    def theme_rows(self, st: Reviewed) -> list[dict[str, Any]]:
        """Return the index page's rows: one per theme, largest first."""
        rows = []
        total = len(st.themes)
        for theme, label in st.labels.items():
            stability = self.info.get(theme, {}).get("stability")
            size = st.size(theme)
            rows.append({
                "theme": theme, "label": label, "description": st.descriptions.get(theme, ""),
                "keywords": self.info.get(theme, {}).get("keywords", ""), "source": st.sources.get(theme, "review"),
                "size": size, "share": size / total if total else 0.0, "groups": self.group_shares(st, theme),
                "stability": stability, "unstable": stability is not None and self.threshold is not None and stability < self.threshold,
            })
        mark_significant([c for r in rows for c in r["groups"]], self.stats.get("correction", "bh"), self.stats.get("alpha", 0.05))
        return sorted(rows, key=lambda r: (-r["size"], r["theme"]))


def site() -> Site:
    return current_app.extensions["avovastaus"]


def who() -> str:
    return session.get("reviewer") or site().reviewer


def here() -> str:
    """Return the current page as a local path, without any token (for forms' ``next``)."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    return quote(request.path) + (f"?{urlencode(query)}" if query else "")


# ---------------------------------------------------------------- guards and headers


def check_request() -> Any:
    """Refuse foreign hosts and origins, exchange the access token for the session, check the CSRF token."""
    g.csp_nonce = secrets.token_urlsafe(16)
    s = site()
    if not host_allowed(request.headers.get("Host", ""), s.hosts, s.any_ip):
        abort(400, "This review server does not answer to that host name. Open it at the address it printed when it started.")
    if request.method == "POST" and foreign_post(request.headers, request.scheme, request.host):
        abort(403, "This form was sent from another site, so it was refused. Open the review pages directly and try again.")
    if "token" in request.args:
        if s.token is not None and same_secret(request.args.get("token", ""), s.token):
            session["authorized"] = True
        if request.method == "GET" and (s.token is None or session.get("authorized")):
            return redirect(here(), code=303)  # the token leaves the address bar, history and later Referers
    if s.token is not None and not session.get("authorized"):
        abort(403, "This review server needs the access token printed when it started (open the printed address once).")
    session.setdefault("csrf", secrets.token_urlsafe(32))
    if request.method == "POST" and not same_secret(request.form.get("csrf", ""), session["csrf"]):
        abort(400, "The form's security token is missing or stale. Reload the page and try again.")
    return None


def security_headers(response: Any) -> Any:
    """Add the headers that keep the pages out of frames, scripts, sniffing, caches and Referers."""
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response  # ``Server`` comes from QuietRequestHandler: werkzeug sends it before the app's headers


def page_context() -> dict[str, Any]:
    return {"csrf": session.get("csrf", ""), "reviewer": who(), "run_name": site().run_dir.name,
            "csp_nonce": g.get("csp_nonce", ""), "here": here()}


# ---------------------------------------------------------------- pages

pages = Blueprint("pages", __name__)


@pages.get("/")
def index() -> str:
    s = site()
    with s.live.view() as st:
        themes, skipped, n_answers, version = s.theme_rows(st), list(st.skipped), len(st.themes), s.live.version
    return render_template("index.html", themes=themes, skipped=skipped, n_answers=n_answers, base=version)


@pages.get("/theme/<theme>")
def theme_page(theme: str) -> str:
    s = site()
    query = (request.args.get("q") or "").strip()
    if len(query) > 200:
        raise BadRequest("The search is longer than 200 characters.")
    page = whole_number(request.args.get("page"), "page", 1, MAX_PAGE) or 1
    with s.live.view() as st:
        if theme not in st.labels:
            abort(404, f"Unknown theme id '{theme}'." + (f" It was merged into {st.merged[theme]}." if theme in st.merged else ""))
        folded = query.casefold()
        keys = [k for k in st.members(theme) if folded in s.folded[k]] if query else st.members(theme)
        shown = keys[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        answers = [{
            "key": k, "text": s.texts[k], "themes": list(st.themes[k]), "primary": st.primary(k) == theme,
            "verdict": st.verdicts.get((k, who()), (None, None))[1],
        } for k in shown]
        targets = {f"theme:{theme}", *(f"answer:{k}" for k in shown)}
        notes = [n for n in st.notes if n["target"] in targets]
        view = {"label": st.labels[theme], "description": st.descriptions.get(theme, ""), "themes": sorted(st.labels.items()), "n": len(keys)}
        version = s.live.version
    return render_template("theme.html", theme=theme, answers=answers, query=query, page=page, notes=notes,
                           pages=max(1, -(-view["n"] // PAGE_SIZE)), base=version, **view)


@pages.get("/log")
def log_page() -> str:
    decisions = site().journal.all()
    active = {d.seq for d in in_force(decisions)}
    return render_template("log.html", decisions=list(reversed(decisions)), active=active, base=decisions[-1].seq if decisions else 0)


# ---------------------------------------------------------------- actions

actions = Blueprint("actions", __name__)


def decision_from_form(st: Reviewed) -> tuple[str, dict[str, Any]]:
    """Return (kind, payload) of the decision the form describes, checked against the current state."""
    kind = _field("kind", limit=20)

    def theme(name: str) -> str:
        value = _field(name, limit=64)
        if value not in st.labels:
            raise BadRequest(f"Unknown theme id '{value}'.")
        return value

    def answer(name: str = "answer") -> str:
        value = _field(name, limit=300)
        if value not in st.themes:
            raise BadRequest(f"Unknown answer '{value}'.")
        return value

    def rename() -> dict[str, Any]:
        return {"theme": theme("theme"), "label": _field("label"), "description": _field("description", required=False, limit=MAX_TEXT)}

    def merge() -> dict[str, Any]:
        source, target = theme("source"), theme("target")
        if source == target:
            raise BadRequest("Choose another theme to merge into.")
        return {"source": source, "target": target}

    def split() -> dict[str, Any]:
        t = theme("theme")
        chosen = [a for a in request.form.getlist("answers") if a in st.themes and t in st.themes[a]]
        if not chosen:
            raise BadRequest("Select at least one answer of this theme to split off.")
        n = 1
        while f"arvio_{n:02d}" in st.labels or f"arvio_{n:02d}" in st.merged:
            n += 1
        return {"theme": t, "new_theme": f"arvio_{n:02d}", "label": _field("label"), "answers": chosen}

    def move() -> dict[str, Any]:
        a, target = answer(), theme("to")
        source = _field("from", required=False, limit=64) or None
        if source is not None and source not in st.labels:
            raise BadRequest(f"Unknown theme id '{source}'.")
        return {"answer": a, "from": source, "to": target}

    def verdict() -> dict[str, Any]:
        a, t = answer(), theme("theme")
        value = _field("verdict", limit=20)
        if value not in VERDICTS:
            raise BadRequest("A verdict is 'confirmed' or 'wrong'.")
        return {"answer": a, "theme": t, "verdict": value}

    def note() -> dict[str, Any]:
        target = _field("target", limit=320)
        if not ((target.startswith("theme:") and target[6:] in st.labels) or (target.startswith("answer:") and target[7:] in st.themes)):
            raise BadRequest(f"Unknown note target '{target}'.")
        return {"target": target, "text": _field("text", limit=MAX_TEXT)}

    forms = {Kind.RENAME: rename, Kind.MERGE: merge, Kind.SPLIT: split, Kind.MOVE: move, Kind.VERDICT: verdict, Kind.NOTE: note}
    build = forms.get(kind)  # type: ignore[call-overload]
    if build is None:
        raise BadRequest(f"Unknown decision '{kind}'.")
    return Kind(kind), build()


def back() -> Any:
    return redirect(local_path(request.form.get("next")), code=303)


@actions.post("/decide")
def decide() -> Any:
    s = site()
    base = whole_number(request.form.get("base"), "base")
    if base is None:
        raise BadRequest("The form does not say which version it was based on. Reload the page.")
    with s.live.view() as st:
        kind, payload = decision_from_form(st)
    # outside the lock: the journal refuses the decision if what it touches changed after ``base``
    s.journal.append(kind, payload, who(), touches_of(kind, payload), base)
    return back()


@actions.post("/undo")
def undo() -> Any:
    seq = whole_number(request.form.get("seq"), "seq", 1)
    base = whole_number(request.form.get("base"), "base")
    if seq is None or base is None:
        raise BadRequest("Undo needs the decision number and the page version.")
    try:
        site().journal.undo(seq, who(), base)
    except KeyError:
        raise BadRequest(f"There is no decision #{seq}.") from None
    return back()


@actions.post("/reviewer")
def set_reviewer() -> Any:
    session["reviewer"] = _field("reviewer", limit=60)
    return back()


# ---------------------------------------------------------------- errors


def register_errors(app: Flask) -> None:
    """Answer every failure with the message page: 400 for bad input, 409 for conflicts, never a traceback."""

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> tuple[str, int]:
        return render_template("error.html", status=400, message=str(error)), 400

    @app.errorhandler(Conflict)
    def conflict(error: Conflict) -> tuple[str, int]:
        return render_template("error.html", status=409, message=f"Conflict: {error}. Reload the page to see their change, then decide again."), 409

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", status=error.code, message=error.description), error.code or 500

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        app.logger.exception("unexpected error")
        return render_template("error.html", status=500, message="Something went wrong on the server; nothing was saved. The error is in the server's log."), 500


def create_app(run_dir: Path, reviewer: str = "arvioija", token: str | None = None, hosts: frozenset[str] = LOOPBACK_NAMES, any_ip: bool = False) -> Flask:
    """Return the review app for ``run_dir``.

    ``token``: every browser session must present it once (``?token=``); ``hosts``: the host names accepted
    in ``Host`` (see :func:`allowed_hosts`), ``any_ip``: accept IP literals too (a server bound to every interface).
    """
    run_dir = Path(run_dir).resolve()
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", MAX_CONTENT_LENGTH=1 << 20)
    app.extensions["avovastaus"] = Site.load(run_dir, reviewer, token, frozenset(hosts), any_ip)
    app.before_request(check_request)
    app.after_request(security_headers)
    app.context_processor(page_context)
    app.register_blueprint(pages)
    app.register_blueprint(actions)
    register_errors(app)
    return app


# ---------------------------------------------------------------- serving


def serve(run_dir: Path, host: str = "127.0.0.1", port: int = 8765, reviewer: str = "arvioija", allow_remote: bool = False,
          extra_hosts: tuple[str, ...] = ()) -> None:
    """Run the review server until interrupted; a non-loopback host needs ``allow_remote`` and prints an access token.

    ``extra_hosts``: more names the server may be reached at (e.g. the machine's DNS name when bound to 0.0.0.0).
    """
    token = None
    if not is_loopback(host):
        if not allow_remote:
            raise ValueError(f"binding {host} exposes survey answers to the network; pass --allow-remote to do it on purpose")
        token = secrets.token_urlsafe(24)
    hosts, any_ip = allowed_hosts(host, extra_hosts)
    app = create_app(run_dir, reviewer=reviewer, token=token, hosts=hosts, any_ip=any_ip)
    server = make_review_server(app, host, port)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{server.server_port}/" + (f"?token={token}" if token else "")
    print(f"Review server for {run_dir}: {address}  (Ctrl+C stops it; decisions are saved as you make them)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
