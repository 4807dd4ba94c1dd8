"""Kernels forked from the kernel server (pipeline.preload) see what a fresh kernel sees.

The server imports the notebooks' modules before any kernel exists; what a module decides at
import from its surroundings (pandas asks whether it runs in a terminal, ipykernel reads its
parent's pid) would then differ from a fresh kernel's. Each test here can fail: the first found
both of those differences in the first version of the server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import nbformat
import pytest

from tacrolimus_ibd import pipeline
from tacrolimus_ibd.pipeline import preload

from .conftest import ROOT, copy_project

pytestmark = pytest.mark.skipif(not preload.available(), reason="kernels are forked on POSIX systems only")

#: What a kernel sees of its surroundings, as one JSON line.
WHAT_A_KERNEL_SEES = """\
import contextlib, io, json, os, select, signal, stat, sys, threading, warnings
import matplotlib
import pandas as pd
from ipykernel.kernelapp import IPKernelApp

options = io.StringIO()
with contextlib.redirect_stdout(options):
    pd.describe_option()
app = IPKernelApp.instance()
seen = {
    "pandas options": options.getvalue(),
    "matplotlib rcParams": {key: repr(value) for key, value in sorted(matplotlib.rcParams.items())},
    "sys.path": sys.path,
    "sys.argv[0]": sys.argv[0],
    "arguments": len(sys.argv),
    "working folder": os.getcwd(),
    "environment": {k: v for k, v in sorted(os.environ.items()) if not k.startswith("JPY_")},
    "warning filters": [repr(f) for f in warnings.filters],
    "signal handlers": [repr(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)],
    "own session": os.getsid(0) == os.getpid(),
    "flags": repr(sys.flags),
    "kernel's parent": app.parent_handle,
    "watches its parent": app.poller is not None,
    # Anonymous threads are numbered by a process-wide counter: the numbers are not compared.
    "threads": sorted(t.name.split("-")[0] if t.name.startswith("Thread-") else t.name for t in threading.enumerate()),
    "stdin is a pipe": stat.S_ISFIFO(os.fstat(0).st_mode),
    "stdin at its end": bool(select.select([0], [], [], 0.5)[0]) and os.read(0, 1) == b"",
    "blocked signals": sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])),
    "the folder's own module": __import__("helpers").WHERE,
    "main module": sys.modules["__main__"].__name__,
}
print(json.dumps(seen, sort_keys=True))
print("PARENT", os.getppid())
"""


def _seen(tmp_path, name: str) -> tuple[dict, int]:
    """What a kernel of 01_sees.ipynb sees. Its first cell imports what the server imports, in the
    server's order: a forked kernel is a fresh one that has imported the same modules in the same
    order (a module's import adds warning filters, for one)."""
    source = tmp_path / "01_sees.ipynb"
    # What a kernel reads from its working folder: matplotlib's rc file, and a module of its own.
    (tmp_path / "matplotlibrc").write_text("figure.dpi: 42\n")
    (tmp_path / "helpers.py").write_text("WHERE = 'the notebook folder'\n")
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("import importlib"), nbformat.v4.new_code_cell(WHAT_A_KERNEL_SEES)]
    nbformat.write(nb, source)
    modules = preload.modules_to_preload([source])
    nb.cells[0].source = (
        f"import importlib\nfor name in {modules!r}:\n    try:\n        importlib.import_module(name)\n"
        "    except Exception:\n        pass"
    )
    nbformat.write(nb, source)
    assert preload.modules_to_preload([source]) == modules
    out = tmp_path / f"{name}.ipynb"
    pipeline.execute_notebook(source, out, {}, cwd=tmp_path, paths={})
    text = "".join(o.get("text", "") for o in nbformat.read(out, as_version=4).cells[1].outputs)
    seen_line, parent_line = text.strip().splitlines()
    return json.loads(seen_line), int(parent_line.split()[1])


def test_a_forked_kernel_sees_what_a_fresh_one_sees(tmp_path):
    fresh, fresh_parent = _seen(tmp_path, "fresh")
    assert fresh_parent == os.getpid()
    with preload.preloaded_kernels([tmp_path / "01_sees.ipynb"]):
        server = preload._server
        forked, forked_parent = _seen(tmp_path, "forked")
    assert forked_parent == server.process.pid, "the kernel was not forked: the test proves nothing"
    differences = {key: (fresh[key], forked.get(key)) for key in fresh if fresh[key] != forked.get(key)}
    assert differences == {}
    assert "'figure.dpi': '42.0'" in str(forked["matplotlib rcParams"])
    assert forked["kernel's parent"] == os.getpid() and forked["watches its parent"]


