"""What every step of a run shares: file names, a notebook's failure, a run's result, the notebooks to run."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

KERNEL_NAME = "python3"
MANIFEST = "manifest.json"
#: Where ``python -m tacrolimus_ibd batch`` writes its runs, inside the output folder.
BATCH_DIR = "batch"
#: A generous default per-cell time limit (seconds); the slowest cell of the suite takes a few.
DEFAULT_CELL_TIMEOUT = 600
#: Papermill and nbclient record these per run; they would make every rerun differ.
VOLATILE_CELL_KEYS = ("execution", "papermill")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text: str, stream=None) -> str:
    """``text`` without terminal colour codes, unless ``stream`` is a terminal."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return text if isatty is not None and isatty() else _ANSI.sub("", text)


@dataclass
class NotebookFailure(Exception):
    """A notebook that failed: which one, which cell, and what."""

    notebook: str
    cell_number: int | None  # 1-based position in the source notebook, as a reader counts
    execution_count: int | None
    error: str
    kept_at: str | None = None

    def __str__(self) -> str:
        where = f"cell {self.cell_number}" if self.cell_number is not None else "before any cell ran"
        if self.execution_count is not None:
            where += f" (execution count [{self.execution_count}])"
        verb = "" if self.error.startswith(("the kernel", "timed out", "no space", "cannot write")) else "raised "
        kept = f"; the failed notebook is kept at {self.kept_at}" if self.kept_at else ""
        return plain(f"{self.notebook}: {where} {verb}{self.error}{kept}")


@dataclass
class RunResult:
    """What a reproduce run did."""

    output_dir: Path
    notebooks: list[str]
    completed: bool
    failure: NotebookFailure | None = None
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)
    failed_dir: Path | None = None
    error: str | None = None  # a failure outside the notebooks (publishing, a full disk)


def default_jobs() -> int:
    """Notebooks run at once: one more than the cores, since a kernel's start-up waits on
    handshakes while the other kernels compute (measured: benchmarks/bench_reproduce.py)."""
    return (os.cpu_count() or 1) + 1


def discover_notebooks(notebooks_dir: str | Path) -> list[Path]:
    """The numbered notebooks NN_*.ipynb of a folder, in order."""
    found = sorted(Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no numbered notebooks (NN_name.ipynb) in {notebooks_dir}")
    return found


def relative_path(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, with forward slashes (as the notebooks receive it)."""
    return Path(os.path.relpath(Path(path).resolve(), Path(start).resolve())).as_posix()
