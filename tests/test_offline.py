"""The whole reproduction runs with the network unreachable, and nothing tries to connect.

The run happens inside a new network namespace (only loopback, which Jupyter kernels need)
when this machine allows it, and every Python process of the run (the controller and each
kernel) carries an audit hook (tests/support/sitecustomize.py) that logs and blocks any
connection or name lookup for a host other than loopback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA_DIR, ROOT

SUPPORT = Path(__file__).parent / "support"


def _netns_available() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True)
    return probe.returncode == 0


def test_reproduce_runs_offline_and_attempts_no_connection(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(DATA_DIR, project / "data")
    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    log = tmp_path / "network.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SUPPORT), os.environ.get("PYTHONPATH")])), "TACROLIMUS_NETWORK_LOG": str(log)}
    command = [sys.executable, "-m", "tacrolimus_ibd", "reproduce", "--project-dir", str(project), "--no-progress"]
    isolated = _netns_available()
    if isolated:
        command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    elif os.environ.get("CI"):
        pytest.fail("CI runs as root and must be able to isolate the network (unshare -n)")
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"network access attempted:\n{attempts}"
    processes = Path(str(log) + ".processes").read_text().splitlines()
    kernels = [p for p in processes if "ipykernel_launcher" in p]
    notebooks = list((project / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(kernels) >= len(notebooks), "the audit hook did not reach every kernel"
    assert (project / "outputs" / "manifest.json").exists()
    assert isolated or not os.environ.get("CI")


def test_the_audit_hook_catches_an_attempt(tmp_path):
    """The offline test can fail: a lookup of an outside host is logged and blocked."""
    log = tmp_path / "network.log"
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "TACROLIMUS_NETWORK_LOG": str(log)}
    code = "import socket\ntry:\n    socket.getaddrinfo('example.org', 443)\nexcept OSError as e:\n    print('blocked', e)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "blocked" in result.stdout
    assert "example.org" in log.read_text()
