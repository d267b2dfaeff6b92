"""The FastAPI routers, one per capability."""
