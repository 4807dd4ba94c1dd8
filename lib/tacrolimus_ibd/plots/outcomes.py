"""Outcome figures (notebooks 03 and 04): cohort dots, proportions with their interval, the swimmer plot
(or its aggregate above the per-patient limit), rates by denominator, survival curves, P values."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..labels import readable
from ..outputs import PER_PATIENT_DISPLAY_LIMIT
from .style import CHART_INTERVAL, GROUP_COLOURS, interval_gid


def cohort_dots(
    cohort, *, order, columns=(("age", "Age (years)"), ("disease_duration_years", "Disease duration (years)"))
):
    """One dot per patient for each of ``columns`` (column, axis label), one row per diagnosis
    group in ``order``: the spread behind each group's mean. Returns the figure."""
    fig, axes = plt.subplots(1, len(columns), figsize=(8, 3.2), sharey=True)
    for ax, (column, label) in zip(axes, columns, strict=True):
        patient_points(
            data=cohort,
            x=column,
            y="diagnosis",
            hue="diagnosis",
            order=list(order),
            palette=GROUP_COLOURS,
            size=7,
            ax=ax,
            legend=False,
        )
        ax.set_xlabel(label)
        ax.set_ylabel("")
    fig.suptitle("Age and disease duration at the start of tacrolimus, one dot per patient")
    fig.tight_layout()
    return fig


def proportion_intervals(
    table,
    *,
    ax=None,
    label: str = "group",
    reported: dict | None = None,
    title: str = "",
    interval: str = CHART_INTERVAL,
):
    """Proportions with one kind of interval, one row per group.

    ``table`` is the output of ``statistics.proportion_table`` (columns proportion,
    ``<interval>_low``/``_high``, events, total); ``interval`` names the interval drawn
    (``CHART_INTERVAL`` by default: Clopper-Pearson, Biometrika 1934), and the legend names it.
    The table keeps the other interval: the chart shows one, so the reader compares groups, not
    methods. ``reported`` maps a row label to a reported proportion, drawn as a hollow diamond.
    """
    import numpy as np

    ax = ax or plt.subplots(figsize=(7, 0.7 + 0.7 * len(table)))[1]
    y = np.arange(len(table))[::-1]
    for yi, row in zip(y, table.to_dict("records"), strict=True):
        name = row[label]
        colour = GROUP_COLOURS.get(name, "#555555")
        ax.plot(
            [row[f"{interval}_low"], row[f"{interval}_high"]],
            [yi] * 2,
            color=colour,
            lw=3,
            solid_capstyle="butt",
            gid=interval_gid(interval),
        )
        ax.plot(row["proportion"], yi, "o", color=colour, ms=8, zorder=3)
        ax.annotate(
            f"{row['events']}/{row['total']}", (1.02, yi), xycoords=("axes fraction", "data"), va="center", fontsize=9
        )
        if reported and name in reported:
            ax.plot(reported[name], yi, "D", mfc="none", mec="black", ms=10, zorder=4)
    handles = [
        plt.Line2D([], [], color="#555555", marker="o", ls="", label="proportion (data)"),
        plt.Line2D([], [], color="#555555", lw=3, label=readable(interval)),
    ]
    if reported:
        handles.append(plt.Line2D([], [], marker="D", mfc="none", mec="black", ls="", label="reported"))
    ax.set_yticks(y, table[label])
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
    ax.set_xlabel("proportion of patients")
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0, -0.25), ncol=len(handles), frameon=False, fontsize=8
    )
    ax.set_title(title)
    return ax


# Above outputs.PER_PATIENT_DISPLAY_LIMIT patients a figure with one mark per patient (swimmer
# plot, per-patient troughs) is unreadable and slow to draw: it switches to an aggregate view of
# the same column (one curve or histogram per group) and its title says so (issue #13 item 5).


def aggregate_title(title: str, n: int, view: str) -> str:
    return f"{title}\n{n:,} patients, more than {PER_PATIENT_DISPLAY_LIMIT}: {view}, not one mark per patient"


def groups_present(frame) -> list[str]:
    present = set(frame["diagnosis"])
    return [g for g in ("CD", "UC", "pouchitis") if g in present]


