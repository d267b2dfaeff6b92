"""How an HTTP process retires: the hook :mod:`kg_service.web.serving` installs in each one.

A process that holds a runaway query (or is past its memory cap) cannot stop that query, so it
stops itself, gently: it tells the supervisor, which starts a replacement at once; as soon as
the replacement serves (or after a bound), it closes its listening socket (new connections go
to its siblings: the port is never left without a listener, even with ``--workers 1`` or when
every process retires together); from then on every answer closes its keep-alive connection
(``Connection: close``, :func:`closing`), and a moment later the connections still idle are
closed; it finishes its other requests and exits. Outside a
supervisor (an app made in a test), retiring only logs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

__all__ = ["closing", "install", "ready", "retire", "retiring"]

log = logging.getLogger("kg_service.process.lifecycle")

_hook: Callable[[str], None] | None = None
_on_ready: Callable[[], None] | None = None
_reason: str | None = None


def install(hook: Callable[[str], None], on_ready: Callable[[], None] | None = None) -> None:
    """Set what :func:`retire` and :func:`ready` do in this process (by the serving code)."""
    global _hook, _on_ready
    _hook, _on_ready = hook, on_ready


def ready() -> None:
    """This process serves: the app has started (a predecessor it replaces may now close)."""
    if _on_ready is not None:
        _on_ready()


def retire(reason: str) -> None:
    """Retire this process (once; later calls do nothing)."""
    global _reason
    if _reason is not None:
        return
    _reason = reason
    log.warning("retiring this HTTP process (pid %s): %s", _pid(), reason)
    if _hook is not None:
        _hook(reason)


def retiring() -> bool:
    """True once this process has begun to retire."""
    return _reason is not None


def closing(send: Callable[[dict], Awaitable[None]]) -> Callable[[dict], Awaitable[None]]:
    """``send`` (ASGI), with ``Connection: close`` on the response: a retiring process ends
    each keep-alive connection after its next answer, so a busy client moves to a sibling
    before the process closes the idle ones (a request sent just then would be lost)."""

    async def send_closing(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = [h for h in message.get("headers", ()) if h[0].lower() != b"connection"]
            message = {**message, "headers": [*headers, (b"connection", b"close")]}
        await send(message)

    return send_closing


def _pid() -> int:
    import os

    return os.getpid()
