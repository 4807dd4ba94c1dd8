#!/usr/bin/env python3
"""Make sure a Python environment with the pinned dependencies exists; install only if needed.

Standard library only: it runs before anything is installed. Usage:
    python3 tools/ensure_env.py PYTHON     # PYTHON: the environment's interpreter

If PYTHON does not exist yet it must be inside a folder that will become a new virtual
environment (the Makefile's .venv). The environment records a hash of what it was built from
(requirements.txt and pyproject.toml) in <prefix>/tacrolimus-ibd-built-from.txt, so a warm
rerun installs nothing.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("requirements.txt", "pyproject.toml")
STAMP = "tacrolimus-ibd-built-from.txt"


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()


def prefix_of(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def run(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    python = Path(sys.argv[1])
    if not python.is_absolute():
        python = ROOT / python
    if not python.exists():
        env_dir = python.parent.parent
        if sys.version_info < (3, 11):
            print(f"Python >= 3.11 is needed to create {env_dir}; this is {sys.version.split()[0]}", file=sys.stderr)
            return 1
        print(f"creating virtual environment {env_dir.relative_to(ROOT) if env_dir.is_relative_to(ROOT) else env_dir}", flush=True)
        venv.EnvBuilder(with_pip=True).create(env_dir)
    stamp = prefix_of(python) / STAMP
    wanted = fingerprint()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return 0
    quiet = ["--quiet", "--disable-pip-version-check", "--no-input"]
    run(str(python), "-m", "pip", "install", *quiet, "-r", "requirements.txt")
    # The pinned setuptools builds the project itself: no build isolation, nothing fetched.
    run(str(python), "-m", "pip", "install", *quiet, "--no-deps", "--no-build-isolation", "-e", ".")
    stamp.write_text(wanted + "\n")
    print(f"environment ready ({stamp})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
