"""What every command shares: the application, the consoles, errors, loading, JSON output."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperArgument

from lrtsim.errors import LrtsimError

if TYPE_CHECKING:
    from lrtsim.model.schema import Scenario

T = TypeVar("T")


def _usage_name(self: TyperArgument) -> str:
    """A required argument as `FEED` in usage lines (typer writes `{FEED}`), an optional one as
    `[SCENARIO]`, as click and the docs write them."""
    name = str(self.display_name_raw)
    shown = name if self.required else f"[{name}]"
    return shown + ("..." if self.nargs != 1 else "")


if hasattr(TyperArgument, "_usage_display_name"):
    TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]

app = typer.Typer(
    help="lrtsim: plan, simulate and publish the service of a light-rail line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"show_default": True, "help_option_names": ["-h", "--help"]},
)

PIPE_WIDTH = 10_000
"""Console width when output goes to a pipe or a file: lines are never wrapped there."""

out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True, highlight=False)

ScenarioArg = Annotated[
    str,
    typer.Argument(
        metavar="SCENARIO",
        help="An embedded scenario name (astana) or a path to a scenario TOML file.",
        show_default=True,
    ),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout instead of tables.")
]
ForceFlag = Annotated[
    bool,
    typer.Option("--force", help="Replace FOLDER even if it holds files lrtsim did not write."),
]
"""`--force` of the commands that write a folder as a whole."""


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version  # 15 ms: only here

        try:
            number = version("lrtsim")
        except PackageNotFoundError:  # running from a source tree that was never installed
            number = "unknown"
        sys.stdout.write(f"lrtsim {number}\n")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """lrtsim: plan, simulate and publish the service of a light-rail line."""


def fail(exc: LrtsimError) -> NoReturn:
    """Print a user error as one clear message on stderr and exit with code 2."""
    err.print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True)
    raise typer.Exit(code=2)


def within(low: float, high: float) -> Callable[[float | None], float | None]:
    """Option callback: a finite number in [low, high]; NaN is named as NaN, not as out of range."""

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value):
            raise typer.BadParameter(f"{value} is not allowed: must be a finite number")
        if not low <= value <= high:
            raise typer.BadParameter(f"{value:g} is not allowed: must be from {low:g} to {high:g}")
        return value

    return check


def load(ref: str) -> Scenario:
    """The scenario `ref` names, or exit 2 with every problem it has."""
    from lrtsim.model.load import load_scenario

    try:
        return load_scenario(ref)
    except LrtsimError as exc:
        fail(exc)


def compute(message: str, quiet: bool, work: Callable[[], T]) -> T:
    """Run `work` behind a spinner on stderr (none when `quiet`); a user error exits 2."""
    try:
        if quiet:
            return work()
        with err.status(message):
            return work()
    except LrtsimError as exc:
        fail(exc)


def emit_json(payload: dict[str, Any]) -> None:
    """Write one JSON object (in lrtsim's one JSON style) on stdout."""
    from lrtsim.io.json_style import dumps

    sys.stdout.write(dumps(payload) + "\n")


def pct(share: float, digits: int = 0) -> str:
    """A share as a percentage with a space before the sign: '29 %'."""
    return f"{share * 100:.{digits}f} %"


def minutes(seconds: float) -> str:
    """'23 min 03.1 s'."""
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"
