"""A validation problem (``file:row:column: what``) and the error that carries a list of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: At most this many problems per table from frictionless; more are counted as not shown.
ERROR_LIMIT = 1000


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, located by file, row (line of the file) and column."""

    file: str
    row: int | str
    column: str
    message: str

    def __str__(self) -> str:
        return printable(f"{self.file}:{self.row}:{self.column}: {self.message}")


def printable(text: str) -> str:
    """Text with control characters escaped (a cell or a column name holding a terminal escape
    sequence must not recolour or rewrite the terminal it is printed to)."""
    return "".join(c if c.isprintable() or c == "\t" else c.encode("unicode_escape").decode("ascii") for c in text)


class DataValidationError(ValueError):
    """Raised when a data folder does not satisfy its data dictionary."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:MAX_SHOWN])
        more = f"\n... and {len(problems) - MAX_SHOWN} more problem(s) not shown" if len(problems) > MAX_SHOWN else ""
        super().__init__(f"{len(problems)} data problem(s):\n{lines}{more}")


#: Problems shown in a message; the rest are counted ("... and N more not shown").
MAX_SHOWN = 100


def file_label(data_dir: Path, relative: str) -> str:
    """How a file is named in problems: the data folder's name and the path inside it."""
    return str(Path(data_dir.name) / relative)


def os_reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower() if isinstance(err, OSError) else str(err)
