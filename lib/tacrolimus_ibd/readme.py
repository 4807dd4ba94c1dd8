"""The README's generated blocks: text between a pair of HTML-comment markers, rewritten by the code
that computes it (the claims summary, the benchmarks), never typed by hand (showyourwork's rule)."""

from __future__ import annotations

from pathlib import Path


def rewrite_block(path: str | Path, start: str, end: str, content: str) -> bool:
    """Put ``content`` between the markers ``start`` and ``end`` of the file ``path`` (each on a line of
    its own, the markers kept); True if the file changed. Each marker must appear once, ``start``
    first: anything else raises ValueError naming the file, and nothing is written."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"{path.name}: needs one {start} followed by one {end}")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    new = f"{head}{start}\n{content.strip(chr(10))}\n{end}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def read_block(text: str, start: str, end: str) -> str:
    """The text between the markers ``start`` and ``end``, without the surrounding newlines."""
    return text.split(start, 1)[1].split(end, 1)[0].strip("\n")
