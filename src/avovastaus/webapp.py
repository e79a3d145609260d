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

import hashlib
import math
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
from flask import Flask, abort, current_app, g, redirect, render_template, request, session
from werkzeug.exceptions import HTTPException

from .codebookfit import fit_warning
from .config import load_codebook
from .errors import AvovastausError
from .journal import Conflict, Journal
from .review import LiveReview, Reviewed
from .rundir import answer_key, load_run
from .summarize import mark_significant, shares_by_group
from .webapp_text import text
from .websecurity import (
    LOOPBACK_NAMES, BadRequest, allowed_hosts, foreign_post, host_allowed, is_loopback, local_path, make_review_server, same_secret,
)

__all__ = ["BadRequest", "create_app", "is_loopback", "make_review_server", "serve"]


def anchor_of(key: str) -> str:
    """Return the HTML id of an answer's card (stable across pages and decisions; answer keys may hold any character)."""
    return "a-" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


# ---------------------------------------------------------------- what the app serves


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
    _cells: dict[str, tuple[Any, list[dict[str, Any]]]] = field(default_factory=dict)
    _totals: tuple[int, list[dict[str, Any]]] | None = None

    @classmethod
    def load(cls, run_dir: Path, reviewer: str | None, lang: str, token: str | None, hosts: frozenset[str], any_ip: bool) -> "Site":
        run = load_run(run_dir)
        journal = Journal(run_dir)
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
            info[row["theme"]] = {"keywords": row["keywords"], "description": descriptions.get(row["theme"], ""),
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
        )

    def _respondent_groups(self, st: Reviewed) -> list[dict[str, Any]]:
        """Return each group column's respondent -> group among the analysed answers (recounted only when an answer is taken in)."""
        n = len(st.themes)
        if self._totals is None or self._totals[0] != n:
            self._totals = (n, [{self.person_of[k]: of[k] for k in st.themes} for of in self.group_of])
        return self._totals[1]

    def _theme_cells(self, st: Reviewed, theme: str, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return the theme's share of each group's respondents, tested like groups.csv (cached until its members or the analysed answers change)."""
        stamp = (st.stamps.get(theme, 0), len(st.themes))
        cached = self._cells.get(theme)
        if cached is None or cached[0] != stamp:
            people = {self.person_of[k] for k in st.members(theme)}
            cached = (stamp, shares_by_group(people, groups, self.columns, self.min_cell))
            self._cells[theme] = cached
        return [dict(cell) for cell in cached[1]]

    def cells(self, st: Reviewed) -> dict[str, list[dict[str, Any]]]:
        """Return every theme's group cells (respondents, as in groups.csv's all-questions rows) with ``significant`` and ``direction``: one correction over all."""
        groups = self._respondent_groups(st)
        per_theme = {theme: self._theme_cells(st, theme, groups) for theme in st.labels}
        mark_significant([cell for cells in per_theme.values() for cell in cells], "holm" if self.correction == "holm" else "bh", self.alpha)
        return per_theme

    def theme_rows(self, st: Reviewed) -> list[dict[str, Any]]:
        """Return the index page's rows: one per theme, largest first, with its group cells."""
        rows = []
        total = len(st.themes)
        cells = self.cells(st)
        for theme, label in st.labels.items():
            rows.append({**self.theme_info(st, theme), "label": label, "size": st.size(theme),
                         "share": st.size(theme) / total if total else 0.0, "groups": cells[theme]})
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
        """Return what an answer's card shows: text, groups, themes by label (primary first), own verdict, confidence, notes."""
        themes = st.themes.get(key)
        confidence = st.confidence.get(key, math.nan)
        return {
            "key": key, "anchor": anchor_of(key), "text": self.texts[key], "context": context,
            "groups": [(column, self.group_of[c][key]) for c, column in enumerate(self.columns)],
            "themes": [(t, st.labels.get(t, t), i == 0) for i, t in enumerate(themes or [])], "analysed": themes is not None,
            "reason": st.excluded.get(key), "verdict": st.verdicts.get((key, who()), (None, None))[1],
            "wrong": sorted(st.wrong.get(key, ())), "confidence": None if math.isnan(confidence) else confidence,
            "notes": notes.get(f"answer:{key}", []),
        }

    def names(self, st: Reviewed, decisions: list[Any] = ()) -> dict[str, str]:
        """Return theme id -> label for sentences: the model's labels, labels given in splits, then the current labels."""
        names = dict(self.model_labels)
        for d in decisions:
            if d.kind == "split" and not d.problem:
                names[d.payload["new_theme"]] = d.payload["label"]
        names.update(st.labels)
        return names


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
        abort(400, words()["stale_form"])
    if not who() and request.endpoint not in ("pages.who_page", "actions.set_reviewer", "static"):
        if request.method == "POST":
            abort(400, words()["need_name"])
        return redirect("/who?" + urlencode({"next": here()}), code=303)  # the reviewer is asked for a name on the first visit
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
    s = site()
    return {"csrf": session.get("csrf", ""), "reviewer": who(), "run_name": s.run_dir.name, "t": text(s.lang), "lang": s.lang,
            "csp_nonce": g.get("csp_nonce", ""), "here": here(), "done": session.pop("done", None) if request.method == "GET" else None}


