"""One run per output folder: a lock beside it naming its process, taken over when that process is gone."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
from pathlib import Path

from .runs import OutputBusy


def _process_start(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def alive(info: dict) -> bool:
    pid = info.get("pid")
    if not isinstance(pid, int) or info.get("host") != socket.gethostname():
        return info.get("host") != socket.gethostname()  # another machine's run: assume it lives
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    start = _process_start(pid)
    return start is None or info.get("start") in (None, start)


def lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


def read_lock(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {} if path.exists() else None


class OutputLock:
    """An exclusive lock on an output folder, held by a file beside it naming this process.

    Also refused: a live lock on a folder around this one or inside it (a reproduce into outputs/
    while a batch writes outputs/batch/). A lock whose process is gone is taken over.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = lock_path(folder)
        self.held = False

    def _busy(self, path: Path, info: dict) -> OutputBusy:
        started = info.get("started", "?")
        return OutputBusy(
            f"{self.folder} is being written by another run (pid {info.get('pid', '?')}, started {started}, lock {path}); "
            "nothing was run: run again when it has finished"
        )

    def acquire(self) -> None:
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        record = json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "start": _process_start(os.getpid()),
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "command": " ".join(sys.argv[:3]),
            }
        )
        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                info = read_lock(self.path)
                if info is None:
                    continue  # released meanwhile
                if info and alive(info):
                    raise self._busy(self.path, info) from None
                if not info and time.time() - self.path.stat().st_mtime < 5:
                    time.sleep(0.2)  # being written right now
                    continue
                # A stale lock: exactly one taker renames it away, then everyone retries.
                with contextlib.suppress(OSError):
                    stale = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}")
                    os.rename(self.path, stale)
                    stale.unlink()
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(record)
            self.held = True
            break
        else:
            raise OutputBusy(f"{self.folder}: could not take the lock {self.path}")
        conflict = self._conflict()
        if conflict:
            self.release()
            raise self._busy(*conflict)

    def _conflict(self) -> tuple[Path, dict] | None:
        around = [lock_path(parent) for parent in self.folder.parents if parent.parent != parent]
        inside = []
        if self.folder.is_dir():
            for root, dirs, names in os.walk(self.folder):
                if len(Path(root).relative_to(self.folder).parts) >= 3:
                    dirs[:] = []
                inside += [Path(root) / n for n in names if n.startswith(".") and n.endswith(".lock")]
        for path in around + inside:
            info = read_lock(path) if path.exists() else None
            if info and alive(info) and info.get("pid") != os.getpid():
                return path, info
        return None

    def release(self) -> None:
        if self.held:
            info = read_lock(self.path)
            if info and info.get("pid") == os.getpid():
                with contextlib.suppress(OSError):
                    self.path.unlink()
            self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
