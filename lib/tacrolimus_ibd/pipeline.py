"""Run the notebooks with papermill: validated data in, complete outputs or a clear failure out.

``reproduce`` validates the data folder first (nothing runs, nothing is written on bad data),
then executes notebooks/NN_*.ipynb in parallel (they are independent: each reads only data/
and the library) into a staging folder, strips run-specific metadata so reruns are
byte-identical, writes a provenance manifest, and only then replaces outputs/ with the staging
folder. A failed run leaves outputs/ holding just the failed notebook and a manifest marked
incomplete, never a set of outputs that looks complete.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat

from .data import validate_data_dir_cached

KERNEL_NAME = "python3"
MANIFEST = "manifest.json"
#: Where ``python -m tacrolimus_ibd batch`` writes its runs, inside the output folder.
BATCH_DIR = "batch"
#: Papermill and nbclient record these per run; they would make every rerun differ.
_VOLATILE_CELL_KEYS = ("execution", "papermill")


@dataclass
class NotebookFailure(Exception):
    """A notebook that raised: which one, which cell, and what."""

    notebook: str
    cell_number: int | None  # 1-based position in the source notebook, as a reader counts
    execution_count: int | None
    error: str
    kept_at: str | None = None

    def __str__(self) -> str:
        where = f"cell {self.cell_number}" if self.cell_number is not None else "before any cell ran"
        if self.execution_count is not None:
            where += f" (execution count [{self.execution_count}])"
        kept = f"; the failed notebook is kept at {self.kept_at}" if self.kept_at else ""
        return f"{self.notebook}: {where} raised {self.error}{kept}"


@dataclass
class RunResult:
    """What a reproduce run did."""

    output_dir: Path
    notebooks: list[str]
    completed: bool
    failure: NotebookFailure | None = None
    seconds: float = 0.0
    outputs: list[str] = field(default_factory=list)


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


def strip_volatile_metadata(nb: nbformat.NotebookNode, *, paths: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Remove timings and run-specific paths that papermill and nbclient record.

    ``paths`` maps strings to replace in the injected-parameters cell (the staging folder by
    the final one), so that the notebook states where its outputs really are.
    """
    pm = nb.metadata.get("papermill")
    if pm is not None:
        nb.metadata["papermill"] = {k: v for k, v in pm.items() if k in ("parameters", "version", "default_parameters")}
    for cell in nb.cells:
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill draws a random id
            for old, new in (paths or {}).items():
                cell.source = cell.source.replace(old, new)
    if paths and pm is not None:
        params = nb.metadata["papermill"].get("parameters", {})
        for key, value in params.items():
            if isinstance(value, str):
                for old, new in paths.items():
                    value = value.replace(old, new)
                params[key] = value
    return nb


def _kernel_environment() -> None:
    # The python3 kernelspec runs "python" from PATH: make that this environment's python, so
    # notebooks run with exactly the packages this process has, whether a venv is active or not.
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def _source_cell_number(executed: Path, executed_index: int) -> int:
    """1-based position of an executed cell in the source notebook (papermill adds one cell)."""
    nb = nbformat.read(executed, as_version=4)
    # papermill's error index counts cells before it inserts its two error-marker cells.
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])]
    return executed_index + 1 - sum(1 for i in injected if i < executed_index)


def _close_thread_event_loop() -> None:
    # jupyter_core's run_sync gives each worker thread an event loop and never closes it;
    # closed here so that parallel runs leave no unclosed loop (a ResourceWarning) behind.
    if threading.current_thread() is threading.main_thread():
        return
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # the thread never got a loop (papermill failed before starting a kernel)
        return
    if not loop.is_running():
        loop.close()
    asyncio.set_event_loop(None)


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def _unix_socket_kernel_manager(sockets: Path):
    """A kernel manager class whose kernels talk over Unix sockets in ``sockets``, not TCP.

    Kernels started together over TCP race for ports: the manager picks a free port and closes
    it, and before the kernel binds it another kernel's connection may take it ("Address already
    in use", then "Kernel didn't respond"). Unix sockets need no port, and open none.
    """
    from jupyter_client.manager import AsyncKernelManager

    class UnixSocketKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            # One kernel per folder; short names, as a socket's path is limited to about 100 bytes.
            super().__init__(transport="ipc", ip=str(sockets / "k"), **kwargs)

    return UnixSocketKernelManager


