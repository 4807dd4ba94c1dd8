"""Batch reproduction: the notebook suite once per parameter set, results compared side by side.

A batch file (YAML) names the runs and, for each, the notebook parameters it changes and
optionally another data folder (``data_dir``, e.g. another centre's cohort)::

    runs:
      default: {}
      per_protocol:
        denominator: per_protocol
      other_centre:
        data_dir: examples/synthetic_cohort

Before anything runs, every parameter must be declared by at least one notebook's
``parameters`` cell (papermill.inspect_notebook) and every data folder must pass validation;
otherwise nothing is run and every problem is reported. Each notebook receives only the
parameters its own parameters cell declares (papermill would warn about the others).

All runs x notebooks share one thread pool (papermill kernels are separate processes). Each run
is staged and published like ``reproduce`` (``outputs/batch/<run>/`` with its own manifest, or
only the failed notebooks). The headline results each notebook saves
(``key_results/<notebook>.json``) are then compared across runs in ``summary.csv`` (one row per
result, one column per run) and ``summary_long.csv`` (tidy: run, notebook, key, value).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import pipeline
from .data import validate_data_dir_cached

#: Parameters the batch itself sets for every notebook; a batch file may set data_dir only.
RESERVED = ("output_dir",)
_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SCALARS = (str, int, float, bool, type(None))


class BatchError(ValueError):
    """A batch file that cannot run as written: every problem, none run."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class RunSpec:
    """One run of a batch file: its name, data folder and notebook parameters."""

    name: str
    data_dir: str
    parameters: dict = field(default_factory=dict)


@dataclass
class RunOutcome:
    name: str
    output_dir: Path
    completed: bool
    failures: list[pipeline.NotebookFailure] = field(default_factory=list)


@dataclass
class BatchResult:
    output_dir: Path
    runs: list[RunOutcome]
    summary: Path
    seconds: float

    @property
    def completed(self) -> bool:
        return all(run.completed for run in self.runs)


def load_batch_file(path: str | Path) -> list[RunSpec]:
    """Parse a batch file; raise BatchError listing every problem of its structure."""
    import yaml

    path = Path(path)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise BatchError([f"{path}: cannot read: {err.strerror}"]) from None
    except yaml.YAMLError as err:
        raise BatchError([f"{path}: not valid YAML: {err}"]) from None
    if not isinstance(content, dict) or not isinstance(content.get("runs"), dict) or not content["runs"]:
        raise BatchError([f"{path}: expected a mapping with a non-empty 'runs:' mapping of run name to parameters"])
    problems = [f"{path}: unknown top-level key {key!r} (only 'runs')" for key in content if key != "runs"]
    specs = []
    for name, params in content["runs"].items():
        where = f"{path}: run {name!r}"
        if not isinstance(name, str) or not _RUN_NAME.match(name):
            problems.append(f"{where}: a run name must be letters, digits, '_', '-' or '.' (it names a folder)")
            continue
        params = {} if params is None else params
        if not isinstance(params, dict):
            problems.append(f"{where}: expected a mapping of parameter to value, got {type(params).__name__}")
            continue
        for key, value in params.items():
            if key in RESERVED:
                problems.append(f"{where}: {key!r} is set by the batch (outputs/batch/<run>/), not by the batch file")
            elif not (isinstance(value, _SCALARS) or (isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value))):
                problems.append(f"{where}: parameter {key!r} must be a number, text, true/false or a list of them")
        data_dir = params.get("data_dir", "data")
        if not isinstance(data_dir, str):
            problems.append(f"{where}: data_dir must be a folder path")
            continue
        specs.append(RunSpec(name, data_dir, {k: v for k, v in params.items() if k != "data_dir" and k not in RESERVED}))
    if problems:
        raise BatchError(problems)
    return specs


def declared_parameters(notebooks: list[Path]) -> dict[str, set[str]]:
    """The parameters each notebook's ``parameters`` cell declares, by notebook file name."""
    import papermill

    return {nb.name: set(papermill.inspect_notebook(str(nb))) for nb in notebooks}


def check_runs(specs: list[RunSpec], declared: dict[str, set[str]], *, project_dir: Path) -> list[str]:
    """Problems that would make a run fail or mislead: undeclared parameters, invalid data."""
    problems = []
    known = set().union(*declared.values()) if declared else set()
    for spec in specs:
        for key in sorted(spec.parameters):
            if key not in known:
                problems.append(
                    f"run {spec.name!r}: parameter {key!r} is declared by no notebook's parameters cell "
                    f"(declared: {', '.join(sorted(known - set(RESERVED) - {'data_dir'})) or 'none besides data_dir'})"
                )
    checked: dict[Path, list] = {}
    for spec in specs:
        folder = (project_dir / spec.data_dir).resolve()
        if folder not in checked:
            checked[folder] = validate_data_dir_cached(folder)
        for problem in checked[folder]:
            problems.append(f"run {spec.name!r}: data_dir {spec.data_dir}: {problem}")
    return problems


