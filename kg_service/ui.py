"""For people: the landing page and the YASGUI query editor."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter()
