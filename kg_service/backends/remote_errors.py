"""What a remote store's failures mean to our clients, shared by queries, updates and ``load``.

The remote unreachable or failing (5xx) → 502, its 400 → a syntax error or a bad request, too
slow → timeout, its redirects → a configuration error naming the URL to use instead. An
engine's own error texts (Virtuoso's SQLSTATEs) are read by the engine's module first.
"""

from __future__ import annotations

import re

import httpx

from kg_service.backends import virtuoso
from kg_service.backends.engines import VIRTUOSO, Engine
from kg_service.errors import BackendUnavailable, BadRequest, KGError, Overloaded, QueryTimeout
from kg_service.query.syntax import syntax_error

__all__ = [
    "CONNECT_TIMEOUT",
    "MESSAGE_CHARS",
    "client_timeout",
    "shown",
    "status_error",
    "transport_error",
]

#: How long to wait for the remote to accept a TCP connection (fail fast while it is down).
CONNECT_TIMEOUT = 5.0
#: How long a request waits for a free connection when ``max_concurrent`` are in use.
POOL_TIMEOUT = 1.0
#: How much of the remote's error message is shown to the client.
MESSAGE_CHARS = 500
_POSITION = re.compile(r"^error at (\d+):(\d+)")


def client_timeout(seconds: float) -> httpx.Timeout:
    """The httpx timeouts of a remote request that may take ``seconds``."""
    return httpx.Timeout(
        seconds, connect=min(CONNECT_TIMEOUT, seconds), pool=min(POOL_TIMEOUT, seconds)
    )


def shown(url: str) -> str:
    """A URL fit for a message: no user name, password or query string."""
    u = httpx.URL(url)
    port = f":{u.port}" if u.port else ""
    return f"{u.scheme}://{u.host}{port}{u.path}"


def transport_error(exc: httpx.TransportError, url: str, timeout: float) -> KGError:
    """The service error for a request that got no (complete) answer."""
    if isinstance(exc, httpx.PoolTimeout):
        return Overloaded(
            "Too many queries to the remote store at once; retry shortly.",
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return BackendUnavailable(
            f"The SPARQL endpoint {shown(url)} did not accept a connection within "
            f"{CONNECT_TIMEOUT:g} s."
        )
    if isinstance(exc, httpx.TimeoutException):
        limit = f" within {timeout:g} s" if timeout else " in time"
        return QueryTimeout(f"The SPARQL endpoint {shown(url)} did not answer{limit}.")
    reason = str(exc) or type(exc).__name__
    return BackendUnavailable(f"The SPARQL endpoint {shown(url)} cannot be reached: {reason}.")


def status_error(
    response: httpx.Response,
    message: str,
    what: str,
    shift: int = 0,
    engine: Engine | None = None,
    client_text: str | None = None,
) -> KGError:
    """The service error for a remote's non-2xx answer (``what``: query, update, …;
    ``client_text``: what the client sent, so a syntax error is told in words)."""
    status, url = response.status_code, str(response.request.url)
    if engine is VIRTUOSO:
        known = virtuoso.error(message[:MESSAGE_CHARS], what, shown(url))
        if known is not None:
            return known
    text = " ".join(message.split())[:MESSAGE_CHARS] or response.reason_phrase
    if status == 400 and what in ("query", "update"):
        match = _POSITION.match(text)
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            col = col - shift if line == 1 and col > shift else col
            return syntax_error(f"error at {line}:{col}{text[match.end() :]}", what, client_text)
        return BadRequest(f"The SPARQL endpoint refused the {what}: {text}")
    if status in (408, 504):
        return QueryTimeout(f"The SPARQL endpoint {shown(url)} timed out: {text}")
    if 300 <= status < 400:
        where = response.headers.get("location", "?")
        return BackendUnavailable(
            f"The SPARQL endpoint {shown(url)} redirects ({status}) to {where[:200]}; "
            "configure that URL instead."
        )
    return BackendUnavailable(
        f"The SPARQL endpoint {shown(url)} answered {status} to the {what}: {text}"
    )
