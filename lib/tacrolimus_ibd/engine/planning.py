"""Planning: every check before anything runs or is written (data, parameters, output folders)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import pipeline
from .folders import inside, is_own_working_file, protection_problem, publish_problem, space_problem
from .runs import PlanError, RunOutcome, RunSpec, failed_dir


@dataclass
class PlannedRun:
    spec: RunSpec
    notebook_parameters: dict[str, dict]
    manifest: dict = field(default_factory=dict)
    staging: Path | None = None
    paths: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    pending: int = 0
    outcome: RunOutcome | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Plan:
    runs: list[PlannedRun]
    notebooks: list[Path]
    project_dir: Path
    lock_dir: Path


def plan(
    specs: list[RunSpec], notebooks: list[Path], *, project_dir: Path, lock_dir: Path, batch_root: Path | None = None
) -> Plan:
    """Check everything a run needs before anything is written; raise DataValidationError
    (reproduce's data), or PlanError listing every problem."""
    from ..data import DataValidationError, validate_data_dir_cached

    project_dir = Path(project_dir).resolve()
    notebooks_dir = notebooks[0].parent.resolve()
    # Reading the parameters cells costs about 0.1 s a notebook: only when a run sets parameters.
    declared = (
        pipeline.declared_parameters(notebooks)
        if any(spec.parameters for spec in specs)
        else {nb.name: {} for nb in notebooks}
    )
    problems: list[str] = []
    data_problems: dict[Path, list] = {}
    for spec in specs:
        if spec.data_dir not in data_problems:
            data_problems[spec.data_dir] = validate_data_dir_cached(spec.data_dir)
        if data_problems[spec.data_dir]:
            if spec.name is None:
                raise DataValidationError(data_problems[spec.data_dir])
            shown = (
                pipeline.relative_path(spec.data_dir, project_dir)
                if inside(spec.data_dir, project_dir)
                else str(spec.data_dir)
            )
            problems += [f"{spec.label}: data_dir {shown}: {p}" for p in data_problems[spec.data_dir]]
        problems += pipeline.parameter_problems(spec.label, spec.parameters, declared)
    data_dirs = sorted({spec.data_dir for spec in specs})
    folders = ([batch_root] if batch_root is not None else []) + [spec.output_dir for spec in specs]
    for folder in folders:
        problem = protection_problem(folder, project_dir=project_dir, data_dirs=data_dirs, notebooks_dir=notebooks_dir)
        if folder.exists() and not folder.is_dir():
            problem = f"{folder} exists and is not a folder; name a folder (absent, empty, or a previous run's)"
        if problem:
            problems.append(f"output folder refused: {problem}")
    if batch_root is not None and not problems:
        problems += [f"output folder refused: {p}" for p in [batch_root_problem(batch_root)] if p]
    if not problems:
        for spec in specs:
            for folder in (spec.output_dir, failed_dir(spec.output_dir)):
                problem = publish_problem(folder)
                if problem:
                    problems.append(f"{spec.label}: output folder refused: {problem}")
        problem = space_problem(lock_dir)
        if problem:
            problems.append(problem)
    if problems:
        raise PlanError(problems)

    cwd = notebooks_dir
    runs = []
    for spec in specs:
        data_rel = pipeline.relative_path(spec.data_dir, cwd)
        runs.append(
            PlannedRun(
                spec,
                {
                    nb: {"data_dir": data_rel, **{k: v for k, v in spec.parameters.items() if k in declared[nb]}}
                    for nb in declared
                },
            )
        )
    return Plan(runs, notebooks, project_dir, lock_dir)


def batch_root_problem(root: Path) -> str | None:
    """A batch folder must be absent, empty, or a previous batch's (it holds runs.csv)."""
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        return f"{root} exists and is not a folder"
    if not root.exists() or not any(p for p in root.iterdir() if not is_own_working_file(p.name)):
        return None
    if (root / "runs.csv").is_file():
        return None
    return f"{root} is not empty and is not a batch folder (it holds no runs.csv): name an empty or new folder"
