"""Deterministic figures: a fixed style and size, and files without timestamps or salts.

Matplotlib stamps PNGs with its version (stable for pinned versions) and, by default, SVGs
with a date and a random hash salt; both are fixed here so reruns give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from .outputs import target

#: One colour per analysis group, used by every figure (colour-blind safe, Okabe-Ito).
GROUP_COLOURS = {"CD": "#0072B2", "UC": "#D55E00", "pouchitis": "#009E73", "all": "#555555"}

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "svg.hashsalt": "tacrolimus-ibd",
    "svg.fonttype": "none",
}


def use_style() -> None:
    """Apply the compendium's fixed plotting style (call once per notebook)."""
    matplotlib.rcParams.update(STYLE)


def save_figure(fig: plt.Figure, name: str, output_dir: str | Path | None) -> Path | None:
    """Save ``fig`` as ``output_dir/figures/<name>.png`` with no run-specific metadata."""
    path = target(output_dir, "figures", f"{name}.png")
    if path is not None:
        fig.savefig(path, format="png", metadata={"Software": None}, bbox_inches="tight")
    return path
