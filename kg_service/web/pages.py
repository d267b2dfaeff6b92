"""Shared page machinery: the Jinja2 environment, the static files, the language switch."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from kg_service.rdf.namespaces import BASE
from kg_service.web.i18n import LANGUAGES, choose_language, t

__all__ = ["STATIC_DIR", "render", "router", "static_files", "templates"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(t=t, languages=LANGUAGES, base_iri=BASE)

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


@router.get("/lang", include_in_schema=False)
async def switch_language(request: Request, lang: str = "en", next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back (only to a path on this site)."""
    target = urlsplit(next).path if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target or "/", status_code=303)
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
