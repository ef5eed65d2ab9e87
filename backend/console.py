"""The browser console (``console/``, built by ``make console`` into ``console/dist``) served by
the API at ``/``.

The console's pages are client-side routes (``/bank``, ``/sme``...): a GET for a path that no API
route could answer, from a browser asking for HTML, is given ``index.html``. Paths under an API
route's first segment (``/trades/...``, ``/docs``...) keep the API's JSON 404, so the console never
shadows the API. Without a build, ``/`` says how to make one and the API runs as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from backend.settings import default_project_root

CONSOLE_DIST = (
    default_project_root() / "console" / "dist"
)  # the checkout (or the working directory)

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>scf-ledger</title></head><body>
<h1>scf-ledger</h1>
<p>The console is not built. Build it with <code>make console-build</code> (or
<code>make console</code> for the demo), then reload this page.</p>
<p>控制台尚未构建：请运行 <code>make console-build</code>，然后刷新本页。</p>
<p>The API is running: <a href="/docs">/docs</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>"""


def console_csp(rpc_url: str) -> str:
    """The console's Content-Security-Policy: its own scripts only; inline styles (ECharts sets
    them on its tooltips); fetches to the app and to the node, whose transactions the evidence
    view reads itself rather than trusting the API."""
    parts = urlsplit(rpc_url)
    node = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; connect-src 'self'{node}; base-uri 'self'; "
        "form-action 'self'; object-src 'none'; frame-ancestors 'none'"
    )


def api_first_segments(app: FastAPI) -> frozenset[str]:
    """The first path segment of every route the app has (``trades``, ``docs``, ``healthz``...)."""
    segments = {path.strip("/").split("/", 1)[0] for path in _route_paths(app.router.routes)}
    return frozenset(segments - {""})


def _route_paths(routes: Any) -> list[str]:
    """Every route's path, those of included routers too: FastAPI keeps an included router as
    one entry (its ``original_router``, whose routes carry the router's prefix)."""
    paths = []
    for route in routes:
        if (included := getattr(route, "original_router", None)) is not None:
            paths += _route_paths(included.routes)
        else:
            paths.append(getattr(route, "path", ""))
    return paths


def install_console(app: FastAPI, rpc_url: str, dist: Path | None = None) -> None:
    """Serve the built console (``dist``, by default ``CONSOLE_DIST``) at ``/``, its bundles
    under ``/assets``; call after the API's routes are included."""
    dist = dist or CONSOLE_DIST
    csp = console_csp(rpc_url)
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="console-assets")

    def page() -> Response:
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, headers={"content-security-policy": csp})
        return FileResponse(
            index, headers={"content-security-policy": csp, "cache-control": "no-cache"}
        )

    app.add_api_route("/", page, methods=["GET"], include_in_schema=False)
    app.state.console_page = page
    app.state.api_segments = api_first_segments(app)


def console_fallback(request: Request) -> Response | None:
    """``index.html`` for a browser's GET of a console route; None for anything else (the API's
    404 stands)."""
    page = getattr(request.app.state, "console_page", None)
    if page is None or request.method not in ("GET", "HEAD"):
        return None
    if "text/html" not in request.headers.get("accept", ""):
        return None
    first = request.url.path.strip("/").split("/", 1)[0]
    if first in request.app.state.api_segments or "." in first:
        return None
    return page()  # type: ignore[no-any-return]
