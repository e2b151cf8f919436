"""Web platform: FastAPI app factory (:mod:`giamsat.web.app`), REST routers, live WebSocket,
and the built UI in ``static/``. Importing this package stays cheap (the migration environment
imports :mod:`giamsat.web.schema`)."""
