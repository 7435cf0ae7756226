"""The console script's process settings (`lrtsim.cli.main`): the garbage collector's full
collections made rare while a command runs, and everything frozen when it ends, so that the
interpreter's shutdown does not walk it."""

from __future__ import annotations

import gc

import pytest

import lrtsim.cli as cli


def test_main_makes_full_collections_rare_and_freezes_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = gc.get_threshold()
    seen: dict[str, tuple[int, ...]] = {}

    def app() -> None:
        seen["threshold"] = gc.get_threshold()
        raise SystemExit(2)  # as typer ends every command

    monkeypatch.setattr(cli, "app", app)
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit):
            cli.main()
        assert seen["threshold"] == (before[0], before[1], cli.FULL_COLLECTION_EVERY)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
