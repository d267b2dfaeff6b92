"""Shared page machinery: the Jinja2 environment, the static files, the language switch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from kg_service.rdf.namespaces import BASE
from kg_service.web import openapi
from kg_service.web.i18n import LANGUAGES, choose_language, colon, readable_size, t

__all__ = ["STATIC_DIR", "render", "router", "static_files", "templates"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(
    t=t, languages=LANGUAGES, base_iri=BASE, readable_size=readable_size, colon=colon
)

router = APIRouter()


def render(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    """Render a template in the language the request asks for."""
    lang = choose_language(request)
    response = templates.TemplateResponse(
        request, name, {"lang": lang, **context}, status_code=status
    )
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return response


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(STATIC_DIR))


@router.get(
    "/lang",
    operation_id="language",
    tags=["Pages"],
    status_code=303,
    response_class=Response,
    summary="Remember a page language in a cookie and go back",
    responses={
        "303": openapi.ok(
            "Back to next (a path on this site).", Location=openapi.header("the path", True)
        )
    },
)
async def switch_language(
    request: Request,
    lang: Annotated[
        str | None,
        Query(description=openapi.LANG_DESCRIPTION, json_schema_extra={"enum": sorted(LANGUAGES)}),
    ] = None,
    next: Annotated[str, Query(description="Where to go.", examples=["/", "/def/"])] = "/",
) -> Response:
    """Remember the chosen language in a cookie and go back (only to a path on this site), with
    the page's own parameters (a search's words, a list's page) but not a ``lang`` one, which
    would outweigh the cookie just set. Without a language (a crawler following the form's
    ``action``), nothing is remembered: the reader's choice so far stands."""
    response = RedirectResponse(_back_to(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _back_to(next: str) -> str:
    """``next`` as a path on this site, its query kept without ``lang``; "/" for anything else."""
    if not next.startswith("/") or next.startswith("//"):
        return "/"
    parts = urlsplit(next)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return (parts.path or "/") + (f"?{urlencode(kept)}" if kept else "")
