"""What a run is asked to do and what came of it, and the errors that stop one (exit statuses 2, 3, 130/143)."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import NotebookFailure

#: Below this much free space beside the output folder a run is refused up front.
MIN_FREE_BYTES = 32 * 1024 * 1024
#: Files a batch folder holds besides its runs' folders.
BATCH_FILES = ("summary.csv", "summary_long.csv", "runs.csv")


class PlanError(ValueError):
    """A run that may not start as asked: every problem, nothing run or written (exit status 2)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class OutputBusy(RuntimeError):
    """Another live run is writing the output folder (exit status 3)."""


class Interrupted(Exception):
    """The run was stopped by a signal; kernels and staging folders are gone."""

    def __init__(self, signum: int, published: list[str]):
        self.signum, self.published = signum, published
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


@dataclass
class RunSpec:
    """What one run is asked to do: its data, its output folder and its parameters."""

    name: str | None  # None for reproduce
    data_dir: Path
    output_dir: Path
    parameters: dict = field(default_factory=dict)
    steps: tuple = ()  # callables step(staging) run after the notebooks, e.g. the HTML report

    @property
    def label(self) -> str:
        return "reproduce" if self.name is None else f"run {self.name!r}"


@dataclass
class RunOutcome:
    name: str | None
    output_dir: Path
    completed: bool
    failures: list[NotebookFailure] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    failed_dir: Path | None = None
    error: str | None = None  # a failure outside the notebooks (publishing, a full disk)


def failed_dir(output_dir: Path) -> Path:
    """Where a failed run's notebooks and manifest are kept: ``OUTPUT.failed/`` beside the output folder."""
    return output_dir.parent / f"{output_dir.name}.failed"
