"""The command line at its edges, run as real processes: output folders written whole, output
paths that cannot be written, plot formats, flags, NaN options, one JSON style and its schemas.

Independent commands start together from one module fixture; the few that must follow one
another (an earlier plan, then a new one into the same folder) run in order inside their test.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from lrtsim.model.load import embedded_text
from support.cli import failed_cleanly, one_json_object, run_all, run_cli
from support.scenarios import replaced, without_geometry

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "docs" / "json"
FEED = ROOT.parent / "shared" / "data" / "feeds" / "trimet-max-green-2021.zip"
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
LONG_NAME = "Station " + "with a very long name " * 12

PNG = b"\x89PNG\r\n\x1a\n"
MAGIC = {".png": PNG, ".svg": b"<?xml", ".pdf": b"%PDF", ".jpg": b"\xff\xd8\xff"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_edges")
    text = embedded_text("astana")
    (folder / "astana.toml").write_text(text, encoding="utf-8")
    (folder / "flat.toml").write_text(without_geometry(text), encoding="utf-8")
    long = replaced(
        text,
        ('name = "Theatre"', f'name = "{LONG_NAME}"'),
        ('station = "Theatre"', f'station = "{LONG_NAME}"'),
    )
    (folder / "long.toml").write_text(long, encoding="utf-8")
    (folder / "a_file").write_text("not a folder\n", encoding="utf-8")
    foreign = folder / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / "feed_folder.zip").mkdir()
    (folder / "hand-edited.toml").write_text("# my own work\n", encoding="utf-8")
    return folder


COMMANDS: dict[str, list[str]] = {
    "runtime": ["runtime", "--json", "--direction", "up"],
    "runtime_allowance": ["runtime", "--json", "--direction", "up", "--allowance", "5"],
    "capacity": ["capacity", "--json", "--occupancy-headway-s", "300"],
    "capacity_table": ["capacity", "--occupancy-headway-s", "300"],
    "plan": ["plan", "--json", "--out", "plan-json"],
    "plan_flat": ["plan", "flat.toml", "--json", "--out", "plan-flat"],
    "plan_flat_table": ["plan", "flat.toml", "--out", "plan-flat-table"],
    "import": ["import-gtfs", str(FEED), "--route", "200", "--json"],
    "simulate": ["simulate", "--json", "--out", "simulate-json"],
    "plan_foreign": ["plan", "--out", "foreign"],
    "plan_under_file": ["plan", "--out", "a_file/plan"],
    "plan_in_proc": ["plan", "--out", "/proc/lrtsim-test/plan"],
    "plot_in_proc": ["capacity", "--plot", "/proc/lrtsim-test/x.png"],
    "plot_under_file": ["capacity", "--plot", "a_file/x.png"],
    "plot_unknown": ["capacity", "--plot", "headway.xyz"],
    "plot_svg": ["capacity", "--plot", "plots/headway.svg"],
    "plot_pdf": ["capacity", "--plot", "plots/headway.pdf"],
    "plot_jpg": ["capacity", "--plot", "plots/headway.jpg"],
    "import_existing": ["import-gtfs", str(FEED), "--route", "200", "--out", "hand-edited.toml"],
    "import_in_proc": ["import-gtfs", str(FEED), "--route", "200", "--out", "/proc/x/g.toml"],
    "import_folder_feed": ["import-gtfs", "feed_folder.zip", "--route", "200"],
    "import_unreadable_feed": ["import-gtfs", "/proc/self/mem", "--route", "200"],
    "load_nan": ["runtime", "--load", "nan"],
    "allowance_inf": ["runtime", "--allowance", "inf"],
    "dwell_nan": ["capacity", "--dwell-s", "nan"],
    "occupancy_inf": ["capacity", "--occupancy-headway-s", "inf"],
    "json_true": ["runtime", "--json", "true"],
    "version": ["--version"],
    "help_runtime": ["runtime", "--help"],
    "help_capacity": ["capacity", "--help"],
    "help_plan": ["plan", "--help"],
    "help_import": ["import-gtfs", "--help"],
    "help_simulate": ["simulate", "--help"],
    "show_long": ["scenario", "show", "long.toml"],
}


@pytest.fixture(scope="module")
def runs(workdir: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    return run_all(COMMANDS, workdir)


# ------------------------------------------------------------------------ output folders, whole
def test_a_new_plan_replaces_an_earlier_one_as_a_whole(workdir: Path) -> None:
    """A plan without geometry written over one with a feed leaves no stale gtfs.zip behind."""
    first = run_cli(["plan", "astana.toml", "--out", "reused"], workdir)
    assert first.returncode == 0, first.stderr
    assert (workdir / "reused" / "gtfs.zip").is_file()
    second = run_cli(["plan", "flat.toml", "--out", "reused"], workdir)
    assert second.returncode == 0, second.stderr
    names = {p.name for p in (workdir / "reused").iterdir() if not p.name.startswith(".")}
    assert names == {"timetable.csv", "blocks.csv"}
    assert not [p for p in workdir.iterdir() if p.name.startswith(".reused.")]


def test_a_folder_lrtsim_did_not_write_is_refused(runs: dict[str, Any], workdir: Path) -> None:
    failed_cleanly(runs["plan_foreign"], "foreign", "notes.txt", "--force")
    assert sorted(p.name for p in (workdir / "foreign").iterdir()) == ["notes.txt"]


def test_force_replaces_a_foreign_folder(workdir: Path) -> None:
    target = workdir / "forced"
    target.mkdir()
    (target / "old.csv").write_text("x\n", encoding="utf-8")
    run = run_cli(["plan", "flat.toml", "--out", "forced", "--force"], workdir)
    assert run.returncode == 0, run.stderr
    assert not (target / "old.csv").exists()
    assert (target / "timetable.csv").is_file()


def test_force_never_replaces_a_folder_of_folders(workdir: Path) -> None:
    project = workdir / "project"
    (project / "src").mkdir(parents=True)
    (project / "README").write_text("mine\n", encoding="utf-8")
    failed_cleanly(
        run_cli(["plan", "flat.toml", "--out", "project", "--force"], workdir),
        "holds folders (src)",
        "even with --force",
    )
    assert sorted(p.name for p in project.iterdir()) == ["README", "src"]


def test_force_never_replaces_the_folder_of_the_scenario(workdir: Path) -> None:
    mine = workdir / "mine"
    mine.mkdir()
    (mine / "line.toml").write_text(embedded_text("astana"), encoding="utf-8")
    failed_cleanly(
        run_cli(["plan", "mine/line.toml", "--out", "mine", "--force"], workdir),
        "which this command reads",
    )
    assert sorted(p.name for p in mine.iterdir()) == ["line.toml"]


@pytest.mark.parametrize("target", ["home", "above"])
def test_force_never_replaces_the_home_folder_or_above(tmp_path: Path, target: str) -> None:
    """`--out ~ --force` is a typo away: it is refused (HOME points at a scratch folder here)."""
    home = tmp_path / "above" / "home"
    home.mkdir(parents=True)
    (home / "notes.txt").write_text("mine\n", encoding="utf-8")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = home if target == "home" else home.parent
    run = run_cli(["plan", "--out", str(out), "--force"], cwd, env={"HOME": str(home)})
    failed_cleanly(run, "home folder")
    assert (home / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_a_failed_plan_leaves_the_earlier_folder_as_it_was(workdir: Path) -> None:
    good = run_cli(["plan", "flat.toml", "--out", "kept"], workdir)
    assert good.returncode == 0, good.stderr
    before = {p.name: p.read_bytes() for p in (workdir / "kept").iterdir()}
    text = replaced(
        embedded_text("astana"), ("daily_boardings = 90000", "daily_boardings = 9000000")
    )
    (workdir / "heavy.toml").write_text(text, encoding="utf-8")
    failed_cleanly(run_cli(["plan", "heavy.toml", "--out", "kept"], workdir), "error:")
    assert {p.name: p.read_bytes() for p in (workdir / "kept").iterdir()} == before


def test_import_refuses_to_overwrite_a_scenario(runs: dict[str, Any], workdir: Path) -> None:
    failed_cleanly(runs["import_existing"], "hand-edited.toml", "--force")
    assert (workdir / "hand-edited.toml").read_text(encoding="utf-8") == "# my own work\n"


def test_import_force_overwrites(workdir: Path) -> None:
    target = workdir / "replace-me.toml"
    target.write_text("# old\n", encoding="utf-8")
    run = run_cli(
        ["import-gtfs", str(FEED), "--route", "200", "--out", target.name, "--force"], workdir
    )
    assert run.returncode == 0, run.stderr
    assert "[line]" in target.read_text(encoding="utf-8")


# --------------------------------------------------------------------- output paths, no traceback
@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("plan_under_file", "a_file"),
        ("plan_in_proc", "/proc/lrtsim-test"),
        ("plot_in_proc", "/proc/lrtsim-test"),
        ("plot_under_file", "a_file"),
        ("import_in_proc", "/proc/x"),
    ],
)
def test_unwritable_outputs_exit_2_with_the_path(
    runs: dict[str, Any], case: str, needle: str
) -> None:
    failed_cleanly(runs[case], "cannot write", needle)


def test_missing_parent_folders_are_created(runs: dict[str, Any], workdir: Path) -> None:
    assert runs["plot_svg"].returncode == 0, runs["plot_svg"].stderr
    assert (workdir / "plots").is_dir()


def test_a_folder_as_feed_is_named_as_such(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["import_folder_feed"], "feed_folder.zip", "folder")


def test_an_unreadable_feed_is_cannot_read(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["import_unreadable_feed"], "cannot read", "/proc/self/mem")
    assert "not a zip" not in runs["import_unreadable_feed"].stderr


# ------------------------------------------------------------------------------------ plot formats
@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".jpg"])
def test_plots_are_written_in_the_format_asked(
    runs: dict[str, Any], workdir: Path, suffix: str
) -> None:
    run = runs[f"plot_{suffix[1:]}"]
    assert run.returncode == 0, run.stderr
    data = (workdir / "plots" / f"headway{suffix}").read_bytes()
    assert data.startswith(MAGIC[suffix]), data[:16]
    assert not data.startswith(PNG)


def test_an_unknown_plot_format_is_refused_before_any_work(
    runs: dict[str, Any], workdir: Path
) -> None:
    failed_cleanly(runs["plot_unknown"], "'.xyz'", ".png", ".svg")
    assert not (workdir / "headway.xyz").exists()


# ------------------------------------------------------------------------- options and flags
@pytest.mark.parametrize("case", ["load_nan", "allowance_inf", "dwell_nan", "occupancy_inf"])
def test_nan_and_infinity_options_are_refused(runs: dict[str, Any], case: str) -> None:
    failed_cleanly(runs[case], "finite")


def test_json_is_a_flag_not_a_value(runs: dict[str, Any]) -> None:
    failed_cleanly(runs["json_true"])
    for case in ("help_runtime", "help_capacity", "help_plan", "help_import", "help_simulate"):
        text = runs[case].stdout
        assert runs[case].returncode == 0
        assert "<bool>" not in text
        assert re.search(r"^\s+--json\s+Print", text, re.M), text


def test_help_names_arguments_and_shows_defaults(runs: dict[str, Any]) -> None:
    assert "[SCENARIO]" in runs["help_runtime"].stdout
    assert "[ref]" not in runs["help_runtime"].stdout
    assert "FEED" in runs["help_import"].stdout
    assert "{file}" not in runs["help_import"].stdout
    assert "default: astana" in runs["help_runtime"].stdout
    plan_help = " ".join(runs["help_plan"].stdout.split())
    capacity_help = " ".join(runs["help_capacity"].stdout.split())
    assert re.search(r"--out FOLDER .*\[default: \(plan-NAME", plan_help)
    assert re.search(r"--dwell-s .*\[default: \(as in the scenario\)", capacity_help)
    simulate_help = " ".join(runs["help_simulate"].stdout.split())
    assert re.search(r"--out FOLDER .*\[default: \(simulate-NAME", simulate_help)
    assert re.search(r"--seed N .*\[default: \(the scenario's seed\)", simulate_help)


def test_version(runs: dict[str, Any]) -> None:
    from importlib.metadata import version

    assert runs["version"].returncode == 0
    assert runs["version"].stdout.strip() == f"lrtsim {version('lrtsim')}"


def test_piped_output_is_not_wrapped(runs: dict[str, Any]) -> None:
    """The test runner sets COLUMNS=200; a station name longer than that stays on one line."""
    assert len(LONG_NAME) > 200
    run = runs["show_long"]
    assert run.returncode == 0, run.stderr
    assert any(LONG_NAME.strip() in line for line in run.stdout.splitlines())


def test_percentages_have_one_style(runs: dict[str, Any]) -> None:
    text = runs["capacity_table"].stdout + runs["plan_flat_table"].stdout
    assert re.search(r"\d %", text)
    assert not re.search(r"\d%", text), re.findall(r".{20}\d%.{5}", text)


# ----------------------------------------------------------------------------------- JSON style
def _keys(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (path, key) of every object inside `value`."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.append((path, k))
            found += _keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _keys(v, f"{path}[{i}]")
    return found


def _floats(value: Any, key: str = "") -> list[tuple[str, float]]:
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _floats(v, k)]
    if isinstance(value, list):
        return [item for v in value for item in _floats(v, key)]
    return [(key, value)] if isinstance(value, float) else []


PAYLOADS = {
    "runtime": "runtime",
    "capacity": "capacity",
    "plan": "plan",
    "import": "import-gtfs",
    "simulate": "simulate",
}
FRACTIONS = ("_share", "_ratio", "_factor")
"""Keys ending so are fractions, to 4 decimals (`lrtsim.io.json_style`)."""


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_json_keys_are_snake_case(runs: dict[str, Any], case: str) -> None:
    payload = one_json_object(runs[case])
    bad = [(p, k) for p, k in _keys(payload) if not SNAKE.match(k)]
    assert not bad, bad[:5]


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_json_follows_its_schema(runs: dict[str, Any], case: str) -> None:
    schema = json.loads((SCHEMAS / f"{PAYLOADS[case]}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(one_json_object(runs[case]), schema)


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_json_floats_have_at_most_their_precision(runs: dict[str, Any], case: str) -> None:
    for key, number in _floats(one_json_object(runs[case])):
        digits = 4 if key in {"share", "ratio", "load"} or key.endswith(FRACTIONS) else 3
        assert round(number, digits) == number, (key, number)


def test_json_segments_are_objects_and_enums_identifiers(runs: dict[str, Any]) -> None:
    cap = one_json_object(runs["capacity"])
    for item in cap["lines"] + cap["uic406"]["sections"]:
        assert {"from", "to"} <= set(item), item
        assert "–" not in item["from"] + item["to"]
    for t in cap["terminals"]:
        assert SNAKE.match(t["binding"])
        assert t["binding"] in t["occupation_s"]
    allowance = one_json_object(runs["runtime_allowance"])
    assert SNAKE.match(allowance["directions"][0]["driving"])


def test_the_same_value_has_the_same_precision_everywhere(runs: dict[str, Any]) -> None:
    cap = one_json_object(runs["capacity"])
    plan = one_json_object(runs["plan"])
    assert plan["line_min_headway_s"] == cap["line_min_headway_s"]
    assert isinstance(cap["passengers_per_hour_per_direction"], int)
    assert isinstance(plan["daily_boardings"], int)
    assert all(isinstance(p["max_load_pax"], int) for p in plan["periods"])


def test_plan_json_names_its_folder_and_the_feed(runs: dict[str, Any], workdir: Path) -> None:
    plan = one_json_object(runs["plan"])
    assert plan["out"] == "plan-json"
    assert plan["gtfs"] == {"written": True, "reason": None}
    on_disk = {p.name for p in (workdir / "plan-json").iterdir() if not p.name.startswith(".")}
    assert set(plan["files"]) == on_disk


def test_plan_without_coordinates_says_why_there_is_no_feed(runs: dict[str, Any]) -> None:
    flat = one_json_object(runs["plan_flat"])
    assert flat["gtfs"]["written"] is False
    assert "geometry" in flat["gtfs"]["reason"]
    assert "gtfs.zip" not in flat["files"]
    table = runs["plan_flat_table"]
    assert table.returncode == 0, table.stderr
    assert "No gtfs.zip" in table.stdout
    assert "geometry" in table.stdout
