"""Forest plots (notebook 06): the cohort beside published studies, and the pooled estimates by outcome."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .style import GROUP_COLOURS, interval_gid


def forest(
    rows, *, ax=None, title: str = "", xlabel: str = "proportion of patients (exact 95% CI)", legend: bool = True
):
    """Forest plot of proportions, one row per line of ``rows``, top to bottom.

    ``rows`` has columns label, kind, proportion, ci_low, ci_high, counts and, for this
    cohort's rows, arm. ``kind`` sets the marker: "study" (black square and exact interval),
    "percentage_only" (hollow square, no interval: the source gave only a percentage),
    "this_cohort" (circle in the diagnosis colour, label in bold), "pooled" (filled diamond
    spanning its interval), "published_pooled" (hollow diamond) and "header" (a group title,
    no marker; see ``literature.with_headers``). ``counts`` is written at the right. With
    ``legend=False`` no legend is drawn (use :func:`forest_handles` for a figure legend).

    One interval kind per kind of estimate: every single series (published or this cohort) has
    the exact Clopper-Pearson interval (``literature.forest_rows``), a pooled estimate the
    interval of its random-effects model (named in its row label), a published pooled estimate
    its publication's own; the legend names each.
    """
    import numpy as np
    from matplotlib.patches import Polygon

    ax = ax or plt.subplots(figsize=(9, 0.32 * len(rows) + 1.5))[1]
    y = np.arange(len(rows))[::-1]
    for yi, row in zip(y, rows.itertuples(index=False), strict=True):
        p, low, high = row.proportion, row.ci_low, row.ci_high
        if row.kind == "header":
            if yi < len(rows) - 1:  # a rule between groups
                ax.axhline(yi + 0.5, color="#dddddd", lw=0.8)
            continue
        if row.kind in ("pooled", "published_pooled"):
            filled = row.kind == "pooled"
            if np.isnan(low):
                ax.plot(p, yi, "D", color="black", mfc="black" if filled else "none", ms=9)
            else:
                ax.add_patch(
                    Polygon(
                        [[low, yi], [p, yi + 0.3], [high, yi], [p, yi - 0.3]],
                        closed=True,
                        facecolor="black" if filled else "none",
                        edgecolor="black",
                        gid=interval_gid("random_effects", "pooled")
                        if filled
                        else interval_gid("as_published", "published_pooled"),
                    )
                )
        else:
            colour = GROUP_COLOURS.get(row.arm, "#555555") if row.kind == "this_cohort" else "black"
            if not np.isnan(low):  # literature.forest_rows: Clopper-Pearson (literature.exact_intervals)
                ax.plot([low, high], [yi, yi], color=colour, lw=1.5, gid=interval_gid("clopper_pearson"))
            marker = "o" if row.kind == "this_cohort" else "s"
            ax.plot(
                p,
                yi,
                marker,
                color=colour,
                mfc="none" if row.kind == "percentage_only" else colour,
                ms=7,
                zorder=3,
                clip_on=False,
            )
        ax.annotate(row.counts, (1.01, yi), xycoords=("axes fraction", "data"), va="center", fontsize=8)
    ax.set_yticks(y, rows["label"], fontsize=8)
    for tick, kind in zip(ax.get_yticklabels(), rows["kind"], strict=True):
        tick.set_fontweight("bold" if kind in ("this_cohort", "header") else "normal")
        tick.set_fontsize(10 if kind == "header" else 8)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(xlabel)
    if legend:
        ax.legend(
            handles=forest_handles(rows["kind"]),
            loc="upper left",
            bbox_to_anchor=(0, -0.12),
            ncol=2,
            frameon=False,
            fontsize=8,
        )
    ax.set_title(title)
    return ax


def forest_handles(kinds) -> list:
    """Legend entries of :func:`forest` for the row kinds present in ``kinds`` (e.g. for ``fig.legend``)."""
    labels = {
        "study": plt.Line2D([], [], color="black", marker="s", label="published count (exact 95% CI)"),
        "percentage_only": plt.Line2D(
            [], [], color="black", marker="s", mfc="none", ls="", label="published percentage only (no count, no CI)"
        ),
        "this_cohort": plt.Line2D(
            [], [], color="#555555", marker="o", label="this cohort, exact 95% CI (colour = diagnosis; bold label)"
        ),
        "pooled": plt.Line2D(
            [], [], color="black", marker="D", ls="", label="random-effects pooled, 95% CI (this notebook)"
        ),
        "published_pooled": plt.Line2D(
            [], [], color="black", marker="D", mfc="none", ls="", label="published pooled estimate, 95% CI"
        ),
    }
    present = set(kinds)
    return [labels[k] for k in labels if k in present]


def pooled_forest_panels(
    rows_by_outcome: dict,
    *,
    xlabel: str = "proportion of patients (series: exact 95% CI; pooled: the interval its label names)",
):
    """One forest panel per outcome (``forest``), stacked, sharing one legend of row kinds.

    ``rows_by_outcome`` maps an outcome to its rows (``literature.pooled_forest_rows``: the
    series pooled, the random-effects estimates and any published pooled estimate).
    """
    import numpy as np

    fig, axes = plt.subplots(len(rows_by_outcome), 1, figsize=(9, 9), height_ratios=[9, 6][: len(rows_by_outcome)])
    kinds = set()
    for ax, (outcome, rows) in zip(np.atleast_1d(axes), rows_by_outcome.items(), strict=True):
        forest(
            rows,
            ax=ax,
            title=f"{outcome.capitalize()}: series pooled, and published pooled estimates",
            xlabel=xlabel,
            legend=False,
        )
        kinds |= set(rows["kind"])
    fig.legend(handles=forest_handles(kinds), loc="lower center", ncol=2, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
