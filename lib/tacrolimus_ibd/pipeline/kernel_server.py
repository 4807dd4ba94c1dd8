"""The kernel server: one process that imports the notebooks' modules once and forks a kernel per request.

Run as ``python -m tacrolimus_ibd.pipeline.kernel_server REPLY_FD MODULE...`` by ``preload.KernelServer``
(never by hand). It imports each MODULE (names that are not modules are skipped), then reads one
request per line on its standard input, a JSON object ``{"argv": [...], "cwd": ..., "env": {...}}``,
forks, and answers on file descriptor REPLY_FD with ``{"pid": N}``; when a kernel ends it writes
``{"exit": N, "code": C}`` (C negative: killed by signal -C, as ``subprocess`` reports it). At the end
of its input (the engine is done, or was killed) it kills the kernels still running and exits, so
that no kernel outlives the run.

The forked kernel is set up as ``python -m ipykernel_launcher ARGV`` would start in CWD with ENV:
a session of its own, that folder, that environment (plus what the imports set in it), the
launcher's ``sys.argv`` and ``sys.path``, a pipe as standard input, default signal handlers and
warning filters, fresh random states. Modules are
imported as they would be inside a kernel: pandas, for one, decides at import whether it runs in
a terminal (``display.max_columns``) by asking ``get_ipython()``, and which encoding the console
has from ``sys.stdout``: both answer here as a kernel's do (see ``preload``). The tests compare
what a forked kernel and a fresh one that imported the same modules see (tests/test_preload.py).

Only the standard library is imported before the modules asked for.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import json
import os
import select
import signal
import sys
import warnings


class _KernelShellToBe:
    """What ``get_ipython()`` returns while the modules are imported: a shell with a kernel."""

    kernel = None


def _kernel_stream() -> io.TextIOWrapper:
    """A stand-in for a kernel's output stream: UTF-8, not a terminal (what is written is dropped)."""
    return io.TextIOWrapper(io.BytesIO(), encoding="UTF-8", write_through=True)


def preload(modules: list[str]) -> dict[str, str]:
    """Import ``modules`` as a kernel would, skipping any that fail; return the environment
    variables the imports set (a fresh kernel has them too, as it imports the same modules).

    While they import, ``get_ipython()`` answers as a kernel's shell and ``sys.stdout`` and
    ``sys.stderr`` are streams as a kernel's are (UTF-8, not a terminal): pandas, for one, reads
    both at import (whether it runs in a terminal, and the console's encoding).
    """
    before = dict(os.environ)
    had = hasattr(builtins, "get_ipython")
    streams = sys.stdout, sys.stderr
    if not had:
        builtins.get_ipython = _KernelShellToBe
    sys.stdout, sys.stderr = _kernel_stream(), _kernel_stream()
    try:
        for name in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    finally:
        sys.stdout, sys.stderr = streams
        if not had:
            del builtins.get_ipython
    return {key: value for key, value in os.environ.items() if before.get(key) != value}


def _run_kernel(request: dict, imports_set: dict[str, str], saved_warnings) -> None:
    """In the forked process: start the kernel; never returns."""
    code = 1
    try:
        os.setsid()  # as jupyter_client starts a kernel: a Ctrl-C in the terminal does not reach it
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        saved_warnings.__exit__(None, None, None)  # the filters the server set around fork()
        # Standard input: a pipe nobody writes to, as jupyter_client gives a kernel (it replaces
        # the server's requests, which are fd 0 here).
        read_end, _write_end = os.pipe()
        os.dup2(read_end, 0)
        os.close(read_end)
        # ipykernel_launcher removes the folder `python -m` put first on the path (the kernel's
        # shell adds "" later): here that is the server's own folder.
        if sys.path and (sys.path[0] == "" or os.path.realpath(sys.path[0]) == os.path.realpath(os.getcwd())):
            del sys.path[0]
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update({**request["env"], **imports_set})
        if "numpy.random" in sys.modules:  # a fresh process seeds its generator from the OS
            sys.modules["numpy.random"].seed()
        import ipykernel_launcher
        from ipykernel import kernelapp

        sys.argv = [ipykernel_launcher.__file__, *request["argv"]]
        # The kernel app reads JPY_PARENT_PID when its module is imported (here: in the server,
        # before the kernel's environment existed): given as the app's parent, as a fresh kernel reads it.
        parent = int(os.environ.get("JPY_PARENT_PID") or 0)
        kernelapp.launch_new_instance(argv=request["argv"], parent_handle=parent)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _exit_code(status: int) -> int:
    return os.waitstatus_to_exitcode(status)


def serve(requests_fd: int, reply_fd: int, imports_set: dict[str, str]) -> None:
    """Fork a kernel per request line until the end of input; report each kernel's end."""
    kernels: set[int] = set()
    buffer = b""

    def reply(message: dict) -> None:
        os.write(reply_fd, (json.dumps(message) + "\n").encode())

    def reap() -> None:
        while kernels:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            kernels.discard(pid)
            reply({"exit": pid, "code": _exit_code(status)})

    try:
        while True:
            ready, _, _ = select.select([requests_fd], [], [], 0.1)
            reap()
            if not ready:
                continue
            chunk = os.read(requests_fd, 65536)
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                saved_warnings = warnings.catch_warnings()
                saved_warnings.__enter__()
                # Python 3.12+ warns before forking a process that has threads (BLAS's): the
                # kernel's library state is reset after fork, as multiprocessing's forkserver relies on.
                warnings.filterwarnings(
                    "ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning
                )
                pid = os.fork()
                if pid == 0:
                    os.close(reply_fd)
                    _run_kernel(request, imports_set, saved_warnings)
                saved_warnings.__exit__(None, None, None)
                kernels.add(pid)
                reply({"pid": pid})
    finally:
        for pid in kernels:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for pid in list(kernels):
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


def _terminate(signum, frame):
    raise SystemExit(0)


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the engine's to handle: it stops the kernels
    signal.signal(signal.SIGTERM, _terminate)  # SIGTERM to the run's group: its kernels go with it
    reply_fd = int(argv[0])
    try:
        imports_set = preload(argv[1:])
        serve(sys.stdin.fileno(), reply_fd, imports_set)
    except (BrokenPipeError, KeyboardInterrupt, SystemExit):  # the engine is gone, or SIGTERM
        pass
    # Its kernels are gone and it wrote nothing: it skips tearing down the thousands of modules
    # it imported (a few tenths of a second the run would wait for).
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
