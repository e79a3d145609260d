"""The review server's defences as plain functions: which hosts, origins, redirects and numbers it accepts, and a quiet server.

Kept apart from the pages (``webapp.py``) so that each rule can be tested without a request, and
read in one place: DNS rebinding (``Host``), cross-site forms (``Origin``/``Sec-Fetch-Site``), open
redirects (``next``), numbers SQLite cannot hold, constant-time secret comparison, and a werkzeug
server whose ``Server`` header names no version and whose access log holds no query strings.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import socket
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

#: SQLite's largest integer: decision numbers (``base``, ``seq``) above it cannot exist
MAX_SEQ = 2**63 - 1
SERVER_NAME = "avovastaus"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: whitespace and control characters: browsers drop some of them inside URLs (``/\t/evil`` is ``//evil``)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]")
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(?::[0-9]{1,5})?")
_DIGITS = re.compile(r"[0-9]{1,19}")
_TOKEN_VALUE = re.compile(r"(token=)[^&\s\"']*")


class BadRequest(Exception):
    """A request the app refuses: the key of its message (``text.ERRORS``) and the values the message names.

    The message itself is written when the error page is, in the app's language (no page says it twice).
    """

    def __init__(self, key: str, **values: Any) -> None:
        self.key, self.values = key, values
        super().__init__(f"{key} {values}" if values else key)


def is_loopback(host: str) -> bool:
    """Return True for addresses that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Return True for the addresses that bind every interface (``0.0.0.0``, ``::``)."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


# ---------------------------------------------------------------- request checks


def host_name(header: str) -> str | None:
    """Return the lower-case host name of a ``Host`` header (no port, no brackets), or None when it is malformed."""
    if not _HOST.fullmatch(header or ""):
        return None
    name = header.rsplit(":", 1)[0] if not header.startswith("[") else header[1:header.index("]")]
    return name.lower().rstrip(".")


def host_allowed(header: str, allowed: frozenset[str], any_ip: bool = False) -> bool:
    """Return True when the ``Host`` header names this server: one of ``allowed``, or (``any_ip``) an IP literal.

    An IP literal cannot be a DNS-rebinding attack (the attacker needs a name they control), so a server
    bound to every interface accepts the address it was reached at, but never a foreign name.
    """
    name = host_name(header)
    if name is None:
        return False
    if name in allowed:
        return True
    if any_ip:
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False
    return False


def allowed_hosts(bind: str, extra: tuple[str, ...] = ()) -> tuple[frozenset[str], bool]:
    """Return (the host names a server bound to ``bind`` answers to, whether any IP literal is also accepted)."""
    names = {bind.lower().strip("[]"), *(h.lower() for h in extra)}
    if is_loopback(bind):
        names |= LOOPBACK_NAMES
    wildcard = is_wildcard(bind)
    if wildcard:
        names |= LOOPBACK_NAMES | {socket.gethostname().lower()}
    return frozenset(names), wildcard


def local_path(target: str | None) -> str:
    """Return ``target`` as a path on this server (without any ``token``), or ``/`` when it could lead elsewhere."""
    if not target:
        return "/"
    cleaned = _INVISIBLE.sub("", target)
    if "\\" in cleaned or not cleaned.startswith("/") or cleaned.startswith("//"):
        return "/"
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    return urlunsplit(("", "", parts.path, urlencode(query), "")) or "/"


def whole_number(value: str | None, name: str, low: int = 0, high: int = MAX_SEQ) -> int | None:
    """Return ``value`` as an int in [low, high]; None when absent; raises :class:`BadRequest` otherwise."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise BadRequest("whole_number", name=name, low=low, high=high)
    return int(value)


def same_origin(url: str, scheme: str, host: str) -> bool:
    """Return True when ``url`` (an Origin or Referer) has this server's scheme and host (with port)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() == scheme and parts.netloc.lower() == host.lower()


def foreign_post(headers: Any, scheme: str, host: str) -> bool:
    """Return True when a POST's ``Sec-Fetch-Site``, ``Origin`` or (without Origin) ``Referer`` says another site sent it.

    Our pages send no Referer (``Referrer-Policy: no-referrer``), so browsers send ``Origin: null`` with
    their forms; that is accepted only with ``Sec-Fetch-Site: same-origin``. A request with none of the
    three headers (not a browser) still needs the session's CSRF token.
    """
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = headers.get("Origin")
    if origin is not None:
        return site != "same-origin" if origin == "null" else not same_origin(origin, scheme, host)
    referer = headers.get("Referer")
    return bool(referer) and not same_origin(referer, scheme, host)


def same_secret(given: str, expected: str) -> bool:
    """Return True when ``given`` equals ``expected``, in constant time (bytes: any text may arrive)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------- serving


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler without its version in ``Server`` and without query strings in the access log."""

    def version_string(self) -> str:
        return SERVER_NAME

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(getattr(self, "path", "") or "").path
        self.log("info", '"%s %s" %s %s', getattr(self, "command", None) or "-", path, code, size)


class RedactTokens(logging.Filter):
    """Blank any ``token=`` value in a log record (werkzeug's own messages can quote a request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = _TOKEN_VALUE.sub(r"\1[redacted]", message), ()
        return True


def make_review_server(app: Any, host: str, port: int) -> BaseWSGIServer:
    """Return a threaded server for ``app`` whose log and headers carry neither tokens nor versions."""
    log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in log.filters):
        log.addFilter(RedactTokens())
    return make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