def patient_points(*, data, ax, size: float = 7, **kwargs):
    """One dot per patient (seaborn's swarmplot) up to ``PER_PATIENT_DISPLAY_LIMIT`` patients;
    above it, one box per category (seaborn's boxplot: median, quartiles, 1.5 IQR whiskers,
    Tukey 1977), with the axis title saying so. ``kwargs`` are swarmplot's (x, y, hue, order,
    palette, legend)."""
    import seaborn as sns

    if len(data) <= PER_PATIENT_DISPLAY_LIMIT:
        return sns.swarmplot(data=data, ax=ax, size=size, **kwargs)
    sns.boxplot(data=data, ax=ax, fliersize=1.5, linewidth=0.8, **kwargs)
    ax.set_title(
        f"{len(data):,} patients, more than {PER_PATIENT_DISPLAY_LIMIT}: box plots, not one dot per patient", fontsize=8
    )
    return ax


def swimmer_aggregate(frame, *, ax=None, title: str = "Time on tacrolimus"):
    """The swimmer plot's aggregate view, for cohorts above ``PER_PATIENT_DISPLAY_LIMIT``.

    One step curve per diagnosis group: the share of the group's patients with at least x
    months on tacrolimus (one minus the empirical distribution function of ``months``; stops
    are not censoring, so this is not a survival estimate). Patients without a duration are
    counted in the legend, not drawn as zero.
    """
    import numpy as np

    ax = ax or plt.subplots(figsize=(9, 5))[1]
    for group in groups_present(frame):
        months = frame.loc[frame["diagnosis"] == group, "months"].to_numpy(dtype=float)
        known = np.sort(months[~np.isnan(months)])
        missing = len(months) - len(known)
        label = f"{group} ({len(known):,} patients" + (f"; {missing:,} without a duration)" if missing else ")")
        if len(known):
            x = np.concatenate([[0.0], known])
            share = 1.0 - np.arange(len(known) + 1) / len(known)
            ax.step(x, share, where="post", color=GROUP_COLOURS[group], lw=2, label=label)
        else:
            ax.plot([], [], color=GROUP_COLOURS[group], label=label)
    ax.set_xlim(0, None)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("months since the start of tacrolimus")
    ax.set_ylabel("share of the group with at least this long on tacrolimus")
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    ax.set_title(aggregate_title(title, len(frame), "share of each group still on tacrolimus by month"))
    return ax


