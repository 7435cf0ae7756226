"""`lrtsim serve`: the web service (FastAPI on uvicorn), on loopback unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lrtsim.cli.common import app, fail
from lrtsim.errors import LrtsimError


@app.command("serve", short_help="The web service: scenarios, runs and results over HTTP.")
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 opens it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            show_default="FOLDER/catalogue.sqlite",
            help="Results catalogue: a SQLAlchemy URL or a SQLite file path (the CLI's).",
        ),
    ] = None,
    runs_dir: Annotated[
        Path,
        typer.Option("--runs", metavar="FOLDER", help="Folder of the run folders."),
    ] = Path("runs"),
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            envvar="LRTSIM_TOKEN",
            show_default="none: writes are open",
            help="Every write request (POST) must send Authorization: Bearer TOKEN.",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--max-runs", min=1, max=64, help="Runs simulated at once.")
    ] = 1,
    queue: Annotated[
        int, typer.Option("--queue", min=0, max=1000, help="Runs waiting beyond those.")
    ] = 4,
) -> None:
    """Serve the API (/api/…, docs at /docs) until stopped with Ctrl-C."""
    import uvicorn

    from lrtsim.io.catalogue import default_url
    from lrtsim.web import Settings, create_app

    settings = Settings(
        db_url=db if db is not None else default_url(runs_dir),
        runs_dir=runs_dir,
        token=token or None,
        max_concurrent_runs=workers,
        queue_size=queue,
    )
    try:
        web = create_app(settings)
    except LrtsimError as exc:
        fail(exc)
    uvicorn.run(web, host=host, port=port, log_level="info")
