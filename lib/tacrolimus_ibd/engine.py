"""The run engine behind ``reproduce`` and ``batch``: plan, execute, publish.

A reproduce is a batch of one run. For every run the engine

1. **plans** before anything is written: the data folder is valid, every parameter is declared
   by a notebook and has the declared type, and the output folder may be written: it is absent,
   empty, or holds a previous run's outputs (recognised by its ``manifest.json``, and holding no
   file that manifest does not list), and it is not, does not contain and does not lie inside
   the data folder, the notebooks, the home folder or the project (whose own ``outputs/`` is the
   one place inside the project a run may write);
2. **locks** the output folder (``.NAME.lock`` beside it, naming the process): a second run
   that would write the same folder, a folder inside it or around it, is refused at once
   (``OutputBusy``, exit status 3). A lock whose process is gone is taken over, and what its
   run left (staging folders, a half-finished swap) is cleaned up first;
3. **executes** the notebooks into a staging folder unique to the run (``.NAME.partial-XXXX``
   beside the output folder), run by run, in one pool of workers, with a per-cell time limit and a
   watch on every kernel (a kernel stopped for 5 s is killed, a dead one fails its notebook);
4. **publishes** a run whose notebooks all succeeded by swapping the staging folder in for the
   output folder (a tracked ``README.md`` and an inner ``batch/`` folder are carried over), and
   keeps a failed run apart in ``NAME.failed/`` (its failed notebooks and manifest), leaving the
   last complete outputs exactly as they were.

SIGINT (Ctrl-C) and SIGTERM kill every kernel, remove the staging folders of unpublished runs and
raise ``Interrupted`` (exit status 130 or 143); published outputs are not touched.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import pipeline
from .pipeline import BATCH_DIR, KERNELS, MANIFEST, NotebookFailure

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


# --- which folders may be written -------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return folder in path.parents


def protection_problem(
    output_dir: Path, *, project_dir: Path, data_dirs: list[Path], notebooks_dir: Path
) -> str | None:
    """Why ``output_dir`` may never be written, or None."""
    out = output_dir.resolve()
    protected = [
        ("the project folder", project_dir),
        ("the home folder", Path.home()),
        ("the notebooks folder", notebooks_dir),
    ]
    protected += [("the data folder", d) for d in data_dirs]
    protected += [("the file system root", Path(out.anchor))]
    for what, folder in protected:
        folder = folder.resolve()
        if out == folder:
            return f"{output_dir} is {what}"
        if _inside(folder, out):
            return f"{output_dir} contains {what} ({folder})"
    for what, folder in [("the notebooks folder", notebooks_dir), *(("the data folder", d) for d in data_dirs)]:
        if _inside(out, folder.resolve()):
            return f"{output_dir} lies inside {what} ({folder.resolve()})"
    outputs = (project_dir / "outputs").resolve()
    if _inside(out, project_dir.resolve()) and out != outputs and not _inside(out, outputs):
        return f"{output_dir} lies inside the project folder; inside it, runs write only to outputs/ and folders in it"
    return None


def _is_own_working_file(name: str) -> bool:
    return name.startswith(".") and (name.endswith(".lock") or ".partial-" in name or ".old-" in name)


def _carried_over(entry: Path) -> bool:
    """A folder inside an output folder that is not this run's to replace, and moves with it:
    ``batch/``, another run's published outputs or kept failure (it has a manifest), and the
    engine's own working folders."""
    return entry.is_dir() and (
        entry.name == BATCH_DIR or _is_own_working_file(entry.name) or (entry / MANIFEST).is_file()
    )


