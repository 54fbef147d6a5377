"""The exception tree. Every error names a file (and a line where there is one) and a fix.

The command line catches NewsdigestError once, prints every problem and exits non-zero; it, `check`
and the preview server's terminal all print a list of problems with format_problems().
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path | str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return self.display()

    def display(self, relative_to: Path | None = None) -> str:
        """"path:line: message", the path shortened when it lies below `relative_to`."""
        if self.path is None:
            return self.message
        if isinstance(self.path, str) and "://" in self.path:
            return f"{self.path}: {self.message}"  # a URL: Path() would fold its "//"
        path = Path(self.path)
        if relative_to is not None and path.is_absolute() and path.is_relative_to(relative_to):
            path = path.relative_to(relative_to)
        where = str(path) if self.line is None else f"{path}:{self.line}"
        return f"{where}: {self.message}"


def format_problems(problems: Sequence[Problem | str], relative_to: Path | None = None,
                    found_in: str | None = None) -> list[str]:
    """The lines that report a list of problems: a heading, then each problem indented by two spaces
    (a Problem shown with its path below `relative_to` shortened, a string as it is). The heading is
    "error:" for one problem and "error: N problems found:" for more; with `found_in` it always
    counts: "error: 1 problem found in 12 pages (base URL ...):"."""
    count = len(problems)
    if found_in is not None:
        heading = f"error: {count} problem{'s' if count != 1 else ''} found {found_in}:"
    else:
        heading = f"error: {count} problems found:" if count > 1 else "error:"
    return [heading] + [f"  {p.display(relative_to) if isinstance(p, Problem) else p}" for p in problems]


class NewsdigestError(Exception):
    """Carries one or more problems; str() lists them all, one per line."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems if isinstance(problems, Problem) else Problem(None, problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # keeps the problems when an error crosses a process boundary
        return type(self), (self.problems,)


class ConfigError(NewsdigestError):
    """site.toml is missing, malformed or inconsistent."""


class ContentError(NewsdigestError):
    """A story file cannot be read or is invalid."""


class BuildError(NewsdigestError):
    """Planning or rendering the site failed (collisions, template errors, unsafe output folder)."""


class RegroupError(NewsdigestError):
    """`pair` or `unpair` refused (or could not finish) a move; nothing was changed."""
