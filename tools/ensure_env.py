#!/usr/bin/env python3
"""Make sure a Python environment with the pinned dependencies exists; install only if needed.

Standard library only: it runs before anything is installed. Usage:
    python3 tools/ensure_env.py PYTHON     # PYTHON: the environment's interpreter

If PYTHON does not exist yet it must be inside a folder that will become a new virtual
environment (the Makefile's .venv). The environment records a hash of what it was built from
(requirements.txt and pyproject.toml) in <prefix>/tacrolimus-ibd-built-from.txt, so a warm
rerun installs nothing.

The pins in requirements.txt are installed with uv (https://docs.astral.sh/uv/), which installs
the ~160 pinned wheels in seconds where pip takes about a minute. uv is itself one of the pins. On
a fresh environment it is bootstrapped with pip: installed into a temporary folder by the Python
that runs this script (or taken from PATH when it is there), so the new environment needs no
ensurepip. uv does not read pip's configuration, so the package sources pip is configured with
(index-url, extra-index-url, find-links, constraint files, the CA bundle: pip.conf files and PIP_*
variables) are read with `pip config list` and handed to uv. When uv cannot be had or fails,
plain pip installs the same pins (as it always did). TACROLIMUS_INSTALLER=pip forces pip;
TACROLIMUS_INSTALLER=uv makes a uv failure an error instead of a fallback.

Bytecode: pip compiles every installed module (about 9000 files: most of a pip install's time).
After a uv install only the modules a run imports are compiled, by importing them once (the
kernel, the test machinery, and what the library and the notebooks import): the rest compiles when it is
first imported, as Python does, or on every import when PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("requirements.txt", "pyproject.toml")
STAMP = "tacrolimus-ibd-built-from.txt"
INSTALLERS = ("auto", "uv", "pip")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()


def prefix_of(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


def run(*args: str, env: dict[str, str] | None = None) -> None:
    print("+", shlex.join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, env=env)


def pinned_version(name: str) -> str | None:
    """The version requirements.txt pins for ``name`` (the one source of pins), or None."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        pinned, sep, version = requirement.partition("==")
        if sep and re.sub(r"[-_.]+", "-", pinned).lower() == name:
            return version.strip()
    return None


def parse_pip_config(listing: str) -> dict[str, list[str]]:
    """`pip config list` output (``section.key='value'`` lines) as key -> values, in pip's order.

    Every section pip reads when installing counts (global, install, and ``:env:`` for PIP_*
    variables). Values that pip splits on whitespace (extra-index-url, find-links, constraint) are
    split; later lines for one key replace earlier ones, as pip's own precedence does."""
    settings: dict[str, list[str]] = {}
    for line in listing.splitlines():
        match = re.match(r"^(?P<section>[^.=]*)\.(?P<key>[a-z0-9-]+)=(?P<value>.*)$", line.strip())
        if not match or match["section"] not in ("global", "install", ":env:"):
            continue
        value = match["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        settings[match["key"]] = value.split()
    return settings


def uv_options(settings: dict[str, list[str]]) -> tuple[list[str], dict[str, str]]:
    """uv command-line options and environment variables that give uv the package sources pip uses."""
    options: list[str] = []
    env: dict[str, str] = {}
    if settings.get("no-index"):
        options.append("--no-index")
    for url in settings.get("index-url", [])[:1]:
        options += ["--index-url", url]
    for url in settings.get("extra-index-url", []):
        options += ["--extra-index-url", url]
    for location in settings.get("find-links", []):
        options += ["--find-links", location]
    for constraint in settings.get("constraint", []):
        options += ["--constraint", constraint]
    if settings.get("extra-index-url") or settings.get("find-links"):
        # pip takes the best match for each requirement across every index it is given; uv by default
        # takes the first index that knows a name at all. The local indexes here hold some versions
        # only, so uv is told to behave like pip. Every requirement is pinned exactly.
        options += ["--index-strategy", "unsafe-best-match"]
    for cert in settings.get("cert", [])[:1]:
        env["SSL_CERT_FILE"] = cert
    for timeout in (settings.get("timeout") or settings.get("default-timeout") or [])[:1]:
        env["UV_HTTP_TIMEOUT"] = timeout
    return options, env


def _runs(command: list[str]) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def find_uv(python: Path, scratch: Path) -> list[str] | None:
    """A command that runs uv: the environment's own, one on PATH, or one bootstrapped with pip."""
    version = pinned_version("uv")
    if version is None:
        return None
    installed = subprocess.run([str(python), "-m", "uv", "--version"], capture_output=True, text=True)
    if installed.returncode == 0 and installed.stdout.split()[1:2] == [version]:
        return [str(python), "-m", "uv"]
    on_path = shutil.which("uv")
    if on_path:
        return [on_path]
    pip_quiet = ["--quiet", "--disable-pip-version-check", "--no-input", "--root-user-action=ignore"]
    # The Python running this script installs uv into a scratch folder: the new environment then
    # needs no pip of its own first (ensurepip alone takes several seconds).
    if _runs([sys.executable, "-m", "pip", "--version"]):
        try:
            run(sys.executable, "-m", "pip", "install", *pip_quiet, "--target", str(scratch), f"uv=={version}")
            binary = scratch / "bin" / "uv"
            if binary.exists():
                return [str(binary)]
        except subprocess.CalledProcessError:
            pass
    # No pip here: the environment's own pip installs uv.
    try:
        ensure_pip(python)
        run(str(python), "-m", "pip", "install", *pip_quiet, f"uv=={version}")
    except subprocess.CalledProcessError:
        return None
    return [str(python), "-m", "uv"]


def ensure_pip(python: Path) -> None:
    """pip in the environment (a fresh one is created without it)."""
    if not _runs([str(python), "-m", "pip", "--version"]):
        run(str(python), "-m", "ensurepip", "--default-pip")


def pip_settings(python: Path) -> dict[str, list[str]]:
    """pip's configuration, as the bootstrap Python's (or the environment's) pip reads it."""
    for interpreter in (sys.executable, str(python)):
        listing = subprocess.run([interpreter, "-m", "pip", "config", "list"], capture_output=True, text=True)
        if listing.returncode == 0:
            return parse_pip_config(listing.stdout)
    return {}


def install_with_uv(python: Path) -> bool:
    """Install the pins and the project with uv; False when uv cannot be had or fails."""
    with tempfile.TemporaryDirectory(prefix="uv-bootstrap-") as scratch:
        uv = find_uv(python, Path(scratch))
        if uv is None:
            print("uv could not be installed; installing with pip instead", flush=True)
            return False
        options, extra_env = uv_options(pip_settings(python))
        env = {**os.environ, **extra_env}
        common = ["pip", "install", "--python", str(python), "--quiet", *options]
        try:
            run(*uv, *common, "-r", "requirements.txt", env=env)
            # The pinned setuptools builds the project itself: no build isolation, nothing fetched.
            run(*uv, *common, "--no-deps", "--no-build-isolation", "-e", ".", env=env)
        except subprocess.CalledProcessError as failure:
            print(f"uv failed (exit status {failure.returncode}); installing with pip instead", flush=True)
            return False
    compile_what_runs_import(python)
    return True


#: Modules every run imports besides the notebooks' own: the kernel, the pipeline, the test machinery.
RUN_IMPORTS = (
    "ipykernel_launcher",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "matplotlib_inline.backend_inline",
    "jupyter_client.manager",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "frictionless",
    "scipy.stats",
    "pytest",
    "_pytest.python",
    "xdist.plugin",
    "xdist.looponfail",
    "nbval.plugin",
)

#: Run in the environment: import each module named on the command line (failures are ignored:
#: this only warms the bytecode cache), writing the bytecode of everything they import.
_IMPORT_ALL = """
import importlib, sys
sys.dont_write_bytecode = False
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


_IMPORT_LINE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.M)


def project_imports() -> list[str]:
    """The modules the library and the committed notebooks import (`import x`, `from x import`),
    read from their sources: the project's own modules are left out (nothing is written into it)."""
    sources = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "lib").rglob("*.py"))]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        try:
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        sources += ["".join(cell.get("source", [])) for cell in cells if cell.get("cell_type") == "code"]
    names = [a or b for source in sources for a, b in _IMPORT_LINE.findall(source)]
    return [
        name
        for name in dict.fromkeys(names)
        if name and not name.startswith(".") and name.split(".")[0] != "tacrolimus_ibd"
    ]


