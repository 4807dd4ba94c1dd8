"""Kernels that start with the notebooks' imports already done.

Every notebook imports the same heavy modules (pandas, matplotlib, scipy, statsmodels, the
library) and every kernel loads the same machinery (ipykernel, its debugger): about 1.5 s of CPU per
notebook, paid again by each kernel. The kernel server (``kernel_server``) imports them once and
forks each kernel from itself, ready to run; this module starts it, asks it for kernels, and gives
jupyter_client a provisioner that uses it.

A kernel is forked only when that gives it what a fresh one would get: the command is this Python's
``-m ipykernel_launcher``; the kernel's environment is the one the server started with (apart from
variables set per kernel: jupyter_client's ``JPY_*``, pytest's ``PYTEST_CURRENT_TEST``), since what
Python and matplotlib read from the environment at start-up (``PYTHONHASHSEED``, ``MPLBACKEND``,
...) cannot change afterwards; it works in the server's folder; and the server's imports neither
printed, warned, set up console logging, asked IPython about its shell, nor found a module of that
folder named as one they imported (``kernel_server.preload`` says which). Otherwise, where fork is
not available (Windows), with ``TACROLIMUS_FRESH_KERNELS=1``, and when the server does not answer,
a kernel starts as a new process, as jupyter_client's own provisioner starts it.

Whether a preloaded kernel computes what a fresh one does is tested, not assumed: the tests
compare a run's outputs byte for byte, and what a kernel sees (options, paths, environment,
warning filters), with and without the server.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat

#: Imported by the server for every kernel: the kernel machinery (its debugger is most of a
#: kernel's own start-up).
KERNEL_MACHINERY = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "sqlite3",
)
#: Imported when the notebooks import the package named: what it imports on first use (kept out of
#: its import lines so that the engine and the report start fast), which its notebooks reach.
DEFERRED_IMPORTS = {
    "matplotlib": ("PIL.PngImagePlugin",),
    "tacrolimus_ibd": (
        "jinja2",
        "scipy.stats",
        "statsmodels.api",
        "seaborn",
        "tableone",
        "tacrolimus_ibd.claims.audit",
        "tacrolimus_ibd.claims.checks",
    ),
}
# Not matplotlib_inline.backend_inline: it hooks into the shell when first imported, which must
# happen inside the kernel (matplotlib imports it at the first figure).
#: A run starts the server only when it starts at least this many kernels: for one, the server
#: would import for nothing.
MIN_KERNELS = 2
#: Set to 1 to start every kernel as a new Python process.
FRESH_KERNELS_ENV = "TACROLIMUS_FRESH_KERNELS"
#: How long a kernel request may wait for the server (its imports included) before the run gives
#: up on it and starts kernels as new processes.
REQUEST_TIMEOUT = 120.0
#: How long a fork may take once the server is ready.
FORK_TIMEOUT = 10.0
#: Variables that differ from one kernel to the next by design, and that nothing reads when a module
#: is imported: jupyter_client's per-kernel JPY_*, and pytest's name of the test running.
_PER_KERNEL = ("JPY_", "PYTEST_CURRENT_TEST")


def available() -> bool:
    """Whether kernels can be forked here (a POSIX system) and are not switched off."""
    return os.environ.get(FRESH_KERNELS_ENV, "") in ("", "0") and hasattr(os, "fork") and hasattr(os, "setsid")


def modules_to_preload(notebooks: list[Path]) -> list[str]:
    """The kernel machinery, the notebooks' own imports and what those import on first use."""
    imports = notebook_imports(notebooks)
    packages = {name.split(".")[0] for name in imports}
    deferred = [name for package, names in DEFERRED_IMPORTS.items() if package in packages for name in names]
    return list(dict.fromkeys([*KERNEL_MACHINERY, *imports, *deferred]))


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The modules the notebooks' code cells import at their top level, in order of appearance
    (``from package import name`` also gives ``package.name``, imported if it is a module)."""
    names: list[str] = []
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:  # IPython magics: not plain Python
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    names += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.append(node.module)
                    names += [f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return list(dict.fromkeys(names))


def _comparable(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith(_PER_KERNEL)}


def process_state(pid: int) -> str | None:
    """A process's state as /proc reports it (R, S, T stopped, Z zombie, ...); None where /proc
    does not tell."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return process_state(pid) != "Z"