def swimmer(frame, *, ax=None, title: str = "Time on tacrolimus, one bar per patient"):
    """Swimmer plot from ``outcomes.swimmer_data``: a bar per patient for the months on tacrolimus.

    Above ``PER_PATIENT_DISPLAY_LIMIT`` patients it draws ``swimmer_aggregate`` instead (one
    curve per group), and the title says so.

    Bars are coloured by diagnosis; a thin grey line continues to the end of follow-up (Table 5)
    where known; at the bar's end an arrow marks treatment ongoing at the end of follow-up, a
    cross a stop for side effects, a bar a stop without a recorded side effect and "?" an
    unknown status; hatched bars take their duration from Table 5; a triangle marks the relapse
    month of Table 4 (hollow where the cell's reading needed judgement); the outcome at the end
    of follow-up is written at the right. Patients without any duration are listed by name, not
    drawn as zero.
    """
    import numpy as np
    import pandas as pd

    if len(frame) > PER_PATIENT_DISPLAY_LIMIT:
        return swimmer_aggregate(frame, ax=ax, title=title.removesuffix(", one bar per patient"))
    order = {"CD": 0, "UC": 1, "pouchitis": 2}
    frame = frame.assign(_group=frame["diagnosis"].map(order), _months=frame["months"].fillna(-1))
    frame = frame.sort_values(["_group", "_months"], ascending=[False, True])
    ax = ax or plt.subplots(figsize=(9, 0.32 * len(frame) + 1.6))[1]
    y = np.arange(len(frame))
    right = float(np.nanmax(frame[["months", "follow_up_months", "relapse_month"]].to_numpy(dtype=float))) + 1
    for yi, (_pid, row) in zip(y, frame.iterrows(), strict=True):
        colour = GROUP_COLOURS[row["diagnosis"]]
        if np.isnan(row["months"]):
            ax.text(0.1, yi, "no duration reported", va="center", fontsize=8, style="italic", color="#555555")
        else:
            ax.barh(
                yi,
                row["months"],
                height=0.6,
                color=colour,
                hatch="///" if row["duration_source"] == "Table 5" else None,
                edgecolor="white",
                lw=0,
            )
            if row["follow_up_months"] > row["months"]:
                ax.plot([row["months"], row["follow_up_months"]], [yi, yi], color="#999999", lw=1)
            if pd.isna(row["stopped"]):
                ax.text(row["months"] + 0.15, yi, "?", va="center", fontsize=9, weight="bold")
            elif not row["stopped"]:
                ax.plot(row["months"] + 0.25, yi, ">", color="black", ms=6)
            elif row["stopped_for_side_effects"]:
                ax.plot(row["months"], yi, "X", color="black", ms=8, mec="white", mew=0.5)
            else:
                ax.plot(row["months"], yi, "|", color="black", ms=12, mew=2)
        if not np.isnan(row["relapse_month"]):
            ax.plot(
                row["relapse_month"],
                yi + 0.38,
                "v",
                ms=7,
                color="#CC79A7",
                mfc="none" if row["relapse_ambiguous"] else "#CC79A7",
                mew=1.5,
            )
        outcome = row["outcome"] if isinstance(row["outcome"], str) else "not reported"
        outcome += " (inferred)" if row.get("outcome_basis") == "inferred" else ""
        ax.text(right + 0.3, yi, outcome, va="center", fontsize=8)
    ax.set_yticks(y, [f"{pid} ({d})" for pid, d in zip(frame.index, frame["diagnosis"], strict=True)], fontsize=8)
    ax.set_ylabel("patient (diagnosis)")
    ax.set_xlim(0, right + 4)
    ax.set_xticks(np.arange(0, right, 2))
    ax.set_ylim(-0.7, len(frame) - 0.3)
    ax.axvline(right, color="#dddddd", lw=0.8)
    ax.text(right + 0.3, len(frame) - 0.5, "outcome at end\nof follow-up", fontsize=8, va="bottom", weight="bold")
    ax.set_xlabel("months since the start of tacrolimus")
    handles = [plt.Rectangle((0, 0), 1, 1, color=GROUP_COLOURS[g], label=g) for g in ("CD", "UC", "pouchitis")]
    handles += [
        plt.Rectangle(
            (0, 0),
            1,
            1,
            facecolor="#999999",
            hatch="///",
            edgecolor="white",
            lw=0,
            label="duration from Table 5 (no Table 4 row)",
        ),
        plt.Line2D([], [], color="#999999", lw=1, label="follow-up after stopping (Table 5)"),
        plt.Line2D([], [], marker=">", color="black", ls="", label="ongoing at end of follow-up"),
        plt.Line2D([], [], marker="|", color="black", ls="", ms=12, mew=2, label="stopped, no side effect recorded"),
        plt.Line2D([], [], marker="$?$", color="black", ls="", label="status at end unknown"),
        plt.Line2D([], [], marker="X", color="black", ls="", ms=8, label="stopped for side effects"),
        plt.Line2D([], [], marker="v", color="#CC79A7", ls="", label="relapse (Table 4 month)"),
        plt.Line2D(
            [], [], marker="v", color="#CC79A7", mfc="none", mew=1.5, ls="", label="relapse, ambiguous cell reading"
        ),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.09), ncol=3, frameon=False, fontsize=8)
    ax.set_title(title)
    return ax


def rates_by_denominator(
    overall,
    *,
    denominators,
    ax=None,
    title: str = "Medium-term rates, all patients, by denominator",
    interval: str = CHART_INTERVAL,
):
    """Each rate over each denominator: the proportion with one kind of interval (``interval``,
    by default ``CHART_INTERVAL``: Clopper & Pearson, Biometrika 1934), one row per rate, the
    denominators side by side. Rates and denominators are named in words (``labels.readable``).

    ``overall`` has columns rate, denominator, proportion, ``<interval>_low``/``_high`` (rows of
    ``statistics.proportion_table`` for one group); ``denominators`` are the two drawn.
    """
    ax = ax or plt.subplots(figsize=(9, 4))[1]
    order = list(overall["rate"].unique())
    y = range(len(order))[::-1]
    for offset, d, marker, colour in zip(
        [0.12, -0.12], denominators, ["o", "s"], [GROUP_COLOURS["all"], "#E69F00"], strict=True
    ):
        part = overall[overall["denominator"] == d].set_index("rate").reindex(order)
        drawn = ax.errorbar(
            part["proportion"],
            [v + offset for v in y],
            xerr=[part["proportion"] - part[f"{interval}_low"], part[f"{interval}_high"] - part["proportion"]],
            fmt=marker,
            color=colour,
            capsize=2,
            label=readable(d),
        )
        for bars in drawn.lines[2]:
            bars.set_gid(interval_gid(interval))
    ax.set_yticks(list(y), [readable(r) for r in order])
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(f"proportion of patients, with its {readable(interval)}")
    ax.legend(
        title="denominator", frameon=False, fontsize=8, title_fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.18)
    )
    ax.set_title(title)
    return ax


