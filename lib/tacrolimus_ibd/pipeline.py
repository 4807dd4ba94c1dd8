"""Notebooks with papermill: parameters checked against their declared types, one notebook
executed with a per-cell time limit, kernels that can be stopped at once, and provenance.

``reproduce`` validates the data folder and checks the parameters and the output folder first
(nothing runs, nothing is written when any is wrong), then runs every notebooks/NN_*.ipynb through
the run engine (the ``engine`` package, shared with ``batch``): a run is staged in a folder of its own,
published over the output folder only when every notebook succeeded, and otherwise kept apart in
``OUTPUT.failed/`` while the last complete outputs stay exactly as they were.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat

KERNEL_NAME = "python3"
MANIFEST = "manifest.json"
#: Where ``python -m tacrolimus_ibd batch`` writes its runs, inside the output folder.
BATCH_DIR = "batch"
#: A generous default per-cell time limit (seconds); the slowest cell of the suite takes a few.
DEFAULT_CELL_TIMEOUT = 600
#: Papermill and nbclient record these per run; they would make every rerun differ.
_VOLATILE_CELL_KEYS = ("execution", "papermill")
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


# --- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A parameter declared by a notebook's ``parameters`` cell (``name: type = default  # help``)."""

    name: str
    type_name: str
    help: str = ""

    @property
    def allowed_values(self) -> tuple[str, ...] | None:
        """The values a ``(one of: a, b)`` note in the help text allows, if any."""
        found = re.search(r"\(one of: ([^)]*)\)", self.help)
        return tuple(v.strip().strip("\"'") for v in found.group(1).split(",")) if found else None

    def problem(self, value) -> str | None:
        """Why ``value`` does not fit this parameter's declared type, or None."""
        accepted = _accepted_types(self.type_name)
        if accepted is None:
            return f"declares no type ({self.type_name!r}); annotate it in the parameters cell"
        fits = value is None and type(None) in accepted
        if value is not None:
            for kind in accepted:
                if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
                    fits = True  # an int is accepted for a float
                elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                    fits = True
                elif kind in (bool, str, list) and isinstance(value, kind):
                    fits = True
        if not fits:
            return f"expected {self.type_name}, got {value!r} ({type(value).__name__})"
        allowed = self.allowed_values
        if allowed is not None and value is not None and str(value) not in allowed:
            return f"expected one of {', '.join(allowed)}, got {value!r}"
        return None


def _accepted_types(type_name: str) -> tuple[type, ...] | None:
    kinds = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "None": type(None)}
    name = type_name.replace(" ", "")
    optional = re.fullmatch(r"Optional\[(.+)\]", name)
    parts = [optional.group(1), "None"] if optional else name.split("|")
    accepted = []
    for part in parts:
        base = re.sub(r"\[.*\]$", "", part)
        if base not in kinds:
            return None
        accepted.append(kinds[base])
    return tuple(accepted)


def declared_parameters(notebooks: list[Path]) -> dict[str, dict[str, Parameter]]:
    """The parameters each notebook's ``parameters`` cell declares, by notebook file name."""
    import papermill

    return {
        nb.name: {
            name: Parameter(name, str(info.get("inferred_type_name") or "None"), str(info.get("help") or ""))
            for name, info in papermill.inspect_notebook(str(nb)).items()
        }
        for nb in notebooks
    }


#: Parameters the engine sets for every notebook: never given by the user.
RESERVED = ("output_dir",)


def parameter_problems(run: str, values: dict, declared: dict[str, dict[str, Parameter]]) -> list[str]:
    """Every problem of ``values`` for the notebooks: an undeclared name or a value of the wrong type."""
    problems = []
    known: dict[str, Parameter] = {}
    for params in declared.values():
        for name, param in params.items():
            known.setdefault(name, param)
    for name in sorted(values):
        if name in RESERVED:
            problems.append(f"{run}: parameter {name!r} is set by the run itself, not by the user")
        elif name == "data_dir":
            problems.append(
                f"{run}: parameter 'data_dir' is given as the data folder (reproduce --data-dir, or data_dir: in a batch file), which is validated first"
            )
        elif name not in known:
            names = ", ".join(sorted(set(known) - set(RESERVED) - {"data_dir"})) or "none besides data_dir"
            problems.append(
                f"{run}: parameter {name!r} is declared by no notebook's parameters cell (declared: {names})"
            )
        else:
            for nb, params in sorted(declared.items()):
                problem = params[name].problem(values[name]) if name in params else None
                if problem:
                    problems.append(f"{run}: parameter {name!r} ({nb}): {problem}")
                    break
    return problems


