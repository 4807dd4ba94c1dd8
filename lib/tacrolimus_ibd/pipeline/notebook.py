"""Executing one notebook with papermill: a per-cell time limit, kernels over Unix sockets that can
be stopped at once, volatile metadata stripped, and disk errors in plain words."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import threading
import uuid
from pathlib import Path

import nbformat

from . import preload
from .common import DEFAULT_CELL_TIMEOUT, KERNEL_NAME, VOLATILE_CELL_KEYS, NotebookFailure


def strip_volatile_metadata(nb: nbformat.NotebookNode, *, paths: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """Remove timings and run-specific paths that papermill and nbclient record.

    ``paths`` maps strings to replace in the injected-parameters cell (the staging folder by
    the final one), so that the notebook states where its outputs really are.
    """
    pm = nb.metadata.get("papermill")
    if pm is not None:
        nb.metadata["papermill"] = {k: v for k, v in pm.items() if k in ("parameters", "version", "default_parameters")}
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
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


def kill_kernel(pid: int) -> None:
    """Kill a kernel and what it started: jupyter_client starts a kernel in a session of its own,
    and so does the kernel server, so its process group has the kernel's pid, also once the kernel
    itself has ended (a pid is not given again while a group of that number has processes)."""
    sig = signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM
    if hasattr(os, "killpg"):
        with contextlib.suppress(OSError):
            os.killpg(pid, sig)
    with contextlib.suppress(OSError):
        os.kill(pid, sig)


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
        kill_kernel(pid)

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
            if preload.process_state(pid) in ("T", "t"):
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
            self.tibd_process = None
            _current.km = self

        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:  # forks the kernel from the preloaded forkserver when it can
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = preload.provisioner_class()(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            self.tibd_process = self.provisioner.process  # kept: jupyter_client drops it at the end
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
        elif getattr(getattr(km, "tibd_process", None), "server_lost", False):
            what = "the kernel died: the kernel server it was forked from stopped"
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
            if pid is not None:  # never leave a kernel behind, nor what it started
                kill_kernel(pid)
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
