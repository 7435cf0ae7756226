"""Every command example of the README and the user guide runs as written and exits 0.

An example is a line starting with `lrtsim ` inside a ```sh block. The examples of one document
run in order in one scratch folder (a later one may read what an earlier one wrote, as
`scenario validate my.toml` reads the exported file); `feed.zip` there is the TriMet feed the
validation uses.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from support.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
FEED = ROOT.parent / "shared" / "data" / "feeds" / "trimet-max-green-2021.zip"
DOCUMENTS = ("README.md", "docs/user-guide.md")
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def examples(document: str) -> list[str]:
    """The `lrtsim …` lines of the document's ```sh blocks, comments removed."""
    text = (ROOT / document).read_text(encoding="utf-8")
    found = []
    for block in SH_BLOCK.findall(text):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            if command.startswith("lrtsim "):
                found.append(command)
    return found


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_document_has_examples(document: str) -> None:
    assert len(examples(document)) >= 5


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_example_runs(document: str, tmp_path: Path) -> None:
    shutil.copy(FEED, tmp_path / "feed.zip")
    for command in examples(document):
        # As one shell line: an example may redirect (`scenario export astana > my.toml`).
        done = run_cli(command.removeprefix("lrtsim "), tmp_path)
        assert done.returncode == 0, (command, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, command
