"""Rewrite one marked block of the README: shared by the benchmark scripts."""

from __future__ import annotations

import re
from pathlib import Path


def rewrite_block(readme: Path, start: str, end: str, block: str) -> None:
    """Replace the text from ``start`` to ``end`` (markers included) with ``block``; exit if absent."""
    text = readme.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{readme.name} has no {start} ... {end} block")
    readme.write_text(pattern.sub(lambda _: block, text))
