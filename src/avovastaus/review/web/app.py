"""The review web app: server-rendered Flask pages over one run directory and its decision journal.

Security: binds 127.0.0.1 unless told otherwise, and then requires a token printed at start, which
the browser exchanges once for a session cookie (SameSite=Strict) before it is sent to a clean URL;
only the host names the server is bound to are accepted in ``Host`` (DNS rebinding); a POST from
another origin is refused, and every state-changing form carries a per-session CSRF token; every
answer text and label is autoescaped by Jinja, and the Content-Security-Policy allows only the
page's own script and styles (a fresh nonce per response; no inline handlers, nothing from elsewhere;
the script posts the page's own forms to this server); ``next`` only ever redirects to a path on this server; numbers are range-checked; the access log
carries no query strings (tokens, search words); nothing outside the run directory is read or
written; bad requests get a plain message page, never a traceback.

Speed: the reviewed state lives in memory (:class:`~avovastaus.review.LiveReview`) and each request
applies only the decisions that are newer than it; per-theme group shares are cached until the
theme's members change.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, g, redirect, render_template, request, session
from werkzeug.exceptions import HTTPException

from avovastaus.errors import AvovastausError
from avovastaus.review.journal import Conflict
from avovastaus.review.web.actions import actions
from avovastaus.review.web.context import Site, here, page_context, site, who, words
from avovastaus.review.web.security import (
    LOOPBACK_NAMES,
    BadRequest,
    allowed_hosts,
    foreign_post,
    host_allowed,
    is_loopback,
    local_path,
    make_review_server,
    same_secret,
)
from avovastaus.review.web.text import ERRORS, error_text, kind_name
from avovastaus.review.web.views import pages

__all__ = ["BadRequest", "create_app", "is_loopback", "make_review_server", "serve"]


# ---------------------------------------------------------------- what the app serves


# ---------------------------------------------------------------- guards and headers


def check_request() -> Any:
    """Refuse foreign hosts and origins, exchange the access token for the session, check the CSRF token."""
    g.csp_nonce = secrets.token_urlsafe(16)
    s = site()
    if not host_allowed(request.headers.get("Host", ""), s.hosts, s.any_ip):
        abort(400, error_text("host", {}, s.lang))
    if request.method == "POST" and foreign_post(request.headers, request.scheme, request.host):
        abort(403, error_text("foreign", {}, s.lang))
    if "token" in request.args:
        if s.token is not None and same_secret(request.args.get("token", ""), s.token):
            session["authorized"] = True
        if request.method == "GET" and (s.token is None or session.get("authorized")):
            return redirect(here(), code=303)  # the token leaves the address bar, history and later Referers
    if s.token is not None and not session.get("authorized"):
        abort(403, error_text("token", {}, s.lang))
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
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; img-src data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response  # ``Server`` comes from QuietRequestHandler: werkzeug sends it before the app's headers


# ---------------------------------------------------------------- errors


def register_errors(app: Flask) -> None:
    """Answer every failure with the message page: 400 for bad input, 409 for conflicts, never a traceback."""

    def page(status: int, message: str) -> tuple[str, int]:
        # back to where the evaluator was: the form's own page, else the theme list (a body too large to read is not read again)
        back = local_path(request.form.get("next")) if request.method == "POST" and status != 413 else "/"
        return render_template("error.html", status=status, message=message, back=back), status

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> tuple[str, int]:
        return page(400, error_text(error.key, error.values, site().lang))

    @app.errorhandler(Conflict)
    def conflict(error: Conflict) -> tuple[str, int]:
        return page(409, words()["conflict"].format(reviewer=error.reviewer, what=kind_name(error.kind, site().lang), seq=error.seq))

    @app.errorhandler(AvovastausError)
    def coded(error: AvovastausError) -> tuple[str, int]:
        return page(400, str(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        own = error.description if error.description != type(error).description else None  # werkzeug's default words are English
        return page(code, own or error_text(f"http_{code}" if f"http_{code}" in ERRORS["fi"] else "http", {}, site().lang))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        app.logger.exception("unexpected error")
        return page(500, error_text("server", {}, site().lang))


def create_app(run_dir: Path, reviewer: str | None = "arvioija", token: str | None = None, hosts: frozenset[str] = LOOPBACK_NAMES, any_ip: bool = False,
               lang: str = "fi") -> Flask:
    """Return the review app for ``run_dir``.

    ``reviewer``: the name decisions are logged under until a browser gives its own; None: each browser is asked
    for a name on its first visit. ``token``: every browser session must present it once (``?token=``); ``hosts``:
    the host names accepted in ``Host`` (see :func:`allowed_hosts`), ``any_ip``: accept IP literals too (a server
    bound to every interface); ``lang``: ``fi`` or ``en``.
    """

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