def survival_curves(curves: dict, *, ax=None, xlabel: str = "months", ylabel: str = "probability", title: str = ""):
    """Kaplan-Meier step curves (statsmodels ``SurvfuncRight``) with censored times ticked.

    ``curves`` maps a legend label to a fitted SurvfuncRight, or to (SurvfuncRight, style dict).
    """
    import numpy as np

    ax = ax or plt.subplots(figsize=(7, 4))[1]
    for label, spec in curves.items():
        sf, style = spec if isinstance(spec, tuple) else (spec, {})
        times = np.r_[0.0, sf.surv_times]
        probs = np.r_[1.0, sf.surv_prob]
        line = ax.step(times, probs, where="post", label=label, **style)[0]
        censored = np.unique(sf.time[sf.status == 0])
        at = probs[np.searchsorted(times, censored, side="right") - 1]
        ax.plot(censored, at, "|", color=line.get_color(), ms=10, mew=1.5)
        last = float(np.max(sf.time))
        if last > times[-1]:
            ax.plot(
                [times[-1], last],
                [probs[-1]] * 2,
                color=line.get_color(),
                ls=line.get_linestyle(),
                lw=line.get_linewidth(),
            )
    ax.plot([], [], "|", color="#555555", ms=10, mew=1.5, label="censored (still on tacrolimus)")
    ax.set_ylim(0, 1.05)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.axhline(0.5, color="#bbbbbb", lw=0.8, ls=":")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.set_title(title)
    return ax


def p_value_dots(table, *, reported: float, ax=None, title: str = ""):
    """P-values of ``statistics.all_positive_paired_tests`` on a log scale, one row per test setting.

    The band marks the values that round to the reported p-value at its printed decimals.
    """
    from decimal import Decimal

    import numpy as np

    digits = max(0, -Decimal(repr(float(reported))).normalize().as_tuple().exponent)
    half = 0.5 * 10.0**-digits
    import textwrap

    labels = [f"{t}, {m}" for t, m in zip(table["test"], table["method"], strict=True)]
    rows = list(dict.fromkeys(labels))
    ax = ax or plt.subplots(figsize=(9, 0.6 * len(rows) + 1.5))[1]
    if table.empty:  # a cohort without CD patients assessed at week 4: no CDAI fall to test
        ax.text(0.5, 0.5, "no p-value: no CD patient to test in this cohort", transform=ax.transAxes, ha="center")
        ax.set_axis_off()
        ax.set_title(title)
        return ax
    ax.axvspan(reported - half, reported + half, color="#F0E442", alpha=0.5, label="rounds to the reported P", lw=0)
    # one marker per sample size compared (at most four): the list is longer, zip stops at the sizes
    markers = {n: m for n, m in zip(sorted(table["n"].unique(), reverse=True), ["o", "s", "^", "D"], strict=False)}
    for (n, alternative), part in table.groupby(["n", "alternative"], sort=False):
        offset = 0.14 if alternative == "two-sided" else -0.14
        y = [
            len(rows) - 1 - rows.index(f"{t}, {m}") + offset for t, m in zip(part["test"], part["method"], strict=True)
        ]
        filled = alternative == "two-sided"
        ax.plot(
            part["p_value"],
            y,
            markers[n],
            ls="",
            color="#222222" if filled else "#888888",
            mfc=None if filled else "none",
            ms=7,
            label=f"n = {n}, {'two-sided' if filled else f'one-sided ({alternative})'}",
        )
    ax.set_xscale("log")
    ticks = [
        t
        for t in (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0)
        if table["p_value"].min() / 1.5 <= t <= table["p_value"].max() * 1.5
    ]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(np.arange(len(rows))[::-1], [textwrap.fill(r, 30) for r in rows], fontsize=8)
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.set_xlabel("p-value (log scale)")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title)
    return ax
