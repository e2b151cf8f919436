"""Web: FastAPI app factory, routers, live updates, static UI."""