def foreign_files(folder: Path) -> list[str] | None:
    """Files in ``folder`` that no run wrote (None: the folder holds no run manifest)."""
    files = []
    for root, dirs, names in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if not _carried_over(folder / d)]
            names = [n for n in names if n not in ("README.md",) and not _is_own_working_file(n)]
        files += [(rel_root / n).as_posix() for n in names]
    if not files:
        return []
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        own = set(manifest["outputs"]) | {MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return sorted(f for f in files if f not in own)


def publish_problem(folder: Path) -> str | None:
    """Why a run may not replace ``folder``: it is a file, or holds what no run wrote."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return f"{folder} exists and is not a folder; name a folder (absent, empty, or a previous run's)"
    if not folder.exists():
        return None
    try:
        foreign = foreign_files(folder)
    except OSError as err:
        return f"{folder}: cannot read: {err.strerror}"
    if foreign is None:
        return f"{folder} is not empty and holds no run manifest ({MANIFEST}): it was not written by this tool; name an empty or new folder"
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return f"{folder} holds files no run wrote ({shown}); move them away or name another folder"
    return None


def space_problem(folder: Path) -> str | None:
    """A read-only or nearly full location for ``folder``, found before anything runs."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot write to {existing}: permission denied or read-only"
    with contextlib.suppress(OSError):
        if shutil.disk_usage(existing).free < MIN_FREE_BYTES:
            return f"no space left on {pipeline.mount_point(existing)} for {folder} (less than {MIN_FREE_BYTES >> 20} MB free)"
    return None


# --- locks ------------------------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(info: dict) -> bool:
    pid = info.get("pid")
    if not isinstance(pid, int) or info.get("host") != socket.gethostname():
        return info.get("host") != socket.gethostname()  # another machine's run: assume it lives
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    start = _process_start(pid)
    return start is None or info.get("start") in (None, start)


def lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


def _read_lock(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {} if path.exists() else None


class OutputLock:
    """An exclusive lock on an output folder, held by a file beside it naming this process.

    Also refused: a live lock on a folder around this one or inside it (a reproduce into outputs/
    while a batch writes outputs/batch/). A lock whose process is gone is taken over.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = lock_path(folder)
        self.held = False

    def _busy(self, path: Path, info: dict) -> OutputBusy:
        started = info.get("started", "?")
        return OutputBusy(
            f"{self.folder} is being written by another run (pid {info.get('pid', '?')}, started {started}, lock {path}); "
            "nothing was run: run again when it has finished"
        )

    def acquire(self) -> None:
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        record = json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "start": _process_start(os.getpid()),
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "command": " ".join(sys.argv[:3]),
            }
        )
        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                info = _read_lock(self.path)
                if info is None:
                    continue  # released meanwhile
                if info and _alive(info):
                    raise self._busy(self.path, info) from None
                if not info and time.time() - self.path.stat().st_mtime < 5:
                    time.sleep(0.2)  # being written right now
                    continue
                # A stale lock: exactly one taker renames it away, then everyone retries.
                with contextlib.suppress(OSError):
                    stale = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}")
                    os.rename(self.path, stale)
                    stale.unlink()
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(record)
            self.held = True
            break
        else:
            raise OutputBusy(f"{self.folder}: could not take the lock {self.path}")
        conflict = self._conflict()
        if conflict:
            self.release()
            raise self._busy(*conflict)

    def _conflict(self) -> tuple[Path, dict] | None:
        around = [lock_path(parent) for parent in self.folder.parents if parent.parent != parent]
        inside = []
        if self.folder.is_dir():
            for root, dirs, names in os.walk(self.folder):
                if len(Path(root).relative_to(self.folder).parts) >= 3:
                    dirs[:] = []
                inside += [Path(root) / n for n in names if n.startswith(".") and n.endswith(".lock")]
        for path in around + inside:
            info = _read_lock(path) if path.exists() else None
            if info and _alive(info) and info.get("pid") != os.getpid():
                return path, info
        return None

    def release(self) -> None:
        if self.held:
            info = _read_lock(self.path)
            if info and info.get("pid") == os.getpid():
                with contextlib.suppress(OSError):
                    self.path.unlink()
            self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


# --- removing only what runs wrote ------------------------------------------------------------


def remove_own_files(folder: Path) -> list[str]:
    """Delete the files ``folder``'s manifest lists, the manifest, stale locks and then-empty
    folders; return what is left (files no run wrote, which are never deleted)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        own = list(manifest.get("outputs", {}))
    except (OSError, ValueError, AttributeError):
        own = []
    inside = folder.resolve()
    for name in [*own, MANIFEST]:
        path = folder / name
        if not isinstance(name, str) or inside not in path.resolve().parents:
            continue  # a manifest naming a file outside its folder is not followed there
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            path.unlink()
    for entry in folder.glob(".*.lock") if folder.is_dir() else ():
        info = _read_lock(entry)
        if info is not None and not (info and _alive(info)):
            with contextlib.suppress(OSError):
                entry.unlink()
    for root, _dirs, _names in os.walk(folder, topdown=False):
        with contextlib.suppress(OSError):
            os.rmdir(root)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def clean_leftovers(output_dir: Path) -> None:
    """What a killed run of ``output_dir`` left (the caller holds the lock): staging folders are
    removed, and a swap cut in half is completed backwards (the previous outputs return)."""
    parent, name = output_dir.parent, output_dir.name
    if not parent.is_dir():
        return
    for entry in sorted(parent.glob(f".{name}.partial-*")) + sorted(parent.glob(f".{name}.failed-*")):
        shutil.rmtree(entry, ignore_errors=True)
    for entry in sorted(parent.glob(f".{name}.old-*")):
        if not output_dir.exists():
            entry.rename(output_dir)
        else:
            remove_own_files(entry)


# --- planning ---------------------------------------------------------------------------------


@dataclass
class _Run:
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
    runs: list[_Run]
    notebooks: list[Path]
    project_dir: Path
    lock_dir: Path


def plan(
    specs: list[RunSpec], notebooks: list[Path], *, project_dir: Path, lock_dir: Path, batch_root: Path | None = None
) -> Plan:
    """Check everything a run needs before anything is written; raise DataValidationError
    (reproduce's data), or PlanError listing every problem."""
    from .data import DataValidationError, validate_data_dir_cached

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
                if _inside(spec.data_dir, project_dir)
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
            _Run(
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
    if not root.exists() or not any(p for p in root.iterdir() if not _is_own_working_file(p.name)):
        return None
    if (root / "runs.csv").is_file():
        return None
    return f"{root} is not empty and is not a batch folder (it holds no runs.csv): name an empty or new folder"


# --- executing --------------------------------------------------------------------------------


class _StepInterrupted(BaseException):
    """Raised in the main thread by a signal while an extra step (the report) runs there.

    A BaseException, as KeyboardInterrupt is, so that a step's own ``except Exception`` does not
    swallow it.
    """


class _StopSignals:
    """SIGINT and SIGTERM stop the run: every kernel is killed at once, the workers return.

    The extra steps (the report) run in the main thread, where the handler runs too: while one
    runs (``steps_running``), the handler also raises ``_StepInterrupted`` there, so that a long
    report (100,000 patients) stops at once instead of running to its end.
    """

    def __init__(self):
        self.signum: int | None = None
        self.previous: dict = {}
        self.steps_running = False

    def _handle(self, signum, frame):
        if self.signum is None:
            self.signum = signum
        KERNELS.kill_all(f"the run was interrupted ({signal.Signals(signum).name})")
        if self.steps_running:
            self.steps_running = False
            raise _StepInterrupted()

    def run_step(self, step, *args) -> bool:
        """``step(*args)``, stopped by a signal; False if a signal came before or during it."""
        if self.signum is not None:
            return False
        try:
            self.steps_running = True
            try:
                step(*args)
            finally:
                self.steps_running = False
        except _StepInterrupted:  # the signal came while the step ran; signum is set
            return False
        return self.signum is None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Folders made with mkdtemp (mode 0700) get the permissions any new folder would.
_FOLDER_MODE = 0o777 & ~_umask()


def _private_folder(prefix: str, parent: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, _FOLDER_MODE)
    return folder


def _ensure_staging(run: _Run, cwd: Path) -> Path:
    with run.lock:
        if run.staging is None:
            final = run.spec.output_dir
            final.parent.mkdir(parents=True, exist_ok=True)
            run.staging = _private_folder(f".{final.name}.partial-", final.parent)
            staged_rel, final_rel = pipeline.relative_path(run.staging, cwd), pipeline.relative_path(final, cwd)
            run.paths = {staged_rel: final_rel}
        return run.staging


def _execute_one(run: _Run, nb: Path, cwd: Path, cell_timeout):
    staging = _ensure_staging(run, cwd)
    params = {**run.notebook_parameters[nb.name], "output_dir": next(iter(run.paths))}
    pipeline.execute_notebook(
        nb, staging / "notebooks" / nb.name, params, cwd=cwd, paths=run.paths, cell_timeout=cell_timeout
    )


def execute_plan(
    plan: Plan, *, jobs: int, progress: bool = True, cell_timeout: float | None = pipeline.DEFAULT_CELL_TIMEOUT
) -> tuple[list[RunOutcome], float]:
    """Run a plan's runs (one at a time, each run's notebooks in parallel across the pool) and
    publish each as soon as its notebooks are done. Raises OutputBusy before anything runs when
    another run holds the output folder, Interrupted after SIGINT/SIGTERM."""
    started = time.monotonic()
    start_time = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    cwd = plan.notebooks[0].parent
    KERNELS.cancelled.clear()
    with OutputLock(plan.lock_dir):
        for run in plan.runs:
            clean_leftovers(run.spec.output_dir)
            clean_leftovers(failed_dir(run.spec.output_dir))
        problems = [
            f"{run.spec.label}: output folder refused: {p}"
            for run in plan.runs
            for p in [publish_problem(run.spec.output_dir)]
            if p
        ]
        if problems:
            raise PlanError(problems)
        provenance = pipeline.provenance(plan.project_dir, ran=[*plan.notebooks, *{r.spec.data_dir for r in plan.runs}])
        for run in plan.runs:
            spec = run.spec
            data_rel = pipeline.relative_path(spec.data_dir, cwd)
            run.manifest = {
                "started": start_time,
                **({"batch_run": spec.name} if spec.name is not None else {}),
                "parameters": {
                    "data_dir": data_rel,
                    "output_dir": pipeline.relative_path(spec.output_dir, cwd),
                    **spec.parameters,
                },
                "notebooks": [nb.name for nb in plan.notebooks],
                "data_files": pipeline.files_with_hashes(spec.data_dir, spec.data_dir.parent),
                **provenance,
            }
            run.pending = len(plan.notebooks)
        pipeline.kernel_environment()
        total = len(plan.runs) * len(plan.notebooks)
        desc = "notebooks" if len(plan.runs) == 1 else "batch"
        stop = _StopSignals()
        with stop, pipeline.progress_bar(total, progress, desc=desc) as bar:
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs))
            try:
                futures = {
                    pool.submit(_execute_one, run, nb, cwd, cell_timeout): (run, nb)
                    for run in plan.runs  # runs outer: each run completes (and is published) in turn
                    for nb in plan.notebooks
                }
                pending = set(futures)
                while pending:
                    done, pending = concurrent.futures.wait(
                        pending, timeout=0.5, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    KERNELS.watch(time.monotonic())
                    if stop.signum is not None:
                        for future in pending:
                            future.cancel()
                    for future in done:
                        run, nb = futures[future]
                        if future.cancelled():
                            continue
                        try:
                            future.result()
                        except NotebookFailure as failure:
                            run.failures.append(failure)
                        except pipeline.NotebookInterrupted:
                            continue
                        except Exception as err:  # never a traceback: any other error fails this notebook
                            run.failures.append(NotebookFailure(nb.name, None, None, f"{type(err).__name__}: {err}"))
                        run.pending -= 1
                        if bar is not None:
                            bar.set_postfix_str(
                                nb.stem if run.spec.name is None else f"{run.spec.name}/{nb.stem}", refresh=False
                            )
                            bar.update(1)
                        if not run.failures and run.staging is not None:
                            for step in run.spec.steps:
                                if hasattr(step, "notebook_done"):
                                    stop.run_step(step.notebook_done, run.staging / "notebooks" / nb.name)
                        if run.pending == 0 and stop.signum is None:
                            run.outcome = _finish(run, stop)
            finally:
                if stop.signum is not None:
                    KERNELS.kill_all("the run was interrupted")
                pool.shutdown(wait=True, cancel_futures=True)
                for run in plan.runs:
                    if run.outcome is None and run.staging is not None:
                        shutil.rmtree(run.staging, ignore_errors=True)
        if stop.signum is not None:
            published = [
                run.spec.name or str(run.spec.output_dir)
                for run in plan.runs
                if run.outcome is not None and run.outcome.completed
            ]
            raise Interrupted(stop.signum, published)
    return [run.outcome for run in plan.runs], time.monotonic() - started


def _finish(run: _Run, stop: _StopSignals) -> RunOutcome | None:
    """Publish a finished run, or keep its failure apart; None if a signal came meanwhile."""
    spec, staging = run.spec, run.staging
    failures = sorted(run.failures, key=lambda f: f.notebook)
    try:
        if not failures:
            for step in spec.steps:
                if not stop.run_step(step, staging):
                    return None
        if stop.signum is not None:
            return None
        manifest = {
            **run.manifest,
            "completed": not failures,
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if failures:
            return _keep_failure(run, failures, manifest)
        manifest["failures"] = []
        manifest["outputs"] = pipeline.files_with_hashes(staging, staging, exclude=(MANIFEST,))
        pipeline.write_manifest(staging / MANIFEST, manifest)
        problem = publish_problem(spec.output_dir)  # a file added by hand while the run ran
        if problem:
            raise _PublishRefused(problem)
        publish_folder(staging, spec.output_dir)
        leftover = failed_dir(spec.output_dir)
        if leftover.is_dir():
            remove_own_files(leftover)
        return RunOutcome(spec.name, spec.output_dir, True, [], sorted(manifest["outputs"]))
    except _PublishRefused as err:
        shutil.rmtree(staging, ignore_errors=True)
        return RunOutcome(spec.name, spec.output_dir, False, failures, error=f"not published: {err}")
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        return RunOutcome(spec.name, spec.output_dir, False, failures, error=pipeline.disk_error(err, spec.output_dir))
    except Exception as err:  # an extra step (the report) that failed
        shutil.rmtree(staging, ignore_errors=True)
        return RunOutcome(spec.name, spec.output_dir, False, failures, error=f"{type(err).__name__}: {err}")


class _PublishRefused(Exception):
    pass


def publish_folder(staging: Path, output_dir: Path) -> None:
    """Swap ``staging`` in as ``output_dir``, carrying over its README.md, its batch/ folder and
    the other runs' folders in it, and delete only the files the previous run's manifest lists."""
    old = None
    if output_dir.exists():
        keep = [output_dir / "README.md"] + [
            entry for entry in output_dir.iterdir() if _carried_over(entry) and not _is_own_working_file(entry.name)
        ]
        for entry in keep:
            if entry.exists() and not (staging / entry.name).exists():
                entry.rename(staging / entry.name)
        old = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.old-", dir=output_dir.parent))
        os.rmdir(old)
        output_dir.rename(old)
    staging.rename(output_dir)
    if old is not None:
        left = remove_own_files(old)
        if left:
            print(f"warning: {old} keeps files no run wrote: {', '.join(left[:5])}", file=sys.stderr)


def _keep_failure(run: _Run, failures: list[NotebookFailure], manifest: dict) -> RunOutcome:
    """Keep a failed run's notebooks and manifest in OUTPUT.failed/; the outputs stay as they were."""
    spec, staging = run.spec, run.staging
    kept_dir = failed_dir(spec.output_dir)
    tmp = _private_folder(f".{kept_dir.name}-", kept_dir.parent)
    for failure in failures:
        src = staging / "notebooks" / failure.notebook
        if src.exists():
            shutil.move(str(src), tmp / failure.notebook)
            shown = kept_dir / failure.notebook
            failure.kept_at = (
                str(shown) if not _inside(shown, Path.cwd()) else pipeline.relative_path(shown, Path.cwd())
            )
    shutil.rmtree(staging, ignore_errors=True)  # first: on a full disk this frees the space the manifest needs
    manifest["failures"] = [str(f) for f in failures]
    manifest["outputs"] = pipeline.files_with_hashes(tmp, tmp)
    try:
        pipeline.write_manifest(tmp / MANIFEST, manifest)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if kept_dir.exists():
        left = remove_own_files(kept_dir)
        if left:  # never happens after the plan's check, unless files were added meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
            raise _PublishRefused(f"{kept_dir} holds files no run wrote ({', '.join(left[:5])})")
    tmp.rename(kept_dir)
    return RunOutcome(spec.name, spec.output_dir, False, failures, failed_dir=kept_dir)