def compile_what_runs_import(python: Path) -> None:
    """Write the bytecode of the modules a run imports, by importing them once in the environment
    (in one process per core, each importing its share of the modules)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["MPLBACKEND"] = "Agg"
    names = [*RUN_IMPORTS, *project_imports()]
    workers = max(1, min(os.cpu_count() or 1, 4))
    print(f"compiling what a run imports ({len(names)} modules and what they import)", flush=True)
    processes = [
        subprocess.Popen(
            [str(python), "-c", _IMPORT_ALL, *names[i::workers]],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(workers)
    ]
    for process in processes:
        process.wait()


def install_with_pip(python: Path) -> None:
    ensure_pip(python)
    quiet = ["--quiet", "--disable-pip-version-check", "--no-input", "--root-user-action=ignore"]
    run(str(python), "-m", "pip", "install", *quiet, "-r", "requirements.txt")
    # The pinned setuptools builds the project itself: no build isolation, nothing fetched.
    run(str(python), "-m", "pip", "install", *quiet, "--no-deps", "--no-build-isolation", "-e", ".")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    installer = os.environ.get("TACROLIMUS_INSTALLER", "auto")
    if installer not in INSTALLERS:
        print(f"TACROLIMUS_INSTALLER={installer!r}: expected one of {', '.join(INSTALLERS)}", file=sys.stderr)
        return 2
    python = Path(sys.argv[1])
    if not python.is_absolute():
        python = ROOT / python
    if not python.exists():
        env_dir = python.parent.parent
        if sys.version_info < (3, 11):  # noqa: UP036 -- the bootstrap Python may be older than the project's
            print(f"Python >= 3.11 is needed to create {env_dir}; this is {sys.version.split()[0]}", file=sys.stderr)
            return 1
        print(
            f"creating virtual environment {env_dir.relative_to(ROOT) if env_dir.is_relative_to(ROOT) else env_dir}",
            flush=True,
        )
        venv.EnvBuilder(with_pip=False).create(env_dir)
    stamp = prefix_of(python) / STAMP
    wanted = fingerprint()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return 0
    if installer == "pip" or not install_with_uv(python):
        if installer == "uv":
            print("TACROLIMUS_INSTALLER=uv, and uv could not install the environment", file=sys.stderr)
            return 1
        install_with_pip(python)
    stamp.write_text(wanted + "\n")
    print(f"environment ready ({stamp})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
