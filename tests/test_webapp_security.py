"""Hardening of the review server (issue #17, item 4): hosts, origins, headers, the token, redirects, numbers, report.md."""

from __future__ import annotations

import http.client
import logging
import re
import threading

import pandas as pd
import pytest

from avovastaus.io.rundir import load_run
from avovastaus.report.markdown import render_markdown
from avovastaus.report.view import md_text
from avovastaus.review.journal import Journal
from avovastaus.review.web.app import create_app
from avovastaus.review.web.security import allowed_hosts, foreign_post, host_allowed, local_path, make_review_server

from .conftest import CORPORA

TINY = CORPORA / "tiny" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}
OWN = "http://localhost"  # the Flask test client's origin


@pytest.fixture
def run(review_run):
    return review_run


def a_theme(run_dir) -> str:
    return pd.read_csv(run_dir / "themes.csv", keep_default_na=False).sort_values(["size", "theme"], ascending=[False, True])["theme"].iloc[0]


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)


@pytest.fixture
def client(run):
    client = create_app(run).test_client()
    client.csrf = csrf_of(client.get("/"))
    return client


@pytest.fixture
def live(run):
    """A real server on 127.0.0.1 with an access token, and the records of werkzeug's access log."""
    app = create_app(run, token="salainen-avain-123")
    server = make_review_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


def raw(port: int, method: str, path: str, headers: dict | None = None, body: str | None = None) -> http.client.HTTPResponse:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    con.request(method, path, body=body, headers=headers or {})
    reply = con.getresponse()
    reply.text = reply.read().decode()
    con.close()
    return reply


# ---------------------------------------------------------------- Host (DNS rebinding)


@pytest.mark.parametrize("host, ok", [
    ("127.0.0.1:8765", True), ("localhost:8765", True), ("LOCALHOST", True), ("[::1]:8765", True), ("localhost.", True),
    ("evil.example", False), ("evil.example:8765", False), ("127.0.0.1.evil.example", False), ("", False),
    ("127.0.0.1@evil.example", False), ("127.0.0.1:8765/x", False), ("10.0.0.5:8765", False),
])
def test_host_header_of_a_loopback_server(host, ok):
    hosts, any_ip = allowed_hosts("127.0.0.1")
    assert host_allowed(host, hosts, any_ip) is ok


def test_a_server_on_every_interface_accepts_ip_literals_but_no_foreign_name():
    hosts, any_ip = allowed_hosts("0.0.0.0")
    assert host_allowed("192.168.1.20:8765", hosts, any_ip) and host_allowed("[fe80::1]:8765", hosts, any_ip)
    assert not host_allowed("evil.example:8765", hosts, any_ip)
    named, any_named = allowed_hosts("192.168.1.20", ("arviointi.example.fi",))
    assert host_allowed("arviointi.example.fi:8765", named, any_named) and not host_allowed("192.168.1.21", named, any_named)


def test_foreign_host_header_is_refused(run):
    client = create_app(run).test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "evil.example:8765"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200


# ---------------------------------------------------------------- Origin / CSRF


@pytest.mark.parametrize("headers, refused", [
    ({"Origin": "http://evil.example"}, True),
    ({"Origin": "http://localhost:9999"}, True),
    ({"Origin": "https://localhost"}, True),
    ({"Origin": "null"}, True),
    ({"Sec-Fetch-Site": "cross-site"}, True),
    ({"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"}, True),
    ({"Referer": "http://evil.example/page"}, True),
    ({"Origin": OWN}, False),
    ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, False),  # our forms under Referrer-Policy: no-referrer
    ({"Referer": OWN + "/theme/x"}, False),
    ({}, False),  # not a browser: the CSRF token still decides
])
def test_post_origin_rules(headers, refused):
    assert foreign_post(headers, "http", "localhost") is refused