def key_results(run_dir: Path) -> dict[str, dict]:
    """``key_results/<notebook>.json`` of one run, by notebook name."""
    folder = run_dir / "key_results"
    if not folder.is_dir():
        return {}
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def summarise(run_dirs: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Key results across runs: (tidy long table, wide table of notebook x key by run)."""
    rows = [
        {"run": run, "notebook": notebook, "key": key, "value": value}
        for run, folder in run_dirs.items()
        for notebook, results in key_results(folder).items()
        for key, value in sorted(results.items())
    ]
    long = pd.DataFrame(rows, columns=["run", "notebook", "key", "value"])
    if long.empty:
        wide = pd.DataFrame(columns=["notebook", "key", *run_dirs])
    else:
        wide = long.pivot(index=["notebook", "key"], columns="run", values="value").reindex(columns=list(run_dirs)).reset_index()
        wide.columns.name = None
        wide = wide.sort_values(["notebook", "key"], kind="stable").reset_index(drop=True)
    return long, wide


def run_batch(
    batch_file: str | Path,
    *,
    project_dir: str | Path = ".",
    output_dir: str | Path = Path("outputs") / pipeline.BATCH_DIR,
    notebooks_dir: str | Path = "notebooks",
    jobs: int | None = None,
    progress: bool = True,
    site: bool = False,
) -> BatchResult:
    """Run every notebook once per run of ``batch_file`` into ``output_dir/<run>/``; compare.

    Raises BatchError before anything is written when a parameter is declared by no notebook
    or a data folder is invalid. Relative ``data_dir`` paths are relative to ``project_dir``.
    """
    started = time.monotonic()
    project_dir = Path(project_dir).resolve()
    output_root = (project_dir / output_dir).resolve()
    specs = load_batch_file(batch_file)
    notebooks = pipeline.discover_notebooks(project_dir / notebooks_dir)
    declared = declared_parameters(notebooks)
    problems = check_runs(specs, declared, project_dir=project_dir)
    if problems:
        raise BatchError(problems)

    cwd = notebooks[0].parent
    provenance = pipeline.provenance(project_dir)
    start_time = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    output_root.mkdir(parents=True, exist_ok=True)
    plans = {}
    for spec in specs:
        data_dir = (project_dir / spec.data_dir).resolve()
        final, staging = output_root / spec.name, output_root / f".{spec.name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        staged_rel, final_rel = pipeline._relative(staging, cwd), pipeline._relative(final, cwd)
        data_rel = pipeline._relative(data_dir, cwd)
        plans[spec.name] = {
            "spec": spec,
            "data_dir": data_dir,
            "final": final,
            "staging": staging,
            "paths": {staged_rel: final_rel},
            "parameters": {nb.name: {"data_dir": data_rel, "output_dir": staged_rel, **{k: v for k, v in spec.parameters.items() if k in declared[nb.name]}} for nb in notebooks},
            "manifest": {
                "started": start_time,
                "batch_run": spec.name,
                "parameters": {"data_dir": data_rel, "output_dir": final_rel, **spec.parameters},
                "notebooks": [nb.name for nb in notebooks],
                "data_files": pipeline._files_with_hashes(data_dir, data_dir.parent),
                **provenance,
            },
            "pending": len(notebooks),
            "failures": [],
        }

    outcomes: dict[str, RunOutcome] = {}
    pipeline._kernel_environment()
    with pipeline.progress_bar(len(specs) * len(notebooks), progress, desc="batch") as bar, concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs or pipeline.default_jobs())) as pool:
        futures = {
            pool.submit(
                pipeline.execute_notebook, nb, plan["staging"] / "notebooks" / nb.name, plan["parameters"][nb.name], cwd=cwd, paths=plan["paths"]
            ): (name, nb)
            for nb in notebooks  # notebooks outer: every run makes progress from the start
            for name, plan in plans.items()
        }
        for future in concurrent.futures.as_completed(futures):
            name, nb = futures[future]
            plan = plans[name]
            try:
                future.result()
            except pipeline.NotebookFailure as failure:
                plan["failures"].append(failure)
            plan["pending"] -= 1
            if bar is not None:
                bar.set_postfix_str(f"{name}/{nb.stem}", refresh=False)
                bar.update(1)
            if plan["pending"] == 0:  # the run is complete: publish it (or keep its failures)
                failures = sorted(plan["failures"], key=lambda f: f.notebook)
                steps = (_site_step(plan["data_dir"]),) if site else ()
                completed, _ = pipeline.finish_run(plan["staging"], plan["final"], failures, plan["manifest"], project_dir=project_dir, extra_steps=steps)
                outcomes[name] = RunOutcome(name, plan["final"], completed, failures)

    runs = [outcomes[spec.name] for spec in specs]
    long, wide = summarise({run.name: run.output_dir for run in runs if run.completed})
    summary = output_root / "summary.csv"
    wide.to_csv(summary, index=False, lineterminator="\n", encoding="utf-8")
    long.to_csv(output_root / "summary_long.csv", index=False, lineterminator="\n", encoding="utf-8")
    pd.DataFrame(
        [
            {
                "run": run.name,
                "completed": run.completed,
                "data_dir": plans[run.name]["spec"].data_dir,
                "parameters": json.dumps(plans[run.name]["spec"].parameters, sort_keys=True),
                "failure": "; ".join(str(f) for f in run.failures),
            }
            for run in runs
        ]
    ).to_csv(output_root / "runs.csv", index=False, lineterminator="\n", encoding="utf-8")
    return BatchResult(output_root, runs, summary, time.monotonic() - started)


def _site_step(data_dir: Path):
    from .report import site_step

    return site_step(data_dir)
