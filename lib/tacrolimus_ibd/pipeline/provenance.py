"""Provenance: file hashes, the git state of what ran, the manifest, and the progress bar."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from .common import relative_path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _git(*args: str, cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.rstrip("\n")


def provenance(project_dir: Path, *, ran: list[Path] = ()) -> dict:
    """Git commit and which of the files that ran are untracked or modified (notebooks, library,
    data), the Python version and every installed package's version."""
    project_dir = Path(project_dir).resolve()
    commit = _git("rev-parse", "HEAD", cwd=project_dir)
    top = _git("rev-parse", "--show-toplevel", cwd=project_dir)
    dirty: list[str] | None = None
    if commit is not None and top is not None:
        library = Path(__file__).resolve().parent
        root = Path(top).resolve()
        # The library counts when it is this checkout's (an installed copy has no git status here).
        scopes = sorted(
            {
                str(Path(p).resolve())
                for p in [library, *ran]
                if Path(p).exists() and (Path(p).resolve() == root or root in Path(p).resolve().parents)
            }
        )
        status = (
            _git("status", "--porcelain", "--untracked-files=all", "--", *scopes, cwd=project_dir) if scopes else ""
        )
        if status is not None:
            dirty = sorted(
                relative_path(Path(top) / line[3:].split(" -> ")[-1].strip('"'), project_dir)
                for line in status.splitlines()
                if line.strip()
            )
    packages = sorted(
        {(d.metadata["Name"] or "").lower(): d.version for d in metadata.distributions() if d.metadata["Name"]}.items()
    )
    return {
        "git_commit": commit,
        "git_dirty": None if dirty is None else bool(dirty),
        "dirty_files": dirty,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": dict(packages),
    }


def files_with_hashes(folder: Path, relative_to: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under ``folder``, by path relative to ``relative_to``."""
    found = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name not in exclude:
                path = Path(root) / name
                found[path.relative_to(relative_to).as_posix()] = sha256(path)
    return dict(sorted(found.items()))


def write_manifest(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def progress_bar(total: int, enabled: bool, *, desc: str = "notebooks"):
    """A progress bar over notebooks on stderr (a no-op context when disabled)."""
    if not enabled:
        return contextlib.nullcontext(None)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="nb", file=sys.stderr, dynamic_ncols=True)