# --- executing one notebook -------------------------------------------------------------------


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
        if cell.get("outputs"):
            cell.outputs = _coalesced_streams(cell.outputs)
            for output in cell.outputs if paths else ():
                _replace_in_output(output, paths)
    if paths and pm is not None:
        params = nb.metadata["papermill"].get("parameters", {})
        for key, value in params.items():
            if isinstance(value, str):
                for old, new in paths.items():
                    value = value.replace(old, new)
                params[key] = value
    return nb


def _coalesced_streams(outputs: list) -> list:
    """Adjacent outputs of one stream as one output: how a kernel splits printed text into
    messages depends on timing, which would make reruns differ."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def _replace_in_output(output, paths: dict[str, str]) -> None:
    """The staging folder's name in printed text and text representations, by the final one."""

    def swap(text):
        text = "".join(text) if isinstance(text, list) else text
        for old, new in paths.items():
            text = text.replace(old, new)
        return text

    if "text" in output:
        output["text"] = swap(output["text"])
    for mime in ("text/plain", "text/html", "text/markdown"):
        if mime in output.get("data", {}):
            output["data"][mime] = swap(output["data"][mime])


def kernel_environment() -> None:
    """Make "python" on PATH this environment's python, for the python3 kernelspec."""
    # Notebooks then run with exactly the packages this process has, whether a venv is active or not.
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def _source_cell_number(nb: nbformat.NotebookNode, executed_index: int) -> int:
    """1-based position of an executed cell in the source notebook (papermill adds one cell)."""
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
        # A cell that timed out or a kernel that died leaves nbclient's pollers pending: cancel
        # them, or closing the loop prints "Task was destroyed but it is pending!".
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
    asyncio.set_event_loop(None)


class Kernels:
    """Every kernel this process started and has not shut down: to stop them all at once
    (Ctrl-C, SIGTERM) and to watch that none is stopped (SIGSTOP) while a cell waits on it."""

    def __init__(self):
        # Re-entrant: the signal handler (main thread) may run while the main thread holds it.
        self._lock = threading.RLock()
        self._managers: set = set()
        self.cancelled = threading.Event()
        self._stopped_since: dict[int, float] = {}

    def add(self, km) -> None:
        with self._lock:
            self._managers.add(km)
        if self.cancelled.is_set():
            self.kill(km, "the run was interrupted")

    def discard(self, km) -> None:
        with self._lock:
            self._managers.discard(km)

    @staticmethod
    def pid(km) -> int | None:
        provisioner = getattr(km, "provisioner", None)
        return getattr(provisioner, "pid", None) if provisioner is not None else None

    def kill(self, km, reason: str) -> None:
        pid = self.pid(km)
        if pid is None:
            return
        km.tibd_reason = getattr(km, "tibd_reason", None) or reason
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)

    def kill_all(self, reason: str) -> None:
        self.cancelled.set()
        with self._lock:
            managers = list(self._managers)
        for km in managers:
            self.kill(km, reason)

    def watch(self, now: float, *, stopped_grace: float = 5.0) -> None:
        """Kill a kernel that has been stopped (SIGSTOP, state T) for ``stopped_grace`` seconds."""
        with self._lock:
            managers = list(self._managers)
        for km in managers:
            pid = self.pid(km)
            if pid is None:
                continue
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state in ("T", "t"):
                since = self._stopped_since.setdefault(pid, now)
                if now - since >= stopped_grace:
                    self.kill(km, f"the kernel was stopped (not running) for {stopped_grace:g} s and was killed")
            else:
                self._stopped_since.pop(pid, None)


#: The kernels of this process (one registry: signals reach the whole process).
KERNELS = Kernels()
_current = threading.local()


def _kernel_manager_class(sockets: Path | None):
    """A kernel manager class that registers its kernels in KERNELS and, given ``sockets``,
    talks over Unix sockets in that folder rather than TCP.

    Kernels started together over TCP race for ports: the manager picks a free port and closes
    it, and before the kernel binds it another kernel's connection may take it ("Address already
    in use", then "Kernel didn't respond"). Unix sockets need no port, and open none.
    """
    from jupyter_client.manager import AsyncKernelManager

    class TrackedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            if sockets is not None:  # one kernel per folder; short names (a socket path is limited to ~100 bytes)
                kwargs = {"transport": "ipc", "ip": str(sockets / "k"), **kwargs}
            super().__init__(**kwargs)
            self.tibd_reason = None
            _current.km = self

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            KERNELS.add(self)

    return TrackedKernelManager


class NotebookInterrupted(Exception):
    """The run was stopped (SIGINT, SIGTERM) while this notebook ran or waited to run."""


