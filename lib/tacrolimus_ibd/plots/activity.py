"""Disease-activity scales (notebook 02): an index's bands with reported values on them, and stacked points."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..labels import readable

#: One light tint per activity band, pale for quiet and stronger for severe disease.
ACTIVITY_COLOURS = {
    "remission": "#DDEFD6",
    "inactive": "#DDEFD6",
    "mild": "#FFF3B0",
    "moderate": "#FDD49E",
    "severe": "#F4A582",
    "pouchitis": "#F4A582",
}


def activity_scale(bands, reported, *, title: str, xlabel: str, note: str = "") -> plt.Figure:
    """An index's scale with its activity bands, and reported summaries drawn on it.

    ``bands``: rows with ``category``, ``lower``, ``upper`` (infinite ends are clipped to
    the axis), e.g. ``scores.cdai_bands()``. ``reported``: rows with ``label``, ``median``,
    ``min`` and ``max``, drawn top to bottom as a range line with the median as a dot.
    ``note`` is printed under the axis (e.g. where the values come from).
    """
    finite = [v for v in list(bands["lower"]) + list(bands["upper"]) if abs(v) != float("inf")]
    lo = min(0.0, min(reported["min"]))
    hi = max(max(finite), max(reported["max"])) * 1.2
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.8 * len(reported)))
    for band in bands.itertuples():
        left, right = max(band.lower, lo), min(band.upper, hi)
        ax.axvspan(left, right, color=ACTIVITY_COLOURS.get(band.category, "#EEEEEE"), zorder=0)
        ax.text(
            (left + right) / 2,
            1.01,
            band.category,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    ys = range(len(reported))[::-1]
    for y, row in zip(ys, reported.itertuples(), strict=True):
        ax.plot([row.min, row.max], [y, y], color="#333333", lw=2, solid_capstyle="butt", zorder=2)
        ax.plot([row.min, row.max], [y, y], "|", color="#333333", ms=12, mew=2, zorder=2)
        ax.plot(row.median, y, "o", color="#333333", ms=8, zorder=3)
        ax.annotate(
            f"median {row.median:g} (range {row.min:g}\u2013{row.max:g})",
            (row.median, y),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax.set_yticks(list(ys), list(reported["label"]))
    ax.set_ylim(-0.6, len(reported) - 0.2)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(xlabel)
    ax.set_title(title, pad=22)
    if note:  # below the axis label, a fixed distance whatever the figure's height
        ax.annotate(
            note,
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(0, -40),
            textcoords="offset points",
            va="top",
            fontsize=8.5,
            style="italic",
        )
    fig.tight_layout()
    return fig


def stacked_points(
    points, *, colours: dict, title: str, xlabel: str, references=(), suffixes: dict | None = None
) -> plt.Figure:
    """Horizontal stacked bars of each row's item points, with the row total marked.

    ``points``: one row per patient (the index labels the bars), one column per item.
    Positive points stack rightwards from 0 and negative ones leftwards, so a negative
    term (e.g. weight above standard) is visible rather than hidden inside the total.
    ``colours`` maps each column to a colour. ``references``: (x, label) pairs drawn as
    dashed vertical lines (e.g. a remission cut-off). The legend names each column in words
    (``labels.readable``), followed by its entry in ``suffixes`` if any (e.g. " (diary)").
    """
    suffixes = suffixes or {}
    fig, ax = plt.subplots(figsize=(10.5, 0.7 * len(points) + 1.8))
    ys = list(range(len(points)))[::-1]
    right = [0.0] * len(points)
    left = [0.0] * len(points)
    for column in points.columns:
        values = points[column].tolist()
        starts = [r if v >= 0 else l_ + v for v, r, l_ in zip(values, right, left, strict=True)]
        ax.barh(
            ys,
            [abs(v) for v in values],
            left=starts,
            color=colours[column],
            label=readable(column) + suffixes.get(column, ""),
            edgecolor="white",
            linewidth=0.6,
            height=0.6,
        )
        right = [r + max(v, 0) for v, r in zip(values, right, strict=True)]
        left = [l_ + min(v, 0) for v, l_ in zip(values, left, strict=True)]
    totals = points.sum(axis=1).tolist()
    ax.plot(totals, ys, "D", color="black", ms=6, label="total", zorder=3)
    for total, end, y in zip(totals, right, ys, strict=True):
        ax.annotate(
            f"total {total:.0f}",
            (end, y),
            xytext=(6, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=9,
        )
    for x, label in references:
        ax.axvline(x, color="#444444", ls="--", lw=1)
        ax.text(x, 1.0, label, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8.5)
    ax.axvline(0, color="black", lw=0.8)
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi + 0.15 * (hi - lo))  # room for the "total" labels
    ax.set_yticks(ys, [str(i) for i in points.index])
    ax.set_xlabel(xlabel)
    ax.set_title(title, pad=18)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8.5)
    fig.tight_layout()
    return fig
