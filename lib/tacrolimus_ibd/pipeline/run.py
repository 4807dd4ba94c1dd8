"""``reproduce``: a batch of one run through the engine."""

from __future__ import annotations

from pathlib import Path

from .common import DEFAULT_CELL_TIMEOUT, RunResult, default_jobs, discover_notebooks


def reproduce(
    *,
    project_dir: str | Path = ".",
    data_dir: str | Path = "data",
    output_dir: str | Path = "outputs",
    notebooks_dir: str | Path = "notebooks",
    parameters: dict | None = None,
    jobs: int | None = None,
    progress: bool = True,
    extra_steps: tuple = (),
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    fresh_kernels: bool = False,
) -> RunResult:
    """Validate data, check parameters and the output folder, run every notebook, and publish
    the outputs only if all succeeded (the ``engine`` package).

    Raises DataValidationError (invalid data), engine.PlanError (a mistyped or undeclared
    parameter, an output folder that may not be written) or engine.OutputBusy (another run is
    writing it) before anything is written. ``extra_steps`` are callables ``step(staging_dir)``
    run after the notebooks (e.g. the HTML report), inside the staging folder so their files
    are covered by the manifest. Kernels are forked from a server that imports the notebooks'
    modules once, started once the run holds its output folder (``preload``);
    ``fresh_kernels=True`` starts each kernel as a new process instead.
    """
    from .. import engine

    project_dir = Path(project_dir).resolve()
    notebooks = discover_notebooks(project_dir / notebooks_dir)
    run = engine.RunSpec(
        name=None,
        data_dir=(project_dir / data_dir).resolve(),
        output_dir=(project_dir / output_dir).resolve(),
        parameters=dict(parameters or {}),
        steps=tuple(extra_steps),
    )
    the_plan = engine.plan([run], notebooks, project_dir=project_dir, lock_dir=run.output_dir)
    [outcome], seconds = engine.execute_plan(
        the_plan,
        jobs=jobs or default_jobs(),
        progress=progress,
        cell_timeout=cell_timeout,
        fresh_kernels=fresh_kernels,
    )
    failures = outcome.failures
    return RunResult(
        outcome.output_dir,
        [nb.name for nb in notebooks],
        outcome.completed,
        failures[0] if failures else None,
        seconds,
        outcome.outputs,
        outcome.failed_dir,
        outcome.error,
    )