def execute_notebook(source: Path, destination: Path, parameters: dict, *, cwd: Path, paths: dict[str, str]) -> None:
    """Execute one notebook with papermill into ``destination``; raise NotebookFailure on error."""
    import tempfile

    import papermill
    from papermill.exceptions import PapermillExecutionError

    _kernel_environment()
    destination.parent.mkdir(parents=True, exist_ok=True)
    sockets = Path(tempfile.mkdtemp(prefix="tibd-kernel-")) if os.name == "posix" else None
    transport = {"kernel_manager_class": _unix_socket_kernel_manager(sockets)} if sockets else {}  # else TCP
    try:
        papermill.execute_notebook(
            str(source),
            str(destination),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            # The kernel's working folder, given to nbclient per kernel: papermill's own
            # ``cwd=`` changes the whole process's folder, which races between threads.
            resources={"metadata": {"path": str(cwd)}},
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,  # one write at the end, not a full rewrite per cell
            shutdown_kernel="immediate",  # every cell has run; a graceful shutdown only waits
            report_mode=False,
            **transport,
        )
    except PapermillExecutionError as err:
        number = _source_cell_number(destination, err.cell_index)
        raise NotebookFailure(source.name, number, err.exec_count, f"{err.ename}: {err.evalue}", str(destination)) from None
    except Exception as err:  # kernel died, notebook unreadable, ...
        raise NotebookFailure(source.name, None, None, f"{type(err).__name__}: {err}", None) from None
    finally:
        _close_thread_event_loop()
        if sockets:
            shutil.rmtree(sockets, ignore_errors=True)
        if destination.exists():
            nb = nbformat.read(destination, as_version=4)
            nbformat.write(strip_volatile_metadata(nb, paths=paths), destination)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _git(*args: str, cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def provenance(project_dir: Path) -> dict:
    """Git commit and dirtiness, Python version and every installed package's version."""
    commit = _git("rev-parse", "HEAD", cwd=project_dir)
    status = _git("status", "--porcelain", "--untracked-files=no", cwd=project_dir)
    packages = sorted({(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions() if d.metadata["Name"]}.items())
    return {
        "git_commit": commit,
        "git_dirty": None if status is None else bool(status),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": dict(packages),
    }


def _files_with_hashes(folder: Path, relative_to: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        p.relative_to(relative_to).as_posix(): sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in exclude
    }


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def progress_bar(total: int, enabled: bool, *, desc: str = "notebooks"):
    """A progress bar over notebooks on stderr (a no-op context when disabled)."""
    if not enabled:
        return contextlib.nullcontext(None)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="nb", file=sys.stderr, dynamic_ncols=True)


def run_notebooks(
    notebooks: list[Path],
    staging: Path,
    parameters: dict,
    *,
    final_output_dir: Path,
    jobs: int,
    progress: bool = True,
    on_success=(),
) -> list[NotebookFailure]:
    """Execute notebooks in parallel into ``staging``; return the failures (empty on success).

    Each callable of ``on_success`` gets an executed notebook's path as soon as it succeeds,
    in this (otherwise idle) controlling thread while other notebooks still run.
    """
    cwd = notebooks[0].parent
    staged_rel = _relative(staging, cwd)
    final_rel = _relative(final_output_dir, cwd)
    params = {**parameters, "output_dir": staged_rel}
    failures: list[NotebookFailure] = []
    with progress_bar(len(notebooks), progress) as bar, concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            pool.submit(
                execute_notebook,
                nb,
                staging / "notebooks" / nb.name,
                params,
                cwd=cwd,
                paths={staged_rel: final_rel},
            ): nb
            for nb in notebooks
        }
        for future in concurrent.futures.as_completed(futures):
            nb = futures[future]
            try:
                future.result()
            except NotebookFailure as failure:
                failures.append(failure)
            else:
                for callback in on_success:
                    callback(staging / "notebooks" / nb.name)
            if bar is not None:
                bar.set_postfix_str(nb.stem, refresh=False)
                bar.update(1)
    return sorted(failures, key=lambda f: f.notebook)


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
) -> RunResult:
    """Validate data, run every notebook, and publish outputs only if all succeeded.

    Raises DataValidationError before anything is written when the data are invalid.
    ``extra_steps`` are callables ``step(staging_dir)`` run after the notebooks (e.g. the
    HTML report), inside the staging folder so their files are covered by the manifest.
    """
    from .data import DataValidationError

    project_dir = Path(project_dir).resolve()
    data_dir = (project_dir / data_dir).resolve()
    output_dir = (project_dir / output_dir).resolve()
    notebooks = discover_notebooks(project_dir / notebooks_dir)
    problems = validate_data_dir_cached(data_dir)
    if problems:
        raise DataValidationError(problems)

    started = time.monotonic()
    start_time = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    staging = output_dir.parent / f".{output_dir.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    cwd = notebooks[0].parent
    run_parameters = {"data_dir": _relative(data_dir, cwd), **(parameters or {})}
    failures = run_notebooks(
        notebooks,
        staging,
        run_parameters,
        final_output_dir=output_dir,
        jobs=jobs or default_jobs(),
        progress=progress,
        # Steps that can start on each finished notebook (the site's pages) do so at once.
        on_success=[step.notebook_done for step in extra_steps if hasattr(step, "notebook_done")],
    )
    manifest = {
        "started": start_time,
        "parameters": {**run_parameters, "output_dir": _relative(output_dir, cwd)},
        "notebooks": [nb.name for nb in notebooks],
        "data_files": _files_with_hashes(data_dir, data_dir.parent),
        **provenance(project_dir),
    }
    completed, outputs = finish_run(staging, output_dir, failures, manifest, project_dir=project_dir, extra_steps=extra_steps)
    return RunResult(output_dir, manifest["notebooks"], completed, failures[0] if failures else None, time.monotonic() - started, outputs)


