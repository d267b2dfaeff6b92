"""The HTTP service: the app, the supervisor, observability, pages and routes."""
