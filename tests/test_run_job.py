"""A run's folder is named from the scenario's free-text name, and never leaves its out_dir."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from lrtsim.run_job import folder_stem, new_folder

STARTED = datetime(2026, 12, 2, 8, 15, 0)


@pytest.mark.parametrize(
    "name", ["../escaped", "/etc/x", "a/../../b", "..", "C:\\x", "line 1 (north)", "é", " "]
)
def test_a_name_never_makes_a_path_out_of_the_folder(tmp_path: Path, name: str) -> None:
    folder = new_folder(tmp_path, name, STARTED)
    assert folder.parent == tmp_path
    assert folder.resolve().parent == tmp_path.resolve()
    stem = folder_stem(name)
    assert stem
    assert re.fullmatch(r"[A-Za-z0-9_-]+", stem)
    assert folder.name == f"{stem}-20261202-081500"


def test_plain_names_are_kept_and_a_second_run_of_the_second_is_numbered(tmp_path: Path) -> None:
    assert folder_stem("astana_v2-test") == "astana_v2-test"
    first = new_folder(tmp_path, "astana", STARTED)
    first.mkdir()
    assert new_folder(tmp_path, "astana", STARTED).name == "astana-20261202-081500-2"
