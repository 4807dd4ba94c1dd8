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

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import engine, pipeline
from .pipeline import RESERVED

_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SCALARS = (str, int, float, bool, type(None))
#: Names a run may not take: the batch folder's own files, and the folders kept beside a run.
_RESERVED_NAMES = set(engine.BATCH_FILES)


class BatchError(engine.PlanError):
    """A batch file that cannot run as written: every problem, none run."""


@dataclass
class RunSpec:
    """One run of a batch file: its name, data folder and notebook parameters."""

    name: str
    data_dir: str
    parameters: dict = field(default_factory=dict)


@dataclass
class BatchResult:
    output_dir: Path
    runs: list[engine.RunOutcome]
    summary: Path
    seconds: float

    @property
    def completed(self) -> bool:
        return all(run.completed for run in self.runs)


def _unique_key_loader():
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """A YAML loader that refuses a mapping with the same key twice (PyYAML keeps the last)."""

        def construct_mapping(self, node, deep=False):
            seen = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r} (first on line {seen[key] + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def load_batch_file(path: str | Path) -> list[RunSpec]:
    """Parse a batch file; raise BatchError listing every problem of its structure."""
    import yaml

    path = Path(path)
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=_unique_key_loader())
    except OSError as err:
        raise BatchError([f"{path}: cannot read: {err.strerror}"]) from None
    except UnicodeDecodeError:
        raise BatchError([f"{path}: not a UTF-8 text file (a batch file is YAML)"]) from None
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
        if name in _RESERVED_NAMES or name.endswith(".failed") or name.endswith(".lock"):
            problems.append(
                f"{where}: the name is taken by the batch folder's own files ({', '.join(sorted(_RESERVED_NAMES))}, NAME.failed)"
            )
            continue
        params = {} if params is None else params
        if not isinstance(params, dict):
            problems.append(f"{where}: expected a mapping of parameter to value, got {type(params).__name__}")
            continue
        for key, value in params.items():
            if key in RESERVED:
                problems.append(f"{where}: {key!r} is set by the batch (outputs/batch/<run>/), not by the batch file")
            elif not (
                isinstance(value, _SCALARS) or (isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value))
            ):
                problems.append(f"{where}: parameter {key!r} must be a number, text, true/false or a list of them")
        data_dir = params.get("data_dir", "data")
        if not isinstance(data_dir, str):
            problems.append(f"{where}: data_dir must be a folder path")
            continue
        specs.append(
            RunSpec(name, data_dir, {k: v for k, v in params.items() if k != "data_dir" and k not in RESERVED})
        )
    if problems:
        raise BatchError(problems)
    return specs


def declared_parameters(notebooks: list[Path]) -> dict[str, set[str]]:
    """The parameters each notebook's ``parameters`` cell declares, by notebook file name."""
    return {nb: set(params) for nb, params in pipeline.declared_parameters(notebooks).items()}


def check_runs(specs: list[RunSpec], declared, *, project_dir: Path) -> list[str]:
    """Problems that would make a run fail or mislead: undeclared or mistyped parameters, invalid data."""
    from .data import validate_data_dir_cached

    typed = declared if all(isinstance(v, dict) for v in declared.values()) else None
    problems = []
    for spec in specs:
        if typed is not None:
            problems += pipeline.parameter_problems(f"run {spec.name!r}", spec.parameters, typed)
        else:
            known = set().union(*declared.values())
            problems += [
                f"run {spec.name!r}: parameter {k!r} is declared by no notebook's parameters cell"
                for k in sorted(spec.parameters)
                if k not in known
            ]
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
        wide = (
            long.pivot(index=["notebook", "key"], columns="run", values="value")
            .reindex(columns=list(run_dirs))
            .reset_index()
        )
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
    cell_timeout: float | None = pipeline.DEFAULT_CELL_TIMEOUT,
    fresh_kernels: bool = False,
) -> BatchResult:
    """Run every notebook once per run of ``batch_file`` into ``output_dir/<run>/``; compare.

    Raises BatchError before anything is written when a parameter is undeclared or mistyped, a
    data folder is invalid or an output folder may not be written; engine.OutputBusy when another
    run writes the batch folder; engine.Interrupted after SIGINT/SIGTERM (finished runs stay
    published). Relative ``data_dir`` paths are relative to ``project_dir``. Kernels are forked from
    a server that imports the notebooks' modules once (``pipeline.preload``) unless ``fresh_kernels``.
    """
    started = time.monotonic()
    project_dir = Path(project_dir).resolve()
    output_root = (project_dir / output_dir).resolve()
    specs = load_batch_file(batch_file)
    notebooks = pipeline.discover_notebooks(project_dir / notebooks_dir)
    runs = []
    for spec in specs:
        data_dir = (project_dir / spec.data_dir).resolve()
        steps = (_site_step(data_dir),) if site else ()
        runs.append(engine.RunSpec(spec.name, data_dir, output_root / spec.name, spec.parameters, steps))
    try:
        the_plan = engine.plan(runs, notebooks, project_dir=project_dir, lock_dir=output_root, batch_root=output_root)
    except engine.PlanError as err:
        raise BatchError(err.problems) from None
    outcomes, _ = engine.execute_plan(
        the_plan,
        jobs=jobs or pipeline.default_jobs(),
        progress=progress,
        cell_timeout=cell_timeout,
        fresh_kernels=fresh_kernels,
    )

    long, wide = summarise({run.name: run.output_dir for run in outcomes if run.completed})
    summary = output_root / "summary.csv"
    wide.to_csv(summary, index=False, lineterminator="\n", encoding="utf-8")
    long.to_csv(output_root / "summary_long.csv", index=False, lineterminator="\n", encoding="utf-8")
    by_name = {spec.name: spec for spec in specs}
    pd.DataFrame(
        [
            {
                "run": run.name,
                "completed": run.completed,
                "data_dir": by_name[run.name].data_dir,
                "parameters": json.dumps(by_name[run.name].parameters, sort_keys=True),
                "failure": "; ".join([str(f) for f in run.failures] + ([run.error] if run.error else [])),
            }
            for run in outcomes
        ],
        columns=["run", "completed", "data_dir", "parameters", "failure"],
    ).to_csv(output_root / "runs.csv", index=False, lineterminator="\n", encoding="utf-8")
    return BatchResult(output_root, outcomes, summary, time.monotonic() - started)


def _site_step(data_dir: Path):
    from .report import site_step

    return site_step(data_dir)