def _register_engine():
    """A papermill engine that, when a kernel dies or a cell times out, keeps the notebook as far
    as it ran and which cell was running (papermill's own engine loses both)."""
    from papermill.engines import NBClientEngine, papermill_engines

    class KeepingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            _current.nb = nb_man.nb
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("tacrolimus_ibd", KeepingEngine)
    # nbclient logs a dead kernel through papermill's logger ("Kernel died while waiting for
    # execute reply."), which Python prints when no handler is set: the failure message says it.
    import logging

    papermill_log = logging.getLogger("papermill")
    if not papermill_log.handlers:
        papermill_log.addHandler(logging.NullHandler())


def _running_cell(nb: nbformat.NotebookNode) -> int | None:
    """Index of the last cell that started (papermill marks a cell's start time)."""
    cells = [
        c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
    ]  # as _source_cell_number counts
    started = [i for i, c in enumerate(cells) if c.metadata.get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _signal_name(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        with contextlib.suppress(ValueError):
            return f" (killed by {signal.Signals(-returncode).name})"
    return ""


def execute_notebook(
    source: Path,
    destination: Path,
    parameters: dict,
    *,
    cwd: Path,
    paths: dict[str, str],
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
) -> None:
    """Execute one notebook with papermill into ``destination``; raise NotebookFailure on error.

    A cell running longer than ``cell_timeout`` seconds, a kernel that dies or is stopped, fail
    the notebook naming the cell; the notebook is kept as far as it ran, and its kernel is gone.
    """
    import tempfile

    import papermill
    from papermill.exceptions import PapermillExecutionError

    if KERNELS.cancelled.is_set():
        raise NotebookInterrupted()
    kernel_environment()
    _register_engine()
    destination.parent.mkdir(parents=True, exist_ok=True)
    sockets = Path(tempfile.mkdtemp(prefix="tibd-kernel-")) if os.name == "posix" else None
    _current.km, _current.nb = None, None
    failure = None
    try:
        papermill.execute_notebook(
            str(source),
            str(destination),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            engine_name="tacrolimus_ibd",
            kernel_manager_class=_kernel_manager_class(sockets),
            # The kernel's working folder, given to nbclient per kernel: papermill's own
            # ``cwd=`` changes the whole process's folder, which races between threads.
            resources={"metadata": {"path": str(cwd)}},
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,  # one write at the end, not a full rewrite per cell
            shutdown_kernel="immediate",  # every cell has run; a graceful shutdown only waits
            report_mode=False,
            execution_timeout=cell_timeout,
        )
    except PapermillExecutionError as err:
        kept = str(destination)
        try:
            nb = nbformat.read(destination, as_version=4)
        except Exception as read_err:  # the disk filled while papermill wrote it
            nb, kept = getattr(_current, "nb", None), None
            destination.unlink(missing_ok=True)
            detail = (
                disk_error(read_err, destination)
                if isinstance(read_err, OSError)
                else "it could not be written completely"
            )
            err.evalue = f"{err.evalue}; the notebook could not be kept ({detail})"
        number = _source_cell_number(nb, err.cell_index) if nb is not None else None
        failure = NotebookFailure(source.name, number, err.exec_count, f"{err.ename}: {err.evalue}", kept)
    except Exception as err:  # a kernel that died or stalled, a cell over its time limit, a full disk...
        from nbclient.exceptions import CellTimeoutError

        km, nb = getattr(_current, "km", None), getattr(_current, "nb", None)
        if KERNELS.cancelled.is_set():
            raise NotebookInterrupted() from None
        index = _running_cell(nb) if nb is not None else None
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if km is not None and km.tibd_reason:
            what = km.tibd_reason
        elif isinstance(err, CellTimeoutError):
            what = f"timed out: the cell ran longer than {cell_timeout:g} s (--cell-timeout); its kernel was shut down"
        elif isinstance(err, OSError) and err.errno is not None:
            what = disk_error(err, destination)
        elif "dead" in type(err).__name__.lower() or "died" in str(err):
            what = f"the kernel died{_signal_name(getattr(process, 'returncode', None))}"
        else:
            what = f"{type(err).__name__}: {err}"
        kept = None
        if nb is not None and index is not None:
            try:
                nbformat.write(nb, destination)
                kept = str(destination)
            except OSError as write_err:
                destination.unlink(missing_ok=True)
                what += f"; the notebook could not be kept ({disk_error(write_err, destination)})"
        failure = NotebookFailure(
            source.name, _source_cell_number(nb, index) if index is not None else None, None, what, kept
        )
    finally:
        _close_thread_event_loop()
        km = getattr(_current, "km", None)
        if km is not None:
            KERNELS.discard(km)
            pid = Kernels.pid(km)
            if pid is not None and getattr(getattr(km, "provisioner", None), "process", None) is not None:
                with contextlib.suppress(OSError):  # never leave a kernel behind
                    if km.provisioner.process.poll() is None:
                        os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        if sockets:
            shutil.rmtree(sockets, ignore_errors=True)
    if KERNELS.cancelled.is_set():
        raise NotebookInterrupted()
    if destination.exists():
        try:
            nb = nbformat.read(destination, as_version=4)
            nbformat.write(strip_volatile_metadata(nb, paths=paths), destination)
        except Exception as err:  # a full disk: the notebook was cut short, or cannot be rewritten
            destination.unlink(missing_ok=True)
            detail = (
                disk_error(err, destination) if isinstance(err, OSError) else f"{destination} was written incompletely"
            )
            if failure is None:
                failure = NotebookFailure(source.name, None, None, detail)
            elif failure.kept_at:
                failure.kept_at = None
                failure.error += f"; the notebook could not be kept ({detail})"
    if failure:
        raise failure


def mount_point(path: Path) -> str:
    """The mount point (the device's folder) that holds ``path``."""
    path = Path(path).resolve()
    while not os.path.ismount(path) and path.parent != path:
        path = path.parent
    return str(path)


def disk_error(err: OSError, fallback: Path) -> str:
    """A plain message for an error while writing (``no space left on DEVICE while writing FILE``)."""
    import errno

    where = Path(err.filename or fallback)
    if err.errno == errno.ENOSPC:
        return f"no space left on {mount_point(where if where.exists() else where.parent)} while writing {where}"
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"cannot write {where}: {err.strerror}"
    return f"{err.strerror or err} while writing {where}"


# --- provenance -------------------------------------------------------------------------------


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
    return out.stdout.rstrip("\n")


def provenance(project_dir: Path, *, ran: list[Path] = ()) -> dict:
    """Git commit and which of the files that ran are untracked or modified (notebooks, library,
    data), the Python version and every installed package's version."""
    project_dir = Path(project_dir).resolve()
    commit = _git("rev-parse", "HEAD", cwd=project_dir)
    top = _git("rev-parse", "--show-toplevel", cwd=project_dir)
    dirty: list[str] | None = None
    if commit is not None and top is not None:
        library = Path(__file__).resolve().parent
        root = Path(top).resolve()
        # The library counts when it is this checkout's (an installed copy has no git status here).
        scopes = sorted(
            {
                str(Path(p).resolve())
                for p in [library, *ran]
                if Path(p).exists() and (Path(p).resolve() == root or root in Path(p).resolve().parents)
            }
        )
        status = (
            _git("status", "--porcelain", "--untracked-files=all", "--", *scopes, cwd=project_dir) if scopes else ""
        )
        if status is not None:
            dirty = sorted(
                relative_path(Path(top) / line[3:].split(" -> ")[-1].strip('"'), project_dir)
                for line in status.splitlines()
                if line.strip()
            )
    packages = sorted(
        {(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions() if d.metadata["Name"]}.items()
    )
    return {
        "git_commit": commit,
        "git_dirty": None if dirty is None else bool(dirty),
        "dirty_files": dirty,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": dict(packages),
    }


def files_with_hashes(folder: Path, relative_to: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under ``folder``, by path relative to ``relative_to``."""
    found = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name not in exclude:
                path = Path(root) / name
                found[path.relative_to(relative_to).as_posix()] = sha256(path)
    return dict(sorted(found.items()))


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def progress_bar(total: int, enabled: bool, *, desc: str = "notebooks"):
    """A progress bar over notebooks on stderr (a no-op context when disabled)."""
    if not enabled:
        return contextlib.nullcontext(None)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="nb", file=sys.stderr, dynamic_ncols=True)


# --- reproduce: a batch of one run ------------------------------------------------------------


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
) -> RunResult:
    """Validate data, check parameters and the output folder, run every notebook, and publish
    the outputs only if all succeeded (the ``engine`` package).

    Raises DataValidationError (invalid data), engine.PlanError (a mistyped or undeclared
    parameter, an output folder that may not be written) or engine.OutputBusy (another run is
    writing it) before anything is written. ``extra_steps`` are callables ``step(staging_dir)``
    run after the notebooks (e.g. the HTML report), inside the staging folder so their files
    are covered by the manifest.
    """
    from . import engine

    project_dir = Path(project_dir).resolve()
    notebooks = discover_notebooks(project_dir / notebooks_dir)
    run = engine.RunSpec(
        name=None,
        data_dir=(project_dir / data_dir).resolve(),
        output_dir=(project_dir / output_dir).resolve(),
        parameters=dict(parameters or {}),
        steps=tuple(extra_steps),
    )
    [outcome], seconds = engine.execute_plan(
        engine.plan([run], notebooks, project_dir=project_dir, lock_dir=run.output_dir),
        jobs=jobs or default_jobs(),
        progress=progress,
        cell_timeout=cell_timeout,
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
