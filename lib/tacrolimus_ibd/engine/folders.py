"""Which folders a run may write, and removing only what runs wrote (never a file no run wrote)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from .. import pipeline
from ..pipeline import BATCH_DIR, MANIFEST
from .lock import alive, read_lock
from .runs import MIN_FREE_BYTES


def inside(path: Path, folder: Path) -> bool:
    return folder in path.parents


def protection_problem(
    output_dir: Path, *, project_dir: Path, data_dirs: list[Path], notebooks_dir: Path
) -> str | None:
    """Why ``output_dir`` may never be written, or None."""
    out = output_dir.resolve()
    protected = [
        ("the project folder", project_dir),
        ("the home folder", Path.home()),
        ("the notebooks folder", notebooks_dir),
    ]
    protected += [("the data folder", d) for d in data_dirs]
    protected += [("the file system root", Path(out.anchor))]
    for what, folder in protected:
        folder = folder.resolve()
        if out == folder:
            return f"{output_dir} is {what}"
        if inside(folder, out):
            return f"{output_dir} contains {what} ({folder})"
    for what, folder in [("the notebooks folder", notebooks_dir), *(("the data folder", d) for d in data_dirs)]:
        if inside(out, folder.resolve()):
            return f"{output_dir} lies inside {what} ({folder.resolve()})"
    outputs = (project_dir / "outputs").resolve()
    if inside(out, project_dir.resolve()) and out != outputs and not inside(out, outputs):
        return f"{output_dir} lies inside the project folder; inside it, runs write only to outputs/ and folders in it"
    return None


def is_own_working_file(name: str) -> bool:
    return name.startswith(".") and (name.endswith(".lock") or ".partial-" in name or ".old-" in name)


def carried_over(entry: Path) -> bool:
    """A folder inside an output folder that is not this run's to replace, and moves with it:
    ``batch/``, another run's published outputs or kept failure (it has a manifest), and the
    engine's own working folders."""
    return entry.is_dir() and (
        entry.name == BATCH_DIR or is_own_working_file(entry.name) or (entry / MANIFEST).is_file()
    )


def foreign_files(folder: Path) -> list[str] | None:
    """Files in ``folder`` that no run wrote (None: the folder holds no run manifest)."""
    files = []
    for root, dirs, names in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if not carried_over(folder / d)]
            names = [n for n in names if n not in ("README.md",) and not is_own_working_file(n)]
        files += [(rel_root / n).as_posix() for n in names]
    if not files:
        return []
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        own = set(manifest["outputs"]) | {MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return sorted(f for f in files if f not in own)


def publish_problem(folder: Path) -> str | None:
    """Why a run may not replace ``folder``: it is a file, or holds what no run wrote."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return f"{folder} exists and is not a folder; name a folder (absent, empty, or a previous run's)"
    if not folder.exists():
        return None
    try:
        foreign = foreign_files(folder)
    except OSError as err:
        return f"{folder}: cannot read: {err.strerror}"
    if foreign is None:
        return f"{folder} is not empty and holds no run manifest ({MANIFEST}): it was not written by this tool; name an empty or new folder"
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return f"{folder} holds files no run wrote ({shown}); move them away or name another folder"
    return None


def space_problem(folder: Path) -> str | None:
    """A read-only or nearly full location for ``folder``, found before anything runs."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot write to {existing}: permission denied or read-only"
    with contextlib.suppress(OSError):
        if shutil.disk_usage(existing).free < MIN_FREE_BYTES:
            return f"no space left on {pipeline.mount_point(existing)} for {folder} (less than {MIN_FREE_BYTES >> 20} MB free)"
    return None


def remove_own_files(folder: Path) -> list[str]:
    """Delete the files ``folder``'s manifest lists, the manifest, stale locks and then-empty
    folders; return what is left (files no run wrote, which are never deleted)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        own = list(manifest.get("outputs", {}))
    except (OSError, ValueError, AttributeError):
        own = []
    inside = folder.resolve()
    for name in [*own, MANIFEST]:
        path = folder / name
        if not isinstance(name, str) or inside not in path.resolve().parents:
            continue  # a manifest naming a file outside its folder is not followed there
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            path.unlink()
    for entry in folder.glob(".*.lock") if folder.is_dir() else ():
        info = read_lock(entry)
        if info is not None and not (info and alive(info)):
            with contextlib.suppress(OSError):
                entry.unlink()
    for root, _dirs, _names in os.walk(folder, topdown=False):
        with contextlib.suppress(OSError):
            os.rmdir(root)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def clean_leftovers(output_dir: Path) -> None:
    """What a killed run of ``output_dir`` left (the caller holds the lock): staging folders are
    removed, and a swap cut in half is completed backwards (the previous outputs return)."""
    parent, name = output_dir.parent, output_dir.name
    if not parent.is_dir():
        return
    for entry in sorted(parent.glob(f".{name}.partial-*")) + sorted(parent.glob(f".{name}.failed-*")):
        shutil.rmtree(entry, ignore_errors=True)
    for entry in sorted(parent.glob(f".{name}.old-*")):
        if not output_dir.exists():
            entry.rename(output_dir)
        else:
            remove_own_files(entry)
