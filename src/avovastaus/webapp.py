"""The review web app: server-rendered Flask pages over one run directory and its decision journal.

Security: binds 127.0.0.1 unless told otherwise, and then requires a token printed at start;
every state-changing request carries a per-session CSRF token; every answer text and label is
autoescaped by Jinja; nothing outside the run directory is read or written; bad requests get a
plain message page, never a traceback.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from typing import Any

import pandas as pd
from flask import Flask, abort, redirect, render_template, request, session
from werkzeug.exceptions import HTTPException

from .journal import Conflict, Journal
from .rundir import load_run
from .review import Reviewed, answer_key, replay, touches_of

PAGE_SIZE = 25
MAX_TEXT = 2000


class BadRequest(Exception):
    """A request the app refuses, with a message for the evaluator."""


def is_loopback(host: str) -> bool:
    """Return True for addresses that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _field(name: str, required: bool = True, limit: int = 200) -> str:
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise BadRequest(f"The field '{name}' is missing.")
    if len(value) > limit:
        raise BadRequest(f"The field '{name}' is longer than {limit} characters.")
    return value


def create_app(run_dir: Path, reviewer: str = "arvioija", token: str | None = None) -> Flask:
    """Return the review app for ``run_dir``; with ``token`` every browser session must present it once."""
    run_dir = Path(run_dir).resolve()
    run = load_run(run_dir)
    journal = Journal(run_dir)
    journal.check()  # a damaged journal stops the server here with a coded error, not with a 500 on every page
    analysed = run.answers[run.answers["excluded"] == ""].copy()
    analysed["key"] = [answer_key(i, q) for i, q in zip(analysed["id"], analysed["question"])]
    texts = dict(zip(analysed["key"], analysed["text"]))
    group_columns = run.manifest.input.group_columns
    base_info = run.themes.set_index("theme")
    threshold = run.manifest.stability.threshold if run.manifest.stability else None
    group_keys = [(str(group), set(keys)) for column in group_columns for group, keys in analysed.groupby(column)["key"]]

    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", MAX_CONTENT_LENGTH=1 << 20)

    def state() -> Reviewed:
        return replay(run_dir, run.answers, run.themes)

    def who() -> str:
        return session.get("reviewer") or reviewer

    @app.before_request
    def guard() -> Any:
        if token is not None and not session.get("authorized"):
            if secrets.compare_digest(request.args.get("token", ""), token):
                session["authorized"] = True
            else:
                abort(403, "This review server needs the access token printed when it started (add ?token=...).")
        session.setdefault("csrf", secrets.token_urlsafe(32))
        if request.method == "POST" and not secrets.compare_digest(request.form.get("csrf", ""), session["csrf"]):
            abort(400, "The form's security token is missing or stale. Reload the page and try again.")

    @app.context_processor
    def common() -> dict[str, Any]:
        return {"csrf": session.get("csrf", ""), "reviewer": who(), "run_name": run_dir.name}

    def theme_rows(st: Reviewed) -> list[dict[str, Any]]:
        rows = []
        total = len(st.themes)
        for theme, label in st.labels.items():
            members = set(st.members(theme))
            info = base_info.loc[theme] if theme in base_info.index else None
            stability = None if info is None or "stability" not in info or info["stability"] in ("", None) or pd.isna(info["stability"]) else float(info["stability"])
            shares = [{"group": group, "share": len(members & keys) / len(keys)} for group, keys in group_keys if keys]
            rows.append({
                "theme": theme, "label": label, "description": st.descriptions.get(theme, ""),
                "keywords": "" if info is None else info["keywords"], "source": st.sources.get(theme, "review"),
                "size": len(members), "share": len(members) / total if total else 0.0, "groups": shares,
                "stability": stability, "unstable": stability is not None and threshold is not None and stability < threshold,
                "base": journal.latest([f"theme:{theme}"]),
            })
        return sorted(rows, key=lambda r: (-r["size"], r["theme"]))

    @app.get("/")
    def index() -> str:
        st = state()
        return render_template("index.html", themes=theme_rows(st), skipped=st.skipped, n_answers=len(st.themes))

    @app.get("/theme/<theme>")
    def theme_page(theme: str) -> str:
        st = state()
        if theme not in st.labels:
            abort(404, f"Unknown theme id '{theme}'." + (f" It was merged into {st.merged[theme]}." if theme in st.merged else ""))
        query = (request.args.get("q") or "").strip()
        keys = [k for k in st.members(theme) if not query or query.casefold() in texts[k].casefold()]
        page = max(1, request.args.get("page", 1, type=int) or 1)
        shown = keys[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        answers = [{
            "key": k, "text": texts[k], "themes": st.themes[k], "primary": st.primary(k) == theme,
            "verdict": st.verdicts.get((k, who()), (None, None))[1], "base": journal.latest([f"answer:{k}"]),
        } for k in shown]
        notes = [n for n in st.notes if n["target"] in {f"theme:{theme}", *(f"answer:{k}" for k in shown)}]
        return render_template(
            "theme.html", theme=theme, label=st.labels[theme], description=st.descriptions.get(theme, ""), answers=answers,
            themes=sorted(st.labels.items()), query=query, page=page, pages=max(1, -(-len(keys) // PAGE_SIZE)), n=len(keys),
            base=journal.latest([f"theme:{theme}"]), notes=notes,
        )

    @app.get("/log")
    def log_page() -> str:
        decisions = journal.all()
        active = {d.seq for d in journal.active()}
        return render_template("log.html", decisions=list(reversed(decisions)), active=active, base=journal.latest())

    def decide(st: Reviewed) -> int:
        kind = _field("kind", limit=20)
        base = request.form.get("base", type=int)
        if base is None:
            raise BadRequest("The form does not say which version it was based on. Reload the page.")

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

        if kind == "rename":
            t = theme("theme")
            payload = {"theme": t, "label": _field("label"), "description": _field("description", required=False, limit=MAX_TEXT)}
        elif kind == "merge":
            source, target = theme("source"), theme("target")
            if source == target:
                raise BadRequest("Choose another theme to merge into.")
            payload = {"source": source, "target": target}
        elif kind == "split":
            t = theme("theme")
            chosen = [a for a in request.form.getlist("answers") if a in st.themes and t in st.themes[a]]
            if not chosen:
                raise BadRequest("Select at least one answer of this theme to split off.")
            n = 1
            while f"arvio_{n:02d}" in st.labels or f"arvio_{n:02d}" in st.merged:
                n += 1
            payload = {"theme": t, "new_theme": f"arvio_{n:02d}", "label": _field("label"), "answers": chosen}
        elif kind == "move":
            a, target = answer(), theme("to")
            source = (request.form.get("from") or "").strip() or None
            payload = {"answer": a, "from": source, "to": target}
        elif kind == "verdict":
            a, t = answer(), theme("theme")
            verdict = _field("verdict", limit=20)
            if verdict not in ("confirmed", "wrong"):
                raise BadRequest("A verdict is 'confirmed' or 'wrong'.")
            payload = {"answer": a, "theme": t, "verdict": verdict}
        elif kind == "note":
            target = _field("target", limit=320)
            if not ((target.startswith("theme:") and target[6:] in st.labels) or (target.startswith("answer:") and target[7:] in st.themes)):
                raise BadRequest(f"Unknown note target '{target}'.")
            payload = {"target": target, "text": _field("text", limit=MAX_TEXT)}
        else:
            raise BadRequest(f"Unknown decision '{kind}'.")
        return journal.append(kind, payload, who(), touches_of(kind, payload), base)

    def back() -> Any:
        target = request.form.get("next") or "/"
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        return redirect(target, code=303)

    @app.post("/decide")
    def decide_route() -> Any:
        decide(state())
        return back()

    @app.post("/undo")
    def undo_route() -> Any:
        seq = request.form.get("seq", type=int)
        base = request.form.get("base", type=int)
        if seq is None or base is None:
            raise BadRequest("Undo needs the decision number and the page version.")
        try:
            journal.undo(seq, who(), base)
        except KeyError:
            raise BadRequest(f"There is no decision #{seq}.") from None
        return back()

    @app.post("/reviewer")
    def set_reviewer() -> Any:
        session["reviewer"] = _field("reviewer", limit=60)
        return back()

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

    return app


def serve(run_dir: Path, host: str = "127.0.0.1", port: int = 8765, reviewer: str = "arvioija", allow_remote: bool = False) -> None:
    """Run the review server until interrupted; a non-loopback host needs ``allow_remote`` and prints an access token."""
    from werkzeug.serving import make_server

    token = None
    if not is_loopback(host):
        if not allow_remote:
            raise ValueError(f"binding {host} exposes survey answers to the network; pass --allow-remote to do it on purpose")
        token = secrets.token_urlsafe(24)
    app = create_app(run_dir, reviewer=reviewer, token=token)
    server = make_server(host, port, app, threaded=True)
    address = f"http://{host}:{server.server_port}/" + (f"?token={token}" if token else "")
    print(f"Review server for {run_dir}: {address}  (Ctrl+C stops it; decisions are saved as you make them)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