# ---------------------------------------------------------------- errors


def register_errors(app: Flask) -> None:
    """Answer every failure with the message page: 400 for bad input, 409 for conflicts, never a traceback."""

    def page(status: int, message: str) -> tuple[str, int]:
        # back to where the evaluator was: the form's own page, else the theme list
        back = local_path(request.form.get("next")) if request.method == "POST" else "/"
        return render_template("error.html", status=status, message=message, back=back), status

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> tuple[str, int]:
        return page(400, str(error))

    @app.errorhandler(Conflict)
    def conflict(error: Conflict) -> tuple[str, int]:
        return page(409, words()["conflict"].format(reviewer=error.reviewer, what=error.kind, seq=error.seq))

    @app.errorhandler(AvovastausError)
    def coded(error: AvovastausError) -> tuple[str, int]:
        return page(400, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return page(error.code or 500, error.description or "")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        app.logger.exception("unexpected error")
        return page(500, "Palvelimella tapahtui virhe; mitään ei tallennettu. Virhe on palvelimen lokissa. / Something went wrong on the server; nothing was saved.")


def create_app(run_dir: Path, reviewer: str | None = "arvioija", token: str | None = None, hosts: frozenset[str] = LOOPBACK_NAMES, any_ip: bool = False,
               lang: str = "fi") -> Flask:
    """Return the review app for ``run_dir``.

    ``reviewer``: the name decisions are logged under until a browser gives its own; None: each browser is asked
    for a name on its first visit. ``token``: every browser session must present it once (``?token=``); ``hosts``:
    the host names accepted in ``Host`` (see :func:`allowed_hosts`), ``any_ip``: accept IP literals too (a server
    bound to every interface); ``lang``: ``fi`` or ``en``.
    """
    from .webapp_actions import actions
    from .webapp_views import pages

    run_dir = Path(run_dir).resolve()
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", MAX_CONTENT_LENGTH=1 << 20)
    app.extensions["avovastaus"] = Site.load(run_dir, reviewer, lang if lang in ("fi", "en") else "fi", token, frozenset(hosts), any_ip)
    app.before_request(check_request)
    app.after_request(security_headers)
    app.context_processor(page_context)
    app.register_blueprint(pages)
    app.register_blueprint(actions)
    register_errors(app)
    return app


# ---------------------------------------------------------------- serving


def serve(run_dir: Path, host: str = "127.0.0.1", port: int = 8765, reviewer: str | None = None, allow_remote: bool = False,
          extra_hosts: tuple[str, ...] = (), lang: str = "fi") -> None:
    """Run the review server until interrupted; a non-loopback host needs ``allow_remote`` and prints an access token.

    ``extra_hosts``: more names the server may be reached at (e.g. the machine's DNS name when bound to 0.0.0.0).
    """
    token = None
    if not is_loopback(host):
        if not allow_remote:
            raise ValueError(f"binding {host} exposes survey answers to the network; pass --allow-remote to do it on purpose")
        token = secrets.token_urlsafe(24)
    hosts, any_ip = allowed_hosts(host, extra_hosts)
    app = create_app(run_dir, reviewer=reviewer, token=token, hosts=hosts, any_ip=any_ip, lang=lang)
    server = make_review_server(app, host, port)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{server.server_port}/" + (f"?token={token}" if token else "")
    print(f"Review server for {run_dir}: {address}  (Ctrl+C stops it; decisions are saved as you make them)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