def test_a_kernel_is_forked_only_with_the_servers_environment_and_python(tmp_path, monkeypatch):
    notebook = tmp_path / "01.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")]
    assert preload.fork_kernel(cmd, cwd=tmp_path, env=dict(os.environ)) is None  # no server runs
    with preload.preloaded_kernels([notebook]):
        changed = {**os.environ, "PYTHONHASHSEED": "12345"}
        assert preload.fork_kernel(cmd, cwd=tmp_path, env=changed) is None
        other = ["/bin/python-elsewhere", *cmd[1:]]
        assert preload.fork_kernel(other, cwd=tmp_path, env=dict(os.environ)) is None
        not_ipykernel = [sys.executable, "-m", "some_other_kernel", "-f", "k.json"]
        assert preload.fork_kernel(not_ipykernel, cwd=tmp_path, env=dict(os.environ)) is None
        monkeypatch.setenv(preload.FRESH_KERNELS_ENV, "1")
        assert preload.fork_kernel(cmd, cwd=tmp_path, env=dict(os.environ)) is None
    assert preload._server is None


def test_the_server_imports_the_notebooks_top_level_imports(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import pandas as pd\nfrom tacrolimus_ibd import plots, open_study\n"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport never_seen"),  # magics: not Python
        nbformat.v4.new_code_cell("def f():\n    import inside_a_function\nfrom .relative import x"),
        nbformat.v4.new_markdown_cell("import not_code"),
    ]
    path = tmp_path / "01.ipynb"
    nbformat.write(nb, path)
    assert preload.notebook_imports([path]) == [
        "pandas",
        "tacrolimus_ibd",
        "tacrolimus_ibd.plots",
        "tacrolimus_ibd.open_study",
    ]
    # With the kernel machinery first, and what the library imports on first use after.
    modules = preload.modules_to_preload([path])
    assert modules[: len(preload.KERNEL_MACHINERY)] == list(preload.KERNEL_MACHINERY)
    assert modules[-len(preload.DEFERRED_IMPORTS["tacrolimus_ibd"]) :] == list(
        preload.DEFERRED_IMPORTS["tacrolimus_ibd"]
    )
    assert "PIL.PngImagePlugin" not in modules  # no notebook imports matplotlib


def test_stopping_the_server_ends_the_kernels_it_forked(tmp_path):
    source = tmp_path / "01_waits.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, source)
    with preload.preloaded_kernels([source]):
        server = preload._server
        kernel = preload.fork_kernel(
            [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "never-read.json")],
            cwd=tmp_path,
            env={**os.environ, "JPY_PARENT_PID": str(os.getpid())},
        )
        assert kernel is not None and kernel.poll() is None
    assert not server.alive
    assert kernel.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(kernel.pid, 0)


