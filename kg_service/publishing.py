"""For harvesters: dumps, VoID, the DCAT-AP catalogue, robots.txt and the sitemap."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter()
