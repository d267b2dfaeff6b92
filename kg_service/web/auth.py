"""Who may write: a bearer token, compared in constant time. Writes are off without one."""

from __future__ import annotations

import hmac

from fastapi import Request

from kg_service.errors import Forbidden, Unauthorized

__all__ = ["require_writer"]


def require_writer(request: Request) -> None:
    """Raise unless writes are enabled and the request carries the configured token."""
    token = request.app.state.settings.update_token
    if not token:
        raise Forbidden("Writes are disabled on this endpoint (no update token is configured).")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = token.encode("utf-8")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise Unauthorized(
            "A write needs the header 'Authorization: Bearer <token>' with the configured token.",
            headers={"WWW-Authenticate": 'Bearer realm="benelux-kg"'},
        )
