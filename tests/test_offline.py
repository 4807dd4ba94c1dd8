"""The whole reproduction runs with the network unreachable, and nothing tries to connect.

The reproduction is the session's shared one (conftest.reproduction): inside a new network
namespace (only loopback, which Jupyter kernels need) when this machine allows it, and with an
audit hook (tests/support/sitecustomize.py) in every Python process of the run, the controller and
each kernel, that logs and blocks any connection or name lookup for a host other than loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SUPPORT


@pytest.mark.e2e
def test_reproduce_runs_offline_and_attempts_no_connection(reproduction):
    if not reproduction.isolated and os.environ.get("CI"):
        pytest.fail("CI runs as root and must be able to isolate the network (unshare -n)")
    outputs = reproduction.outputs  # the run succeeded
    log = reproduction.network_log
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"network access attempted:\n{attempts}"
    processes = Path(str(log) + ".processes").read_text().splitlines()
    # Kernels started as processes, or forked from the kernel server (which carries the hook).
    kernels = [p for p in processes if "ipykernel_launcher" in p or ("forked: " in p and "kernel_server" in p)]
    notebooks = list((reproduction.project / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(kernels) >= len(notebooks), "the audit hook did not reach every kernel"
    assert (outputs / "manifest.json").exists()


def test_the_audit_hook_catches_an_attempt(tmp_path):
    """The offline test can fail: a lookup of an outside host is logged and blocked."""
    log = tmp_path / "network.log"
    env = {**os.environ, "PYTHONPATH": str(SUPPORT), "TACROLIMUS_NETWORK_LOG": str(log)}
    code = (
        "import socket\ntry:\n    socket.getaddrinfo('example.org', 443)\nexcept OSError as e:\n    print('blocked', e)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "blocked" in result.stdout
    assert "example.org" in log.read_text()