class ForkedKernel:
    """A kernel forked by the server, with the part of ``subprocess.Popen`` jupyter_client uses.
    It leads a process group of its own, as a kernel jupyter_client starts does."""

    stdin = stdout = stderr = None

    def __init__(self, server: KernelServer, pid: int):
        self._server = server
        self.pid = pid

    @property
    def returncode(self) -> int | None:
        return self._server.exit_code(self.pid)

    @property
    def server_lost(self) -> bool:
        """Whether its server stopped before the kernel's end (ipykernel then ends the kernel)."""
        return not self._server.alive and not self._server.closing

    def poll(self) -> int | None:
        return self._server.exit_code(self.pid)

    def wait(self, timeout: float | None = None) -> int | None:
        return self._server.wait(self.pid, timeout)

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class KernelServer:
    """The kernel server process of this run, and the kernels it forked.

    It works in the kernels' folder (matplotlib reads a ``matplotlibrc`` there when imported) and
    forks only kernels that work in that folder. It first says whether its imports allow forking
    (``refused`` says why not); a request waits for that (its imports) at most ``REQUEST_TIMEOUT``
    seconds, then for the fork at most ``FORK_TIMEOUT``: a server that does not answer is stopped,
    and kernels start as new processes. ``interrupt`` makes every request return at once.
    """

    def __init__(self, modules: list[str], env: dict[str, str], cwd: str | Path):
        self.env = dict(env)
        self.cwd = os.path.realpath(cwd)
        read_fd, write_fd = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tacrolimus_ibd.pipeline.kernel_server", str(write_fd), self.cwd, *modules],
                stdin=subprocess.PIPE,
                env=self.env,
                pass_fds=(write_fd,),
            )
        finally:
            os.close(write_fd)
        self._replies = os.fdopen(read_fd, "rb")
        self._request_lock = threading.Lock()  # one request at a time: replies come in order
        self._pids: queue.Queue = queue.Queue()
        self._exits: dict[int, int] = {}
        self._changed = threading.Condition()
        self.alive = True
        self.ready = threading.Event()
        self.refused: str | None = None
        self.interrupted = False  # the run was interrupted: no kernel is to start
        self.closing = False  # the run stopped the server (interrupted, done, or not answering)
        self._reader = threading.Thread(target=self._read_replies, name="kernel-server", daemon=True)
        self._reader.start()

    def _read_replies(self) -> None:
        for line in self._replies:
            message = json.loads(line)
            if "pid" in message:
                with self._changed:
                    self._exits.pop(message["pid"], None)  # a pid in use again
                self._pids.put(message["pid"])
            elif "exit" in message:
                with self._changed:
                    self._exits[message["exit"]] = message["code"]
                    self._changed.notify_all()
            elif "refused" in message:
                self.refused = message["refused"]
                self.ready.set()
            elif "ready" in message:
                self.ready.set()
        with self._changed:  # the server is gone
            self.alive = False
            self._changed.notify_all()
        self.ready.set()
        self._pids.put(None)

    def _until(self, done, seconds: float) -> bool:
        """Wait until ``done()``, in short slices; False when the time is up or the run interrupted."""
        deadline = time.monotonic() + seconds
        while not done():
            if self.interrupted or time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def fork(self, argv: list[str], *, cwd: str, env: dict[str, str]) -> ForkedKernel | None:
        """A kernel running ``ipykernel_launcher ARGV``; None when the server cannot give one."""
        with self._request_lock:
            if not self._until(self.ready.is_set, REQUEST_TIMEOUT):
                self._give_up()
                return None
            if not self.alive or self.refused or self.interrupted:
                return None
            request = json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n"
            try:
                self.process.stdin.write(request.encode())
                self.process.stdin.flush()
            except OSError:
                return None
            if not self._until(lambda: not self._pids.empty(), FORK_TIMEOUT):
                self._give_up()
                return None
            pid = self._pids.get()
        return ForkedKernel(self, pid) if pid is not None else None

    def exit_code(self, pid: int) -> int | None:
        with self._changed:
            if pid in self._exits:
                return self._exits[pid]
            if self.alive:
                return None
        # The server is gone before it reported the kernel's end: look at the kernel itself.
        return None if _running(pid) else -signal.SIGKILL

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            code = self.exit_code(pid)
            if code is not None or (deadline is not None and time.monotonic() >= deadline):
                return code
            with self._changed:
                self._changed.wait(0.05)

    def interrupt(self) -> None:
        """Stop the server without waiting (safe in a signal handler): requests return at once,
        and no kernel is started."""
        self.interrupted = self.closing = True
        with contextlib.suppress(OSError):
            self.process.terminate()

    def _give_up(self) -> None:
        """A server that does not answer is asked for no more kernels: they start as new
        processes. The kernels it forked run on; the run's end stops it (``close``)."""
        self.closing = True
        with self._changed:
            self.alive = False

    def close(self) -> None:
        """End the server (SIGTERM, even while it still imports): it kills the kernels still
        running, then exits (killed when it does not within 5 s, or 0.5 s after an interrupt)."""
        self.closing = True
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        with contextlib.suppress(OSError):
            self.process.terminate()
        try:
            self.process.wait(timeout=0.5 if self.interrupted else 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)
        self._replies.close()