@pytest.mark.e2e
def test_every_output_is_the_same_with_fresh_kernels(reproduction, tmp_path):
    """The session's reproduction forks its kernels from the server; the same run with every kernel
    a new process (--fresh-kernels) writes the same bytes: tables, figures, notebooks, the site."""
    project = copy_project(tmp_path / "project")
    result = subprocess.run(
        [sys.executable, "-m", "tacrolimus_ibd", "reproduce", "--project-dir", str(project), "--no-progress"]
        + ["--fresh-kernels"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    fresh = project / "outputs"
    names = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    assert any(name.endswith(".png") for name in names) and "site/index.html" in names
    forked = reproduction.outputs
    assert names == sorted(p.relative_to(forked).as_posix() for p in forked.rglob("*") if p.is_file())
    differ = [n for n in names if n != "manifest.json" and (fresh / n).read_bytes() != (forked / n).read_bytes()]
    assert differ == []


def test_modules_that_print_or_warn_on_import_mean_fresh_kernels(tmp_path, monkeypatch):
    """What a module prints, warns or asks IPython when imported would be lost in the server (a
    fresh kernel shows it in the notebook): the server refuses to fork, and says why."""
    cases = {
        "prints": "print('hello from an import')",
        "warns": "import warnings\nwarnings.warn('an import-time warning', FutureWarning)",
        "logs": "import logging, sys\nlogging.getLogger('x').addHandler(logging.StreamHandler(sys.stderr))",
        "asks": "from IPython import get_ipython\nSHELL = get_ipython()",
    }
    modules = tmp_path / "modules"
    modules.mkdir()
    for name, code in cases.items():
        (modules / f"mod_{name}.py").write_text(code + "\n")
    monkeypatch.setenv("PYTHONPATH", str(modules))
    for name in cases:
        server = preload.KernelServer(["ipykernel.kernelapp", f"mod_{name}"], dict(os.environ), tmp_path)
        try:
            assert server.ready.wait(60)
            assert server.refused, name
        finally:
            server.close()
    quiet = preload.KernelServer(["ipykernel.kernelapp", "json"], dict(os.environ), tmp_path)
    try:
        assert quiet.ready.wait(60) and quiet.refused is None and quiet.alive
    finally:
        quiet.close()


@pytest.mark.e2e
def test_the_committed_notebooks_modules_let_kernels_be_forked():
    """The compendium's own notebooks get forked kernels (a refusal would only cost time)."""
    notebooks = pipeline.discover_notebooks(ROOT / "notebooks")
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}  # as `make` and the engine set it
    server = preload.KernelServer(preload.modules_to_preload(notebooks), env, notebooks[0].parent)
    try:
        assert server.ready.wait(120)
        assert server.refused is None and server.alive
    finally:
        server.close()


def test_an_interrupted_run_does_not_wait_for_a_stalled_server(tmp_path):
    """Ctrl-C while a kernel waits for a server that does not answer (stopped): the request returns
    at once, and the server is ended."""
    import signal
    import threading

    server = preload.KernelServer(["json"], dict(os.environ), tmp_path)
    try:
        assert server.ready.wait(60)
        os.kill(server.process.pid, signal.SIGSTOP)
        got = []
        asking = threading.Thread(
            target=lambda: got.append(
                server.fork(["-f", str(tmp_path / "k.json")], cwd=server.cwd, env=dict(os.environ))
            )
        )
        asking.start()
        time.sleep(0.5)
        started = time.monotonic()
        server.interrupt()
        os.kill(server.process.pid, signal.SIGCONT)
        asking.join(10)
        assert got == [None] and time.monotonic() - started < 2
    finally:
        server.close()
    assert server.process.poll() is not None


@pytest.mark.e2e
@pytest.mark.parametrize(
    "ending, message",
    [("time.sleep(120)", "timed out"), ("os._exit(1)", "the kernel died")],
    ids=["killed-over-its-time-limit", "died-by-itself"],
)
def test_what_a_forked_kernel_started_ends_with_it(tmp_path, ending, message):
    """A kernel killed (a cell over its time limit) or ended by itself: what it started ends too
    (the kernel leads its own process group, as a fresh kernel does, and the group is killed)."""
    source = tmp_path / "01_starts.ipynb"
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import os, pathlib, subprocess, time\nchild = subprocess.Popen(['sleep', '300'])\n"
            f"pathlib.Path('child.pid').write_text(str(child.pid))\n{ending}"
        )
    ]
    nbformat.write(nb, source)
    with preload.preloaded_kernels([source]):
        server = preload.run_server()
        with pytest.raises(pipeline.NotebookFailure, match=message):
            pipeline.execute_notebook(source, tmp_path / "out.ipynb", {}, cwd=tmp_path, paths={}, cell_timeout=3)
        assert server.alive and server.refused is None  # the kernel was forked
    child = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 10
    while preload._running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not preload._running(child), "the kernel's child outlived it"


def test_a_module_of_the_kernels_folder_named_as_a_preloaded_one_means_fresh_kernels(tmp_path):
    """A fresh kernel would import the folder's own json.py; the server imported the standard one."""
    (tmp_path / "json.py").write_text("WHERE = 'the notebook folder'\n")
    server = preload.KernelServer(["ipykernel.kernelapp", "json"], dict(os.environ), tmp_path)
    try:
        assert server.ready.wait(60)
        assert server.refused and "'json'" in server.refused
    finally:
        server.close()


@pytest.mark.e2e
def test_a_server_that_does_not_answer_means_fresh_kernels(tmp_path, monkeypatch):
    """A server stopped before its imports are done: after REQUEST_TIMEOUT the notebook runs in a
    kernel started as a new process, and succeeds (it does not fail, nor wait for ever)."""
    import signal

    source = tmp_path / "01_quick.ipynb"
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("import os\nprint('PARENT', os.getppid())")]
    nbformat.write(nb, source)
    monkeypatch.setattr(preload, "REQUEST_TIMEOUT", 1.0)
    with preload.preloaded_kernels([source]):
        server = preload.run_server()
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            pipeline.execute_notebook(source, tmp_path / "out.ipynb", {}, cwd=tmp_path, paths={})
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        assert not server.interrupted
    text = "".join(o.get("text", "") for o in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs)
    assert f"PARENT {os.getpid()}" in text  # a kernel started as a new process of this one


@pytest.mark.e2e
def test_a_kernel_lost_with_its_server_is_named_as_such(tmp_path):
    """The server killed while a forked kernel runs a cell: the notebook fails, and the failure
    says the kernel server stopped (not a signal the kernel never got)."""
    import signal
    import threading

    source = tmp_path / "01_waits.ipynb"
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("import pathlib, time\npathlib.Path('running').touch()\ntime.sleep(60)")]
    nbformat.write(nb, source)

    def kill_the_server():
        deadline = time.monotonic() + 60
        while not (tmp_path / "running").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(server.process.pid, signal.SIGKILL)

    with preload.preloaded_kernels([source]):
        server = preload.run_server()
        killer = threading.Thread(target=kill_the_server)
        killer.start()
        with pytest.raises(pipeline.NotebookFailure, match="the kernel server it was forked from stopped"):
            pipeline.execute_notebook(source, tmp_path / "out.ipynb", {}, cwd=tmp_path, paths={}, cell_timeout=30)
        killer.join()
