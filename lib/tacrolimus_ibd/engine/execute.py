"""Executing a plan: staging, the worker pool, per-cell limits and kernel watch, signals, publishing."""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from .. import pipeline
from ..pipeline import KERNELS, MANIFEST, NotebookFailure
from .folders import carried_over, clean_leftovers, inside, is_own_working_file, publish_problem, remove_own_files
from .lock import OutputLock
from .planning import Plan, PlannedRun
from .runs import Interrupted, PlanError, RunOutcome, failed_dir


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
        pipeline.preload.interrupt()  # kernels not yet forked are not started
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


def _ensure_staging(run: PlannedRun, cwd: Path) -> Path:
    with run.lock:
        if run.staging is None:
            final = run.spec.output_dir
            final.parent.mkdir(parents=True, exist_ok=True)
            run.staging = _private_folder(f".{final.name}.partial-", final.parent)
            staged_rel, final_rel = pipeline.relative_path(run.staging, cwd), pipeline.relative_path(final, cwd)
            run.paths = {staged_rel: final_rel}
        return run.staging


def _execute_one(run: PlannedRun, nb: Path, cwd: Path, cell_timeout):
    staging = _ensure_staging(run, cwd)
    params = {**run.notebook_parameters[nb.name], "output_dir": next(iter(run.paths))}
    pipeline.execute_notebook(
        nb, staging / "notebooks" / nb.name, params, cwd=cwd, paths=run.paths, cell_timeout=cell_timeout
    )


def execute_plan(
    plan: Plan,
    *,
    jobs: int,
    progress: bool = True,
    cell_timeout: float | None = pipeline.DEFAULT_CELL_TIMEOUT,
    fresh_kernels: bool = False,
) -> tuple[list[RunOutcome], float]:
    """Run a plan's runs (one at a time, each run's notebooks in parallel across the pool) and
    publish each as soon as its notebooks are done. Raises OutputBusy before anything runs when
    another run holds the output folder, Interrupted after SIGINT/SIGTERM.

    Once the run holds the lock and its folders are checked, its kernels are forked from a server
    that imports the notebooks' modules once (``pipeline.preload``), for plans of at least
    ``preload.MIN_KERNELS`` kernels; ``fresh_kernels=True`` starts each as a new process."""
    started = time.monotonic()
    start_time = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    cwd = plan.notebooks[0].parent
    KERNELS.cancelled.clear()
    total = len(plan.runs) * len(plan.notebooks)
    with contextlib.ExitStack() as held:  # closed in reverse: the kernel server, then the lock
        held.enter_context(OutputLock(plan.lock_dir))
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
        _leave_folders_a_run_replaces(plan)
        # A busy or refused run never starts a server; this one's imports overlap the hashing below.
        held.enter_context(
            pipeline.preload.preloaded_kernels(
                plan.notebooks, enabled=not fresh_kernels and total >= pipeline.preload.MIN_KERNELS
            )
        )
        from ..data import default_paper_dir

        # The paper's inputs (claims ledger, literature) are read by every run, whatever its cohort.
        paper_dir = default_paper_dir()
        paper_files = pipeline.files_with_hashes(paper_dir, paper_dir.parent.parent)
        provenance = pipeline.provenance(
            plan.project_dir, ran=[*plan.notebooks, *{r.spec.data_dir for r in plan.runs}, paper_dir]
        )
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
                "paper_files": paper_files,
                **provenance,
            }
            run.pending = len(plan.notebooks)
        pipeline.kernel_environment()
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
                for step in plan.runs[0].spec.steps:  # while the first kernels start
                    if hasattr(step, "prepare"):
                        stop.run_step(step.prepare)
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


def _leave_folders_a_run_replaces(plan: Plan) -> None:
    """Work from the project folder when the current one lies in a folder a run replaces (an output
    folder or its failed/ beside it), or is gone: papermill reads the current folder for every
    notebook, so a batch started inside ``outputs/batch/<run>/`` failed every run after that one."""
    try:
        here = Path.cwd().resolve()
    except FileNotFoundError:
        here = None
    replaced = [folder for run in plan.runs for folder in (run.spec.output_dir, failed_dir(run.spec.output_dir))]
    if here is None or any(here == folder or inside(here, folder) for folder in replaced):
        os.chdir(plan.project_dir)


def _finish(run: PlannedRun, stop: _StopSignals) -> RunOutcome | None:
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
            entry for entry in output_dir.iterdir() if carried_over(entry) and not is_own_working_file(entry.name)
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


def _keep_failure(run: PlannedRun, failures: list[NotebookFailure], manifest: dict) -> RunOutcome:
    """Keep a failed run's notebooks and manifest in OUTPUT.failed/; the outputs stay as they were."""
    spec, staging = run.spec, run.staging
    kept_dir = failed_dir(spec.output_dir)
    tmp = _private_folder(f".{kept_dir.name}-", kept_dir.parent)
    for failure in failures:
        src = staging / "notebooks" / failure.notebook
        if src.exists():
            shutil.move(str(src), tmp / failure.notebook)
            shown = kept_dir / failure.notebook
            failure.kept_at = str(shown) if not inside(shown, Path.cwd()) else pipeline.relative_path(shown, Path.cwd())
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
