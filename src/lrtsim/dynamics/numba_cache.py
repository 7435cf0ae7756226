"""Where numba keeps the compiled kernels: beside the code when lrtsim may write there, else in
the user's cache folder, so that an installation the user cannot write to still runs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ensure_cache_dir() -> None:
    """Set `NUMBA_CACHE_DIR` (before numba is imported) when the package folder is read-only.

    A value the user set is kept. The folder is `$XDG_CACHE_HOME/lrtsim/numba` (default
    `~/.cache`), or one in the temporary folder when the home folder cannot be written either.
    """
    if os.environ.get("NUMBA_CACHE_DIR") or os.access(Path(__file__).parent, os.W_OK):
        return
    home_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (
        Path(home_cache) / "lrtsim" / "numba",
        Path(tempfile.gettempdir()) / f"lrtsim-numba-{os.getuid()}",
    ):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            os.environ["NUMBA_CACHE_DIR"] = str(folder)
            return
