"""Where results are written, and how, so that the same inputs give byte-identical files.

Notebooks call these with their ``output_dir`` parameter. When ``output_dir`` is None (the
default in the committed notebooks, which a reader runs interactively and nbval re-executes)
nothing is written: only the pipeline writes outputs/.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def target(output_dir: str | Path | None, kind: str, filename: str) -> Path | None:
    """The path ``output_dir/kind/filename`` (folders created), or None when not writing."""
    if output_dir is None:
        return None
    folder = Path(output_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def save_table(frame: pd.DataFrame, name: str, output_dir: str | Path | None, *, index: bool = True) -> Path | None:
    """Write ``frame`` to ``output_dir/tables/<name>.csv`` (UTF-8, '\\n' line ends)."""
    path = target(output_dir, "tables", f"{name}.csv")
    if path is not None:
        frame.to_csv(path, index=index, lineterminator="\n", encoding="utf-8")
    return path


class Table:
    """A table for notebook display: styled HTML, and plain text that is the same every run.

    pandas' Styler draws a random HTML id for every render and its text form shows a memory
    address; either would make each run's notebook differ (and nbval fail) with no change.
    """

    def __init__(self, frame: pd.DataFrame, name: str, *, formats: dict | None = None, index: bool = False):
        self.frame, self.name, self.formats, self.index = frame, name, formats, index

    def _repr_html_(self) -> str:
        styler = self.frame.style.set_uuid(self.name).format(self.formats or {}, na_rep="", precision=2)
        return (styler if self.index else styler.hide(axis="index")).to_html()

    def __repr__(self) -> str:
        return self.frame.to_string(index=self.index)


def show(frame: pd.DataFrame, name: str, *, formats: dict | None = None, index: bool = False) -> Table:
    """Display ``frame`` in a notebook with a fixed HTML id; ``formats`` maps column to format."""
    return Table(frame, name, formats=formats, index=index)


def save_key_results(results: dict, notebook: str, output_dir: str | Path | None) -> Path | None:
    """Write a notebook's headline results to ``output_dir/key_results/<notebook>.json``.

    One flat mapping of name to number or text (e.g. ``{"cd_week4_response_rate": 0.83}``);
    batch runs compare these across parameter sets. Keys are sorted so files are identical
    run to run.
    """
    import json
    import math

    clean = {}
    for key, value in results.items():
        if hasattr(value, "item"):  # numpy scalars
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        clean[str(key)] = value
    path = target(output_dir, "key_results", f"{notebook}.json")
    if path is not None:
        path.write_text(json.dumps(clean, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
