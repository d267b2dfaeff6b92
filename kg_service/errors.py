"""One exception tree for the whole service; each class carries its HTTP status.

    KGError (500)
    ├── BadRequest (400)
    │   ├── QuerySyntaxError (400)   a SPARQL query or update that does not parse
    │   ├── RDFSyntaxError (400)     an RDF body that does not parse
    │   └── RefusedOperation (400)   SERVICE, LOAD, file: IRIs … refused by policy
    ├── Unauthorized (401)           a write without a valid token
    ├── Forbidden (403)              writes are disabled
    ├── NotFound (404)
    ├── Conflict (409)               a write to a graph derived from the build
    ├── MethodNotAllowed (405)
    ├── NotAcceptable (406)          nothing in Accept can be produced
    ├── PayloadTooLarge (413)
    ├── UnsupportedMediaType (415)
    ├── NotSupported (501)           this backend cannot do it (search on a remote store)
    ├── BackendUnavailable (502)     the remote store cannot be reached
    ├── Overloaded (503)             the concurrency cap is reached (Retry-After)
    ├── QueryTimeout (503)           the query ran past the configured timeout
    ├── ResourceExhausted (503)      the query needed more memory than a worker may use
    └── BuildError (500)             the build pipeline failed (CLI only)

The HTTP layer maps any ``KGError`` to its status in one handler (``kg_service.web.app``);
anything else is a bug and is logged as a 500.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailable",
    "BadRequest",
    "BuildError",
    "Conflict",
    "Forbidden",
    "KGError",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotFound",
    "NotSupported",
    "Overloaded",
    "PayloadTooLarge",
    "QuerySyntaxError",
    "QueryTimeout",
    "RDFSyntaxError",
    "RefusedOperation",
    "ResourceExhausted",
    "Unauthorized",
    "UnsupportedMediaType",
]


class KGError(Exception):
    """Base of every error the service raises on purpose."""

    status: int = 500
    title: str = "Internal Server Error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(KGError):
    status, title = 400, "Bad Request"


class QuerySyntaxError(BadRequest):
    """The message says in words what is wrong and where; ``parser_message`` keeps what the
    parser said (for the log, never for the client)."""

    title = "SPARQL syntax error"

    def __init__(
        self,
        message: str,
        *,
        parser_message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, headers=headers)
        self.parser_message = parser_message


class RDFSyntaxError(BadRequest):
    title = "RDF syntax error"


class RefusedOperation(BadRequest):
    title = "Refused by policy"


class Unauthorized(KGError):
    status, title = 401, "Unauthorized"


class Forbidden(KGError):
    status, title = 403, "Forbidden"


class NotFound(KGError):
    status, title = 404, "Not Found"


class Conflict(KGError):
    status, title = 409, "Conflict"


class MethodNotAllowed(KGError):
    status, title = 405, "Method Not Allowed"


class NotAcceptable(KGError):
    status, title = 406, "Not Acceptable"


class PayloadTooLarge(KGError):
    status, title = 413, "Payload Too Large"


class UnsupportedMediaType(KGError):
    status, title = 415, "Unsupported Media Type"


class NotSupported(KGError):
    status, title = 501, "Not Implemented"


class BackendUnavailable(KGError):
    status, title = 502, "Bad Gateway"


class Overloaded(KGError):
    status, title = 503, "Service Unavailable"


class QueryTimeout(KGError):
    status, title = 503, "Query timeout"


class ResourceExhausted(KGError):
    status, title = 503, "Resource limit"


class BuildError(KGError):
    title = "Build failed"