def finish_run(
    staging: Path, output_dir: Path, failures: list[NotebookFailure], manifest: dict, *, project_dir: Path, extra_steps: tuple = ()
) -> tuple[bool, list[str]]:
    """Publish a run's staging folder as ``output_dir``, or keep only its failed notebooks.

    On success the ``extra_steps`` run on the staging folder first; ``manifest`` (the run's
    parameters and provenance) is completed with the outcome and the output hashes and
    written beside the outputs. Returns (completed, the published files).
    """
    if not failures:
        for step in extra_steps:
            step(staging)
    manifest = {
        **manifest,
        "completed": not failures,
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if failures:
        # Keep only the failed notebooks: partial figures and tables must not look like results.
        kept = output_dir.parent / f".{output_dir.name}.failed"
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir()
        for failure in failures:
            src = staging / "notebooks" / failure.notebook
            if src.exists():
                (kept / "failed").mkdir(exist_ok=True)
                shutil.move(str(src), kept / "failed" / failure.notebook)
                failure.kept_at = _relative(output_dir / "failed" / failure.notebook, project_dir)
        manifest["failures"] = [str(f) for f in failures]
        manifest["outputs"] = _files_with_hashes(kept, kept)
        write_manifest(kept / MANIFEST, manifest)
        shutil.rmtree(staging, ignore_errors=True)
        _replace(output_dir, kept)
        return False, []

    manifest["failures"] = []
    manifest["outputs"] = _files_with_hashes(staging, staging, exclude=(MANIFEST,))
    write_manifest(staging / MANIFEST, manifest)
    _replace(output_dir, staging)
    return True, sorted(manifest["outputs"])


def _replace(output_dir: Path, new: Path) -> None:
    """Swap ``new`` in as ``output_dir`` (keeping a tracked README.md of outputs/ if any).

    Batch runs (``batch/``, each with its own manifest) are kept too: they are not this run's.
    """
    old = output_dir.parent / f".{output_dir.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    readme = output_dir / "README.md"
    if readme.exists() and not (new / "README.md").exists():
        shutil.copy2(readme, new / "README.md")
    batch = output_dir / BATCH_DIR
    if batch.is_dir() and not (new / BATCH_DIR).exists():
        batch.rename(new / BATCH_DIR)
    if output_dir.exists():
        output_dir.rename(old)
    new.rename(output_dir)
    shutil.rmtree(old, ignore_errors=True)
