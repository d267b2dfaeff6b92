"""The floor under ``serve``: a bare ASGI app on uvicorn that answers SPARQL and does nothing else.

It reads the same store folder as ``serve`` (read-only, the union graph as the default graph,
as ``serve`` does), runs each query in a thread pool (pyoxigraph releases the GIL, as in our
runner) and serialises with pyoxigraph. It has none of our features: no protocol checks beyond
the form, no policy, no admission line, no deadline, no cache, no access log or metrics, no
CORS, no error pages. uvicorn runs it with httptools and uvloop, like ``serve``.

What it measures: what uvicorn and Python cost per request on this machine. ``serve`` ÷ floor
is what our features cost; floor ÷ the Oxigraph server is what being a Python ASGI service
costs, which no change to our code can win back.

    BENCH_STORE=/path/to/store uvicorn floor_app:app --app-dir bench --http httptools \\
        --loop uvloop --no-access-log --port 8001
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pyoxigraph as ox

from kg_service.query.union import UNION

_STORE = ox.Store.read_only(os.environ["BENCH_STORE"])
_UNION = ox.NamedNode(UNION)
_POOL = ThreadPoolExecutor(32, thread_name_prefix="query")
_GRAPHS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}
_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


def _run(text: str, accept: str) -> tuple[str, bytes]:
    """Evaluate and serialise (in a pool thread): the media type and the bytes."""
    result = _STORE.query(text, default_graph=_UNION)
    if isinstance(result, ox.QueryTriples):
        media = accept if accept in _GRAPHS else "text/turtle"
        return media, ox.serialize(result, format=_GRAPHS[media])
    media = accept if accept in _RESULTS else "application/sparql-results+json"
    return media, result.serialize(format=_RESULTS[media])


async def app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    """POST /…, form ``query=``: the answer; anything else is a 400."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = dict(scope["headers"])
    accept = headers.get(b"accept", b"").decode("latin-1")
    try:
        text = parse_qs(body.decode())["query"][0]
        loop = asyncio.get_running_loop()
        media, data = await loop.run_in_executor(_POOL, _run, text, accept)
        status = 200
    except (KeyError, SyntaxError, ValueError, OSError) as exc:
        status, media, data = 400, "text/plain", str(exc).encode()
    head = [(b"content-type", media.encode()), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": data})
