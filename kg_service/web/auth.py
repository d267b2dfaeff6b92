"""Who may write: a bearer token, compared in constant time. Writes are off without one.

A write route takes :data:`WRITER` as a dependency: FastAPI runs the check before the handler
(on the event loop: it never blocks) and lists the route's ``security`` in the OpenAPI
document (the ``updateToken`` scheme).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kg_service.errors import Forbidden, Unauthorized

__all__ = ["UPDATE_TOKEN", "WRITER", "require_writer"]

#: The ``Authorization: Bearer <token>`` header; ``auto_error=False`` because the answers to a
#: missing or wrong token are ours (403 without a configured token, else 401), not FastAPI's.
UPDATE_TOKEN = HTTPBearer(
    auto_error=False,
    scheme_name="updateToken",
    description="The update token (--update-token / BENELUX_KG_UPDATE_TOKEN).",
)


async def require_writer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(UPDATE_TOKEN)],
) -> None:
    """Raise unless writes are enabled and the request carries the configured token."""
    token = request.app.state.settings.update_token
    if not token:
        raise Forbidden("Writes are disabled on this endpoint (no update token is configured).")
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), token.encode("utf-8")):
        raise Unauthorized(
            "A write needs the header 'Authorization: Bearer <token>' with the configured token.",
            headers={"WWW-Authenticate": 'Bearer realm="benelux-kg"'},
        )


#: The dependency of every route that writes (``dependencies=[WRITER]``).
WRITER = Depends(require_writer)
