"""One source of truth for the pins: requirements.txt. environment.yml must agree with it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata

from .conftest import ROOT


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"requirements.txt: {line!r} is not pinned exactly (name==version)"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_environment_yml_is_generated_from_requirements():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_environment.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_environment_yml_versions_match_pins():
    pins = _pins()
    listed = re.findall(r"^  - ([A-Za-z0-9_.-]+)=([^\s=]+)$", (ROOT / "environment.yml").read_text(), flags=re.M)
    assert len(listed) > 10
    for name, version in listed:
        if name == "python":
            continue
        assert pins.get(name) == version, f"environment.yml has {name}={version}, requirements.txt pins {pins.get(name)}"


def test_every_direct_dependency_is_pinned():
    pins = _pins()
    for dep in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        assert re.sub(r"[-_.]+", "-", dep).lower() in pins, f"{dep} is not pinned in requirements.txt"
    for required in ("scipy", "statsmodels", "pandas", "papermill", "nbval", "seaborn", "jupyterlab"):
        assert required in pins


def test_installed_versions_are_the_pinned_ones():
    pins = _pins()
    for name in ("pandas", "scipy", "statsmodels", "numpy", "matplotlib", "papermill", "nbval"):
        assert metadata.version(name) == pins[name], f"{name} {metadata.version(name)} installed, {pins[name]} pinned"
