"""Atomic outputs: a folder is this run's files or the earlier folder, whatever fails and when."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import lrtsim.io.atomic as atomic
from lrtsim.io.atomic import (
    MANIFEST,
    OutputError,
    OverwriteError,
    check_folder_target,
    write_folder_atomic,
)

NEW = {"timetable.csv": b"new\n", "blocks.csv": b"new\n"}


def _earlier(tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    write_folder_atomic(folder, {"timetable.csv": b"old\n", "gtfs.zip": b"old"}, command="plan")
    return folder


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _siblings(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name != "plan")


def test_a_new_folder_replaces_the_earlier_one_whole(tmp_path: Path) -> None:
    folder = _earlier(tmp_path)
    write_folder_atomic(folder, NEW, command="plan")
    assert sorted(_contents(folder)) == sorted([*NEW, MANIFEST])
    assert _contents(folder)["timetable.csv"] == b"new\n"
    assert _siblings(tmp_path) == []


@pytest.mark.parametrize("failing_call", [1, 2])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_swap_leaves_the_earlier_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int, error: BaseException
) -> None:
    """os.replace is called twice for the folder (earlier one aside, new one in): fail either."""
    folder = _earlier(tmp_path)
    before = _contents(folder)
    real = os.replace
    calls = {"folder": 0}

    def replace(src: Any, dst: Any) -> None:
        if Path(src).is_dir():
            calls["folder"] += 1
            if calls["folder"] == failing_call:
                raise error
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    expected = OutputError if isinstance(error, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        write_folder_atomic(folder, NEW, command="plan")
    monkeypatch.undo()
    assert _contents(folder) == before
    assert _siblings(tmp_path) == []


def test_a_failing_file_leaves_the_earlier_folder(tmp_path: Path) -> None:
    folder = _earlier(tmp_path)
    before = _contents(folder)
    with pytest.raises(OutputError):
        write_folder_atomic(folder, {**NEW, "": b"no name"}, command="plan")
    assert _contents(folder) == before
    assert _siblings(tmp_path) == []


def test_a_folder_holding_an_input_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    scenario = folder / "line.toml"
    scenario.write_text("name = 'x'\n", encoding="utf-8")
    with pytest.raises(OutputError, match="which this command reads"):
        check_folder_target(folder, force=True, inputs=[scenario])
    assert scenario.exists()


def test_a_symbolic_link_is_named_as_such(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(OutputError, match="symbolic link"):
        check_folder_target(tmp_path / "link", force=True)


def test_files_take_the_umask_permissions(tmp_path: Path) -> None:
    write_folder_atomic(tmp_path / "plan", NEW, command="plan")
    mode = (tmp_path / "plan" / "blocks.csv").stat().st_mode & 0o777
    assert mode == 0o666 & ~atomic._UMASK


def test_a_refused_overwrite_names_no_command_line_flag(tmp_path: Path) -> None:
    """The library names its own argument; the CLI swaps in its flag (`naming`)."""
    existing = tmp_path / "scenario.toml"
    existing.write_text("x\n", encoding="utf-8")
    with pytest.raises(OverwriteError) as refused:
        atomic.check_file_target(existing, overwrite=False)
    assert str(refused.value) == f"{existing} already exists; use overwrite=True to replace it"
    assert str(refused.value.naming("--force")) == (
        f"{existing} already exists; use --force to replace it"
    )
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "old.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "deep" / "src").mkdir(parents=True)
    for folder, force in ((foreign, False), (tmp_path / "deep", True)):
        with pytest.raises(OverwriteError) as refused:
            check_folder_target(folder, force=force)
        assert "--" not in str(refused.value)
        assert "force=True" in str(refused.value)
        assert "--force" in str(refused.value.naming("--force"))
