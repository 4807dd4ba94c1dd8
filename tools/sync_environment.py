#!/usr/bin/env python3
"""Write environment.yml (conda-forge / Binder) from requirements.txt, the one source of pins.

The direct dependencies named in pyproject.toml (runtime, and the test and lab extras: the
environment `make` installs) are listed with the exact versions that requirements.txt pins;
conda resolves the rest. tests/test_environment.py fails when the
committed environment.yml differs from what this script writes.
    python tools/sync_environment.py          # rewrite environment.yml
    python tools/sync_environment.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES: dict[str, str] = {"jupyter-client": "jupyter_client"}
#: The Python minor version the pins were resolved and tested with.
PYTHON_VERSION = "3.11"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[canonical(name)] = version
    return found


def direct_dependencies() -> list[str]:
    """Runtime dependencies and every extra's, by canonical name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    named = [
        *project["dependencies"],
        *(d for extra in project.get("optional-dependencies", {}).values() for d in extra),
    ]
    return sorted({canonical(re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0]) for d in named})


def render() -> str:
    versions = pins()
    python = PYTHON_VERSION
    lines = [
        "# Generated from requirements.txt by tools/sync_environment.py: do not edit by hand.",
        "# conda / mamba / Binder (repo2docker): conda env create -f environment.yml",
        "name: tacrolimus-ibd",
        "channels:",
        "  - conda-forge",
        "  - nodefaults",
        "dependencies:",
        f"  - python={python}",
        f"  - pip={versions['pip']}" if "pip" in versions else "  - pip",
    ]
    for name in direct_dependencies():
        if name not in versions:
            raise SystemExit(f"requirements.txt has no pin for {name} (named in pyproject.toml)")
        lines.append(f"  - {CONDA_NAMES.get(name, name)}={versions[name]}")
    lines += ["  - pip:", "      - -e ."]
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    target = ROOT / "environment.yml"
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != text:
            print("environment.yml is out of date: run python tools/sync_environment.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
