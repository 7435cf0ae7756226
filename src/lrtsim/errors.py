"""Errors a user can cause: each carries a message a person can act on (the CLI exits with 2)."""

from __future__ import annotations

MAX_SHOWN = 30
"""Problems listed in a scenario error's message; all of them stay in `problems`."""


class LrtsimError(Exception):
    """Base of every error caused by user input rather than by a bug in lrtsim."""


class ScenarioError(LrtsimError):
    """A scenario that cannot be used: every problem found, each with its key path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        shown = self.problems[:MAX_SHOWN]
        lines = [f"{source}: {count} {noun}"] + [f"  {p}" for p in shown]
        if count > len(shown):
            lines.append(f"  … and {count - len(shown)} more")
        super().__init__("\n".join(lines))


class ArgumentError(LrtsimError):
    """An argument of a library call out of its range, named by its parameter: `argument` and
    `problem` let a caller (the CLI) name its own option for it instead."""

    def __init__(self, argument: str, problem: str) -> None:
        self.argument = argument
        self.problem = problem
        super().__init__(f"{argument} {problem}")


class PhysicsError(LrtsimError):
    """The train cannot do what the scenario asks (stalls on a gradient, allowance unreachable)."""


class GridTooLargeError(LrtsimError):
    """A position grid that would not fit in memory: the line too long for the step asked."""
