"""Trough-level figures (notebook 05): distributions, ranges and trough by outcome, against target bands."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..outputs import PER_PATIENT_DISPLAY_LIMIT
from .outcomes import aggregate_title, groups_present, patient_points
from .style import GROUP_COLOURS

BAND_COLOURS = {"target": "#999999", "other": "#CC79A7"}


def _target_bands(ax, target, bands) -> None:
    """The run's target band (shaded; the paper's Methods band unless a sensitivity run moved it)
    and further ``(low, high, label)`` bands (hatched)."""
    ax.axvspan(
        *target,
        color=BAND_COLOURS["target"],
        alpha=0.25,
        lw=0,
        label=f"target band of this run {target[0]:g}-{target[1]:g} ng/mL",
    )
    for low, high, label in bands:
        ax.axvspan(
            low, high, facecolor="none", edgecolor=BAND_COLOURS["other"], hatch="///", lw=0, alpha=0.6, label=label
        )


def _reference_lines(ax, lines) -> None:
    """Vertical ``(x, label, linestyle)`` reference lines (e.g. a reported mean)."""
    for x, label, style in lines:
        ax.axvline(x, color="black", ls=style, lw=1, label=label)


def trough_distribution(troughs, *, target: tuple[float, float], bands=(), lines=(), ax=None, title: str = ""):
    """The per-patient trough figure's aggregate view, for cohorts above ``PER_PATIENT_DISPLAY_LIMIT``.

    One step histogram per diagnosis group of the patient mean troughs (``mean_trough_ng_ml``,
    bins of 1 ng/mL), with the same target band, further bands and reference lines as
    ``trough_ranges``.
    """
    import numpy as np

    ax = ax or plt.subplots(figsize=(9, 5))[1]
    _target_bands(ax, target, bands)
    _reference_lines(ax, lines)
    means = troughs["mean_trough_ng_ml"].to_numpy(dtype=float)
    top = float(np.nanmax(means)) if np.isfinite(means).any() else 1.0
    edges = np.arange(0.0, np.ceil(top) + 1.0, 1.0)
    for group in groups_present(troughs):
        values = troughs.loc[troughs["diagnosis"] == group, "mean_trough_ng_ml"].dropna().to_numpy(dtype=float)
        ax.hist(
            values,
            bins=edges,
            histtype="step",
            lw=2,
            color=GROUP_COLOURS[group],
            label=f"{group} ({len(values):,} patients)",
        )
    ax.set_xlim(0, None)
    ax.set_xlabel("whole-blood tacrolimus trough (ng/mL): patient mean")
    ax.set_ylabel("patients per 1 ng/mL")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    ax.set_title(aggregate_title(title, len(troughs), "distribution of the patient means by group"))
    return ax


def trough_ranges(troughs, *, target: tuple[float, float], bands=(), lines=(), ax=None, title: str = ""):
    """Dot-and-range plot of Table 5: one row per patient, mean trough (dot) and range (line).

    Above ``PER_PATIENT_DISPLAY_LIMIT`` patients it draws ``trough_distribution`` instead (a
    histogram of the patient means per group), and the title says so.

    ``troughs`` is ``trough.trough_table`` (rows drawn top to bottom in the given order,
    coloured by diagnosis). ``target`` is the run's target band, shaded grey; ``bands`` are
    further ``(low, high, label)`` bands, hatched; ``lines`` are ``(x, label, linestyle)``
    vertical reference lines (e.g. a reported mean).
    """
    import numpy as np

    if len(troughs) > PER_PATIENT_DISPLAY_LIMIT:
        return trough_distribution(troughs, target=target, bands=bands, lines=lines, ax=ax, title=title)
    ax = ax or plt.subplots(figsize=(8, 0.35 * len(troughs) + 1.8))[1]
    y = np.arange(len(troughs))[::-1]
    _target_bands(ax, target, bands)
    colours = troughs["diagnosis"].map(GROUP_COLOURS)
    ax.hlines(y, troughs["trough_min_ng_ml"], troughs["trough_max_ng_ml"], colors=colours, lw=2)
    ax.scatter(troughs["mean_trough_ng_ml"], y, c=colours, s=45, zorder=3, edgecolors="white", linewidths=0.5)
    _reference_lines(ax, lines)  # drawn over the patients' ranges
    ax.set_yticks(y, [f"{pid} ({d})" for pid, d in zip(troughs.index, troughs["diagnosis"], strict=True)], fontsize=8)
    ax.set_ylabel("patient (diagnosis)")
    ax.set_ylim(-0.7, len(troughs) - 0.3)
    ax.set_xlim(0, None)
    ax.set_xlabel("whole-blood tacrolimus trough (ng/mL): dot = patient mean, line = lowest to highest level")
    handles, _ = ax.get_legend_handles_labels()
    groups = [g for g in ("CD", "UC", "pouchitis") if g in set(troughs["diagnosis"])]
    handles += [plt.Line2D([], [], color=GROUP_COLOURS[g], marker="o", lw=2, label=g) for g in groups]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    ax.set_title(title)
    return ax


def trough_by_outcome(troughs, *, target: tuple[float, float], outcome_order):
    """Mean trough per patient by end-of-follow-up outcome and by any adverse effect (two swarm
    panels, coloured by diagnosis), over the target band in grey. Returns the figure."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    panels = [
        ("outcome_end_of_follow_up", list(outcome_order), "Outcome at end of follow-up (Table 4)"),
        ("any_adverse_effect", [False, True], "Any adverse effect listed (Table 4)"),
    ]
    for ax, (column, order, label) in zip(axes, panels, strict=True):
        patient_points(
            data=troughs,
            x=column,
            y="mean_trough_ng_ml",
            hue="diagnosis",
            order=order,
            palette=GROUP_COLOURS,
            size=7,
            ax=ax,
            legend=ax is axes[1],
        )
        ax.axhspan(*target, color=BAND_COLOURS["target"], alpha=0.25, lw=0, zorder=0)
        ax.set_xlabel(label)
        ax.set_ylabel("mean trough (ng/mL)")
    axes[1].legend(title="diagnosis", frameon=False, fontsize=8, title_fontsize=8)
    axes[1].set_xticks([0, 1], ["none", "at least one"])
    fig.suptitle("Mean trough by outcome and by adverse effects (grey: target band of this run)")
    fig.tight_layout()
    return fig