def test_post_with_a_foreign_origin_is_refused(run, client):
    theme = a_theme(run)
    form = {"csrf": client.csrf, "kind": "rename", "theme": theme, "label": "x", "base": 0}
    assert client.post("/decide", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/decide", data=form, headers={"Referer": "http://evil.example/"}).status_code == 403
    assert Journal(run).all() == []
    assert client.post("/decide", data=form, headers={"Origin": OWN}).status_code == 303
    assert len(Journal(run).all()) == 1


# ---------------------------------------------------------------- response headers


def test_every_page_carries_the_security_headers_and_only_its_own_script(run, client):
    """#27: one-key coding runs the page's own script; the policy allows that script (its nonce) and nothing else."""
    theme = a_theme(run)
    for path, status, scripted in [("/", 200, False), (f"/theme/{theme}", 200, True), ("/queue", 200, True), ("/log", 200, False), ("/theme/nope", 404, False)]:
        reply = client.get(path)
        assert reply.status_code == status, path
        csp = reply.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp and "*" not in csp
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        assert f"script-src 'nonce-{nonce}';" in csp and f"style-src 'nonce-{nonce}';" in csp and "connect-src 'self';" in csp
        body = reply.get_data(as_text=True)
        assert f'<style nonce="{nonce}">' in body and " style=" not in body
        assert re.findall(r"<script[^>]*>", body) == ([f'<script nonce="{nonce}">'] if scripted else []), path  # no src=, no other script
        assert not re.search(r"<[^>]*\son[a-z]+=", body, flags=re.I), path  # no inline event handlers
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/").headers["Content-Security-Policy"] != client.get("/").headers["Content-Security-Policy"]  # a fresh nonce


def test_live_server_discloses_no_version(live):
    for path in ("/", "/theme/nope", "/?token=wrong"):
        reply = raw(live, "GET", path)
        assert reply.headers.get_all("Server") == ["avovastaus"], path
        assert "werkzeug" not in str(reply.headers).lower() and "python" not in str(reply.headers).lower()


# ---------------------------------------------------------------- the access token


def test_token_is_exchanged_for_a_cookie_and_never_shown_again(live, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    secret = "salainen-avain-123"
    assert raw(live, "GET", "/").status == 403
    first = raw(live, "GET", f"/log?token={secret}&x=1")
    assert first.status == 303 and first.getheader("Location") == "/log?x=1"
    cookie = first.getheader("Set-Cookie").split(";", 1)[0]
    assert "SameSite=Strict" in first.getheader("Set-Cookie") and "HttpOnly" in first.getheader("Set-Cookie")
    page = raw(live, "GET", "/log?x=1", {"Cookie": cookie})
    assert page.status == 200 and secret not in page.text
    cookie = (page.getheader("Set-Cookie") or cookie).split(";", 1)[0]  # the session now holds its CSRF token
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert re.search(r'name="next" value="/log\?x=1"', page.text)
    again = raw(live, "GET", f"/?token={secret}", {"Cookie": cookie})  # an old link: still sent to the clean URL
    assert again.status == 303 and again.getheader("Location") == "/"
    posted = raw(live, "POST", "/reviewer", {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{live}"},
                 f"csrf={csrf}&reviewer=liisa&next=/%3Ftoken%3D{secret}%26page%3D2")
    assert posted.status == 303 and secret not in posted.getheader("Location")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "GET /log" in logged and secret not in logged and "token" not in logged


def test_a_wrong_token_is_refused(run):
    client = create_app(run, token="oikea").test_client()
    assert client.get("/?token=väärä").status_code == 403
    assert client.get("/").status_code == 403
    client.get("/?token=oikea")
    assert client.post("/reviewer", data={"csrf": "ä€", "reviewer": "x"}).status_code == 400  # any text, never a 500


# ---------------------------------------------------------------- redirects


@pytest.mark.parametrize("target", [
    "//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example", "\t//evil.example", " //evil.example",
    "/\n/evil.example", "///evil.example", "http:/evil.example", "/\\/evil.example", "\\\\evil.example", "javascript:alert(1)",
    "/\u3000/evil.example", "evil.example", "",
])
def test_next_never_leaves_the_server(target):
    assert local_path(target) == "/"


@pytest.mark.parametrize("target, expected", [
    ("/theme/teema_01?q=a%20b&page=2", "/theme/teema_01?q=a+b&page=2"),
    ("/log", "/log"),
    ("/?token=abc", "/"),
    ("/theme/x?token=abc&page=3", "/theme/x?page=3"),
])
def test_next_keeps_local_paths(target, expected):
    assert local_path(target) == expected


@pytest.mark.parametrize("target", ["//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example"])
def test_redirect_after_post_stays_local(client, target):
    reply = client.post("/reviewer", data={"csrf": client.csrf, "reviewer": "liisa", "next": target})
    assert reply.status_code == 303 and reply.headers["Location"] == "/"


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("path, form", [
    ("/decide", {"kind": "note", "target": "THEME", "text": "x", "base": str(2**63)}),
    ("/decide", {"kind": "note", "target": "THEME", "text": "x", "base": "-1"}),
    ("/decide", {"kind": "note", "target": "THEME", "text": "x", "base": "1e3"}),
    ("/decide", {"kind": "note", "target": "THEME", "text": "x", "base": "٣"}),
    ("/undo", {"seq": str(2**63), "base": "0"}),
    ("/undo", {"seq": "1", "base": str(2**63)}),
    ("/undo", {"seq": "0", "base": "0"}),
    ("/undo", {"seq": "9" * 40, "base": "0"}),
])
def test_out_of_range_numbers_are_bad_requests(run, client, path, form):
    form = {k: v.replace("THEME", f"theme:{a_theme(run)}") for k, v in form.items()}
    reply = client.post(path, data={"csrf": client.csrf, **form})
    assert reply.status_code == 400 and "pitää olla kokonaisluku" in reply.get_data(as_text=True)  # in the app's language only (#27)
    assert Journal(run).all() == []


@pytest.mark.parametrize("page", [str(2**63), "0", "-1", "abc", "1.5"])
def test_out_of_range_page_is_a_bad_request(run, client, page):
    assert client.get(f"/theme/{a_theme(run)}?page={page}").status_code == 400


def test_largest_valid_numbers_are_accepted(run, client):
    theme = a_theme(run)
    assert client.post("/decide", data={"csrf": client.csrf, "kind": "note", "target": f"theme:{theme}", "text": "x", "base": str(2**63 - 1)}).status_code == 303
    assert client.get(f"/theme/{theme}?page=1000000").status_code == 200


# ---------------------------------------------------------------- report.md


def test_md_text_escapes_html_and_markdown():
    assert md_text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md_text("**a** _b_ `c` [d](e) | f ~g~ \\") == r"\*\*a\*\* \_b\_ \`c\` \[d\](e) \| f \~g\~ \\"
    assert md_text("rivi\n\nrivi") == "rivi rivi"


def test_report_md_escapes_labels_and_keywords(run):
    themes = pd.read_csv(run / "themes.csv", keep_default_na=False)
    themes.loc[0, "label"] = "<script>alert(1)</script> **lihava** | [linkki](http://evil.example)"
    themes.loc[0, "keywords"] = "<img src=x onerror=alert(1)>, _kallis_"
    themes.to_csv(run / "themes.csv", index=False)
    md = render_markdown(load_run(run))
    assert "<script>" not in md and "<img" not in md and "**lihava**" not in md and not re.search(r"(?<!\\)\]\(http", md)
    row = next(line for line in md.splitlines() if "lihava" in line)
    assert "&lt;script&gt;" in row and r"\*\*lihava\*\*" in row and r"\_kallis\_" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # the table row keeps its five cells


def test_a_huge_form_is_413_not_500(review_run):
    """#28: a 10 MB urlencoded POST is refused as too large; the error page does not read the form again."""
    from avovastaus.review.web.app import create_app

    client = create_app(review_run, reviewer="liisa").test_client()
    client.get("/")
    reply = client.post("/decide", data=b"next=%2F&label=" + b"x" * (10 << 20), content_type="application/x-www-form-urlencoded",
                        headers={"Host": "127.0.0.1"})
    assert reply.status_code == 413
