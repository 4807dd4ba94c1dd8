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


def _ensure_env():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ensure_env", ROOT / "tools" / "ensure_env.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_uv_is_pinned_with_the_rest():
    """ensure_env bootstraps the uv that requirements.txt pins (the one source of pins)."""
    ensure_env = _ensure_env()
    assert ensure_env.pinned_version("uv") == _pins()["uv"]
    assert ensure_env.pinned_version("no-such-package") is None


def test_pip_configuration_is_handed_to_uv():
    """uv does not read pip.conf: the sources pip is configured with become uv's options."""
    ensure_env = _ensure_env()
    listing = "\n".join(
        [
            ":env:.find-links='/opt/wheels'",
            "global.cert='/etc/ssl/certs/ca.crt'",
            "global.constraint='/etc/pip/constraints.txt'",
            "global.extra-index-url='file:///opt/a/simple file:///opt/b/simple'",
            "global.index-url='https://mirror.example/simple'",
            "freeze.timeout='5'",  # a section pip install does not read
            "global.default-timeout='180'",
        ]
    )
    settings = ensure_env.parse_pip_config(listing)
    assert settings["extra-index-url"] == ["file:///opt/a/simple", "file:///opt/b/simple"]
    assert "timeout" not in settings
    options, env = ensure_env.uv_options(settings)
    assert options == [
        "--index-url", "https://mirror.example/simple",
        "--extra-index-url", "file:///opt/a/simple", "--extra-index-url", "file:///opt/b/simple",
        "--find-links", "/opt/wheels",
        "--constraint", "/etc/pip/constraints.txt",
        "--index-strategy", "unsafe-best-match",
    ]
    assert env == {"SSL_CERT_FILE": "/etc/ssl/certs/ca.crt", "UV_HTTP_TIMEOUT": "180"}
    assert ensure_env.uv_options({}) == ([], {})  # plain PyPI, as in CI elsewhere


def test_the_warm_up_imports_what_the_project_imports():
    """The bytecode warm-up after a uv install covers the library's and the notebooks' imports."""
    names = _ensure_env().project_imports()
    assert {"pandas", "numpy", "matplotlib.pyplot", "papermill", "nbformat"} <= set(names)
    assert not [n for n in names if n.startswith((".", "tacrolimus_ibd"))]


def test_plain_pip_installs_when_uv_cannot_be_had(monkeypatch, tmp_path, capsys):
    ensure_env = _ensure_env()
    installed = []
    monkeypatch.setattr(ensure_env, "prefix_of", lambda python: tmp_path)
    monkeypatch.setattr(ensure_env, "find_uv", lambda python, scratch: None)
    monkeypatch.setattr(ensure_env, "install_with_pip", lambda python: installed.append(python))
    monkeypatch.setattr(ensure_env.sys, "argv", ["ensure_env.py", sys.executable])
    monkeypatch.delenv("TACROLIMUS_INSTALLER", raising=False)
    assert ensure_env.main() == 0
    assert installed and "installing with pip instead" in capsys.readouterr().out
    assert (tmp_path / ensure_env.STAMP).read_text().strip() == ensure_env.fingerprint()
    # A warm rerun installs nothing.
    installed.clear()
    assert ensure_env.main() == 0 and installed == []
    # TACROLIMUS_INSTALLER=uv makes the same failure an error; an unknown value is refused.
    (tmp_path / ensure_env.STAMP).unlink()
    monkeypatch.setenv("TACROLIMUS_INSTALLER", "uv")
    assert ensure_env.main() == 1 and installed == []
    monkeypatch.setenv("TACROLIMUS_INSTALLER", "conda")
    assert ensure_env.main() == 2
