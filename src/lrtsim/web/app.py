"""The web application: `create_app(settings)` gives the FastAPI app `lrtsim serve` runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from lrtsim.web.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
"""The dashboard: index.html, dashboard.css and dashboard.js, shipped as package data."""


def create_app(settings: Settings) -> FastAPI:
    """The service of `settings`: its catalogue opened and its runs folder made now (an
    `LrtsimError` when either cannot be), its workers stopped when the app shuts down.

    No CORS middleware: browsers of other origins are refused, as by default.
    """
    from lrtsim import __version__
    from lrtsim.io.catalogue import Catalogue
    from lrtsim.run_job import ready
    from lrtsim.web import problems, routes_live, routes_runs, routes_scenarios
    from lrtsim.web.jobs import RunQueue
    from lrtsim.web.live import LiveRuns
    from lrtsim.web.uploads import BodyLimit

    ready(settings.runs_dir)
    catalogue = Catalogue.open(settings.db_url)
    queue = RunQueue(catalogue, settings.max_concurrent_runs, settings.queue_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            queue.close()
            catalogue.close()

    app = FastAPI(
        title="lrtsim",
        version=__version__,
        description="Plan, simulate and publish the service of a light-rail line: scenarios, "
        "runs in worker processes, their reports and GTFS feeds.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.queue = queue
    app.state.live = LiveRuns()
    problems.install(app)

    app.add_middleware(BodyLimit, limit_bytes=settings.upload_limit_bytes)
    app.include_router(routes_scenarios.router)
    app.include_router(routes_runs.router)
    app.include_router(routes_live.router)
    mount_dashboard(app)
    return app


def mount_dashboard(app: FastAPI) -> None:
    """The dashboard's static files: `/` is its page, `/static/` its stylesheet and script
    (kept out of the OpenAPI schema, which describes the API only)."""
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        """The dashboard page."""
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
