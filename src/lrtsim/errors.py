"""Errors a user can cause: each carries a message a person can act on (the CLI exits with 2)."""

from __future__ import annotations


class LrtsimError(Exception):
    """Base of every error caused by user input rather than by a bug in lrtsim."""


class ScenarioError(LrtsimError):
    """A scenario that cannot be used: every problem found, each with its key path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{source}: {count} {noun}"] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class PhysicsError(LrtsimError):
    """The train cannot do what the scenario asks (stalls on a gradient, allowance unreachable)."""
