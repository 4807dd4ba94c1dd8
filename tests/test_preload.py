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

import nbformat
import pytest

from tacrolimus_ibd import pipeline
from tacrolimus_ibd.pipeline import preload

from .conftest import copy_project

pytestmark = pytest.mark.skipif(not preload.available(), reason="kernels are forked on POSIX systems only")

#: What a kernel sees of its surroundings, as one JSON line.
WHAT_A_KERNEL_SEES = """\
import contextlib, io, json, os, signal, stat, sys, threading, warnings
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