_lock = threading.Lock()
_server: KernelServer | None = None


def start(notebooks: list[Path]) -> bool:
    """Start the kernel server, which imports the notebooks' modules while the run gets ready.

    Its environment is this process's at this moment (call it after ``kernel_environment``).
    False when kernels cannot be forked here.
    """
    global _server
    if not available():
        return False
    with _lock:
        if _server is None:
            _server = KernelServer(modules_to_preload(notebooks), dict(os.environ), notebooks[0].parent)
    return True


def stop() -> None:
    """Stop the kernel server (and any kernel it still runs)."""
    global _server
    with _lock:
        server, _server = _server, None
    if server is not None:
        server.close()


@contextlib.contextmanager
def preloaded_kernels(notebooks: list[Path], *, enabled: bool = True):
    """Kernels forked from a preloaded server while the block runs (fresh ones where they cannot
    be, or with ``enabled=False``). Sets the kernels' environment first (``kernel_environment``)."""
    if not enabled:
        yield
        return
    from .notebook import kernel_environment

    kernel_environment()
    start(notebooks)
    try:
        yield
    finally:
        stop()


_on_demand: list[Path] | None = None
_on_demand_server: KernelServer | None = None


def on_demand(notebooks: list[Path]) -> None:
    """Let kernels started through ``provisioner.OnDemandProvisioner`` fork from a server of this
    process's own, started at the first such kernel and stopped when the process exits: for a
    process that starts kernels without the run engine, such as a test session running the
    notebooks with nbval."""
    global _on_demand
    _on_demand = list(notebooks)


def on_demand_server() -> KernelServer | None:
    """The on-demand server (see ``on_demand``), started at the first call."""
    global _on_demand_server
    if _on_demand is None or not available():
        return None
    with _lock:
        if _on_demand_server is None:
            _on_demand_server = KernelServer(modules_to_preload(_on_demand), dict(os.environ), _on_demand[0].parent)
            atexit.register(_on_demand_server.close)
    return _on_demand_server


def run_server() -> KernelServer | None:
    """The server of the run in progress (``preloaded_kernels``), if any."""
    return _server


def fork_kernel(cmd: list[str], *, cwd, env: dict[str, str], server: KernelServer | None = None) -> ForkedKernel | None:
    """A kernel for ``cmd`` forked from ``server`` (default: the run's) if it runs and may give
    it, else None."""
    server = server if server is not None else _server
    if server is None or not server.alive or not available():
        return None
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    try:
        if not os.path.samefile(cmd[0], sys.executable):
            return None
    except OSError:
        return None
    if _comparable(env) != _comparable(server.env):
        return None
    cwd = os.path.realpath(cwd or os.getcwd())
    if cwd != server.cwd:
        return None
    return server.fork(cmd[3:], cwd=cwd, env=env)


def interrupt() -> None:
    """The run was interrupted: stop its server at once, without waiting (a signal handler's)."""
    server = _server
    if server is not None:
        server.interrupt()


def provisioner_class():
    """jupyter_client's local provisioner, forking the kernel from the run's server when it may."""
    from .provisioner import PreloadedProvisioner

    return PreloadedProvisioner
