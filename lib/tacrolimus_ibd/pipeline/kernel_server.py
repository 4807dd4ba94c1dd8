"""The kernel server: one process that imports the notebooks' modules once and forks a kernel per request.

Run as ``python -m tacrolimus_ibd.pipeline.kernel_server REPLY_FD FOLDER MODULE...`` by ``preload.KernelServer``
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
import logging
import os
import select
import signal
import sys
import warnings


class _KernelShellToBe:
    """What ``get_ipython()`` returns while the modules are imported: a shell with a kernel."""

    kernel = None


def _kernel_stream() -> io.TextIOWrapper:
    """A stand-in for a kernel's output stream while modules import: UTF-8, not a terminal."""
    return io.TextIOWrapper(io.BytesIO(), encoding="UTF-8", write_through=True)


def _writes_to(streams) -> bool:
    """Whether a logging handler writes to one of ``streams``."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return any(getattr(h, "stream", None) in streams for logger in loggers for h in getattr(logger, "handlers", ()))


def preload(modules: list[str]) -> tuple[dict[str, str], str | None]:
    """Import ``modules`` as a kernel would, skipping any that fail.

    Returns the environment variables the imports set (a fresh kernel has them too, as it imports
    the same modules), and why kernels must not be forked from here, if they must not: a module
    printed, showed a warning or added a logging handler writing to the console when imported (a
    fresh kernel would show that in the notebook, or keep writing to its own streams), or asked
    IPython whether it runs in a kernel (which here it cannot answer as a kernel would).

    While they import, ``get_ipython()`` answers as a kernel's shell and ``sys.stdout`` and
    ``sys.stderr`` are streams as a kernel's are (UTF-8, not a terminal): pandas reads both at
    import (whether it runs in a terminal, and the console's encoding). The working folder is not
    on the path, as ipykernel_launcher takes it off while the kernel loads: a notebook's own modules
    beside it are imported by the kernel, not here.
    """
    import IPython
    import IPython.core.getipython

    before = dict(os.environ)
    had = hasattr(builtins, "get_ipython")
    streams, path, show = (sys.stdout, sys.stderr), list(sys.path), warnings.showwarning
    asked_ipython: list[str] = []
    shown: list[str] = []
    real_get_ipython = IPython.core.getipython.get_ipython

    def get_ipython():  # IPython's own, noting who asks while the modules import
        asked_ipython.append("IPython.get_ipython()")
        return real_get_ipython()

    if not had:
        builtins.get_ipython = _KernelShellToBe
    IPython.get_ipython = IPython.core.getipython.get_ipython = get_ipython
    warnings.showwarning = lambda message, category, *rest, **kw: shown.append(f"{category.__name__}: {message}")
    stand_ins = sys.stdout, sys.stderr = _kernel_stream(), _kernel_stream()
    sys.path[:] = [entry for entry in sys.path if entry not in ("", os.getcwd())]
    try:
        for name in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    finally:
        printed = sys.stdout.buffer.getvalue() + sys.stderr.buffer.getvalue()
        sys.stdout, sys.stderr = streams
        sys.path[:] = path
        warnings.showwarning = show
        IPython.get_ipython = IPython.core.getipython.get_ipython = real_get_ipython
        if not had:
            del builtins.get_ipython
    imports_set = {key: value for key, value in os.environ.items() if before.get(key) != value}
    # A fresh kernel puts its folder first on the path before a notebook imports: a module of that
    # folder named as one imported here would be the kernel's, not the installed one.
    folder = os.getcwd()
    shadowed = sorted(
        name
        for name in {module.split(".")[0] for module in sys.modules}
        if os.path.exists(os.path.join(folder, f"{name}.py")) or os.path.isdir(os.path.join(folder, name))
    )
    why = (
        f"importing the notebooks' modules printed {printed[:60]!r}"
        if printed
        else f"importing the notebooks' modules showed a warning ({shown[0]})"
        if shown
        else "importing the notebooks' modules added a logging handler that writes to the console"
        if _writes_to(stand_ins)
        else f"a module asked {asked_ipython[0]} when imported"
        if asked_ipython
        else f"the kernels' folder has a module of its own named {shadowed[0]!r}, as one imported here"
        if shadowed
        else None
    )
    return imports_set, why


def _run_kernel(request: dict, imports_set: dict[str, str], saved_warnings, started: int) -> None:
    """In the forked process: start the kernel; never returns. ``started`` is closed once the
    kernel has its own session."""
    code = 1
    try:
        os.setsid()  # as jupyter_client starts a kernel: a Ctrl-C in the terminal does not reach it
        os.close(started)  # the server now knows the kernel leads a process group of its own
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        saved_warnings.__exit__(None, None, None)  # the filters the server set around fork()
        # Standard input: a pipe at its end, as jupyter_client gives a kernel (it closes its end at
        # once); it replaces the server's requests, which are fd 0 here.
        read_end, write_end = os.pipe()
        os.close(write_end)
        os.dup2(read_end, 0)
        os.close(read_end)
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
        _exit_functions()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        _exit_functions()
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _exit_functions() -> None:
    """What the interpreter runs at a normal exit (atexit: temporary folders, history, ...): the
    kernel leaves through os._exit, never through the server's code."""
    import atexit

    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()


def _exit_code(status: int) -> int:
    return os.waitstatus_to_exitcode(status)


def serve(requests_fd: int, reply_fd: int, imports_set: dict[str, str], why_not: str | None) -> None:
    """Say whether kernels may be forked (``{"ready": true}`` or ``{"refused": why}``), then fork a
    kernel per request line until the end of input; report each kernel's end."""
    kernels: set[int] = set()
    buffer = b""

    def reply(message: dict) -> None:
        os.write(reply_fd, (json.dumps(message) + "\n").encode())

    reply({"refused": why_not} if why_not else {"ready": True})
    if why_not:
        return

    def reap() -> None:
        while kernels:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            kernels.discard(pid)
            _kill_group(pid)  # what the kernel started goes with it
            reply({"exit": pid, "code": _exit_code(status)})

    global _serving
    _serving = True
    try:
        while not _stopping:
            ready, _, _ = select.select([requests_fd], [], [], 0.1)
            reap()
            if not ready or _stopping:
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
                started, started_w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(reply_fd)
                    os.close(started)
                    _run_kernel(request, imports_set, saved_warnings, started_w)
                saved_warnings.__exit__(None, None, None)
                kernels.add(pid)
                os.close(started_w)
                os.read(started, 1)  # the end of the pipe: the kernel has its own session (or died)
                os.close(started)
                reply({"pid": pid})
    finally:
        for pid in kernels:
            _kill_group(pid)
        for pid in list(kernels):
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


def _kill_group(pid: int) -> None:
    """Kill a kernel and what it started (its process group, as jupyter_client kills a kernel)."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(OSError):
            kill(pid, signal.SIGKILL)


#: Set by SIGTERM. While the server serves, the loop ends at its next turn, so that a kernel being
#: forked is known and killed with the others; while it imports, SIGTERM ends it at once.
_stopping = False
_serving = False


def _terminate(signum, frame):
    global _stopping
    _stopping = True
    if not _serving:
        raise SystemExit(0)


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the engine's to handle: it stops the kernels
    signal.signal(signal.SIGTERM, _terminate)  # SIGTERM to the run's group: its kernels go with it
    reply_fd, folder = int(argv[0]), argv[1]
    # It starts in the engine's folder, so that its own imports never read the kernels' folder;
    # it then works in the kernels' folder (matplotlib reads a matplotlibrc there when imported),
    # without the folder `python -m` put first on the path, as ipykernel_launcher takes it off.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    os.chdir(folder)
    try:
        imports_set, why_not = preload(argv[2:])
        serve(sys.stdin.fileno(), reply_fd, imports_set, why_not)
    except (BrokenPipeError, KeyboardInterrupt, SystemExit):  # the engine is gone, or SIGTERM
        pass
    except Exception as err:  # a defect of the server: the run starts its kernels as new processes
        print(f"the kernel server stopped: {type(err).__name__}: {err}", file=sys.__stderr__)
    # Its kernels are gone and it wrote nothing: it skips tearing down the thousands of modules
    # it imported (a few tenths of a second the run would wait for).
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
