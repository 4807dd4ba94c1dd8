"""One source of truth for the pins: requirements.txt. environment.yml must agree with it, and
pyproject.toml declares every package the code imports (runtime apart from the test extra)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata

from .conftest import ROOT


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, set[str]]:
    """pyproject.toml's dependencies by group ("runtime", and each extra), as canonical names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"runtime": project["dependencies"], **project.get("optional-dependencies", {})}
    return {
        group: {_canonical(re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0]) for d in deps} for group, deps in groups.items()
    }


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
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sync_environment.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_environment_yml_versions_match_pins():
    pins = _pins()
    listed = re.findall(r"^  - ([A-Za-z0-9_.-]+)=([^\s=]+)$", (ROOT / "environment.yml").read_text(), flags=re.M)
    assert len(listed) > 10
    for name, version in listed:
        if name == "python":
            continue
        assert pins.get(_canonical(name)) == version, (
            f"environment.yml has {name}={version}, requirements.txt pins {pins.get(name)}"
        )


def test_every_direct_dependency_is_pinned():
    pins = _pins()
    for group, deps in _declared().items():
        for dep in deps:
            assert dep in pins, f"{dep} ({group}) is not pinned in requirements.txt"
    for required in ("scipy", "statsmodels", "pandas", "papermill", "nbval", "seaborn", "jupyterlab", "uv", "ruff"):
        assert required in pins


def test_runtime_and_extras_are_separate():
    declared = _declared()
    assert {"pytest", "pytest-xdist", "nbval", "selenium", "pypdf", "ruff"} <= declared["test"]
    assert declared["lab"] == {"jupyterlab"}
    assert not (declared["test"] | declared["lab"]) & declared["runtime"]


def _imported_modules(sources: list[str]) -> set[str]:
    """Top-level names of the absolute imports in Python sources (IPython magics and shell lines dropped)."""
    found = set()
    for source in sources:
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"__future__", "tacrolimus_ibd"}


def _python_sources(*folders: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


def _notebook_sources() -> list[str]:
    return [
        "".join(cell["source"])
        for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "code"
    ]


def _undeclared(modules: set[str], allowed: set[str]) -> dict[str, list[str]]:
    distributions = metadata.packages_distributions()
    missing = {}
    for module in sorted(modules):
        providers = {_canonical(d) for d in distributions.get(module, [])}
        if not providers & allowed:
            missing[module] = sorted(providers) or ["(not installed)"]
    return missing


def test_every_import_is_declared():
    """The library and the notebooks import only runtime dependencies; tests, tools and benchmarks
    also the test extra. Names are mapped to distributions by what is installed."""
    declared = _declared()
    runtime = _imported_modules(_python_sources("lib") + _notebook_sources())
    assert {"pandas", "scipy", "nbformat"} <= runtime
    assert _undeclared(runtime, declared["runtime"]) == {}
    # A script's sibling module (a benchmark importing another, say) is the project's own, not a dependency.
    siblings = {p.stem for folder in ("tools", "benchmarks") for p in (ROOT / folder).glob("*.py")}
    rest = _imported_modules(_python_sources("tests", "tools", "benchmarks")) - siblings
    assert {"pytest", "selenium", "pypdf"} <= rest
    assert _undeclared(rest, declared["runtime"] | declared["test"]) == {}
    assert _undeclared({"websocket"}, declared["runtime"] | declared["test"]) == {"websocket": ["websocket-client"]}


def test_no_typing_claim_without_a_marker():
    """py.typed is shipped only if it exists (today the package is not type-checked: no claim)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    claimed = "py.typed" in str(config.get("tool", {}).get("setuptools", {}).get("package-data", {}))
    assert claimed == (ROOT / "lib" / "tacrolimus_ibd" / "py.typed").exists()


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
        "--index-url",
        "https://mirror.example/simple",
        "--extra-index-url",
        "file:///opt/a/simple",
        "--extra-index-url",
        "file:///opt/b/simple",
        "--find-links",
        "/opt/wheels",
        "--constraint",
        "/etc/pip/constraints.txt",
        "--index-strategy",
        "unsafe-best-match",
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
