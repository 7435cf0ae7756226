"""The web service (`lrtsim serve`): scenarios, runs and their results over HTTP (FastAPI).

`create_app(settings)` builds the application; nothing imports this package except the CLI.
"""

from __future__ import annotations

from lrtsim.web.app import create_app
from lrtsim.web.settings import Settings

__all__ = ["Settings", "create_app"]
