"""Papermill from anywhere (issue #13 item 6): the README's command runs a notebook on the
compendium's own data/ whether the kernel starts in the project folder or in any other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "05_trough_levels.ipynb"


def _papermill(cwd: Path, notebook: str, out: Path) -> subprocess.CompletedProcess:
    # The kernel runs "python" from PATH, as under make: this environment's.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [
        sys.executable,
        "-m",
        "papermill",
        notebook,
        str(out),
        "-p",
        "target_low_ng_ml",
        "8",
        "--no-progress-bar",
    ]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.e2e
@pytest.mark.parametrize("where", ["project root", "another folder"])
def test_the_readmes_papermill_command_runs_from_the_root_or_any_folder(where, tmp_path):
    out = tmp_path / "out.ipynb"
    if where == "project root":
        run = _papermill(ROOT, "notebooks/05_trough_levels.ipynb", out)
    else:
        elsewhere = tmp_path / "somewhere" / "else"
        elsewhere.mkdir(parents=True)
        run = _papermill(elsewhere, os.path.relpath(NOTEBOOK, elsewhere), out)
    assert run.returncode == 0, run.stderr[-3000:]
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    text = json.dumps([c.get("outputs", []) for c in cells])
    assert '"output_type": "error"' not in text
    assert "MOVED" in text  # the parameter reached the notebook: the band is not the paper's
    assert "data folder not found" not in text


def test_the_readme_shows_the_papermill_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "papermill notebooks/05_trough_levels.ipynb /tmp/out.ipynb -p target_low_ng_ml 8" in readme
