"""Deterministic figures: a fixed style and size, and files without timestamps or salts.

Matplotlib stamps PNGs with its version (stable for pinned versions) and, by default, SVGs
with a date and a random hash salt; both are fixed here so reruns give byte-identical files.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from .labels import readable
from .outputs import PER_PATIENT_DISPLAY_LIMIT, figure_record, save_figure_record, target

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


#: The one interval a chart draws around an observed proportion (``statistics.proportion_table``'s
#: column prefix): the exact binomial interval of Clopper & Pearson (Biometrika 1934;26:404-413).
#: Its coverage is never below the nominal level, which is what a small case series calls for
#: (Agresti & Coull, Am Stat 1998;52:119-126, on its conservatism and the alternatives), and it is
#: the interval clinical readers of such series expect. The tables keep the Wilson interval beside it.
CHART_INTERVAL = "clopper_pearson"

#: Artists that draw an interval carry the gid ``interval:<estimate>:<method>``, so that what a
#: chart shows can be read back from the figure (``figure_intervals``), not from its pixels.
INTERVAL_GID = "interval"


def _interval_gid(method: str, estimate: str = "proportion") -> str:
    return f"{INTERVAL_GID}:{estimate}:{method}"


def figure_intervals(fig: plt.Figure) -> dict[str, list[str]]:
    """The interval methods a figure draws, by the estimate they surround (e.g.
    ``{"proportion": ["clopper_pearson"]}``): read from the artists' gids, see ``INTERVAL_GID``."""
    found: dict[str, set[str]] = {}
    for artist in fig.findobj():
        gid = artist.get_gid()
        if isinstance(gid, str) and gid.startswith(INTERVAL_GID + ":"):
            _, estimate, method = gid.split(":", 2)
            found.setdefault(estimate, set()).add(method)
    return {estimate: sorted(methods) for estimate, methods in sorted(found.items())}


def figure_texts(fig: plt.Figure) -> list[str]:
    """Every non-empty visible text of a drawn figure, in artist order: titles, axis and tick
    labels, legend entries, annotations (tick labels are only filled in once the figure is drawn)."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def use_style() -> None:
    """Apply the compendium's fixed plotting style (call once per notebook)."""
    matplotlib.rcParams.update(STYLE)


def render_png(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes: fixed dpi, tight bounding box, no run-specific metadata."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


def save_figure(
    fig: plt.Figure,
    name: str,
    output_dir: str | Path | None,
    *,
    display: bool = True,
    alt: str | None = None,
    caption: str | None = None,
    appendix: bool | None = None,
) -> Path | None:
    """Save ``fig`` as ``output_dir/figures/<name>.png`` and show those same bytes.

    The figure is rendered once: the notebook displays exactly the file that is written
    (nothing is written when ``output_dir`` is None), and the figure is closed so that
    ``plt.show()`` or the end of the cell does not render it a second time.

    The figures manifest gets the figure's entry (``outputs.figure_record``: alt text, caption,
    appendix flag, from ``outputs.FIGURE_TEXT`` unless given here), and the displayed image
    carries the figure's name in its metadata, which is how the site knows which notebook, and
    which section of it, showed the figure. The metadata also records the intervals the figure
    draws (``figure_intervals``) and its texts (``figure_texts``), so that the committed
    notebooks can be checked for one interval kind per chart and for words, not code names.
    """
    png = render_png(fig)  # draws the figure: tick labels are filled in from here on
    path = target(output_dir, "figures", f"{name}.png")
    record = figure_record(name, alt=alt, caption=caption, appendix=appendix)
    if path is not None:
        path.write_bytes(png)
        save_figure_record(record, output_dir)
    if display:
        from IPython.display import Image
        from IPython.display import display as show

        # Shown at the size the screen resolution gives (savefig.dpi renders more pixels).
        width_px = int.from_bytes(png[16:20], "big")
        image = Image(data=png, format="png", width=round(width_px * STYLE["figure.dpi"] / STYLE["savefig.dpi"]))
        facts = {"figure": name, "intervals": figure_intervals(fig), "texts": figure_texts(fig)}
        show(image, metadata={"tacrolimus_ibd": facts})
        plt.close(fig)
    return path


# --- outcome figures (notebooks 03 and 04) ----------------------------------------------------


def cohort_dots(
    cohort, *, order, columns=(("age", "Age (years)"), ("disease_duration_years", "Disease duration (years)"))
):
    """One dot per patient for each of ``columns`` (column, axis label), one row per diagnosis
    group in ``order``: the spread behind each group's mean. Returns the figure."""
    fig, axes = plt.subplots(1, len(columns), figsize=(8, 3.2), sharey=True)
    for ax, (column, label) in zip(axes, columns, strict=False):
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
    for yi, row in zip(y, table.to_dict("records"), strict=False):
        name = row[label]
        colour = GROUP_COLOURS.get(name, "#555555")
        ax.plot(
            [row[f"{interval}_low"], row[f"{interval}_high"]],
            [yi] * 2,
            color=colour,
            lw=3,
            solid_capstyle="butt",
            gid=_interval_gid(interval),
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


def _aggregate_title(title: str, n: int, view: str) -> str:
    return f"{title}\n{n:,} patients, more than {PER_PATIENT_DISPLAY_LIMIT}: {view}, not one mark per patient"


def _groups_present(frame) -> list[str]:
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
    for group in _groups_present(frame):
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
    ax.set_title(_aggregate_title(title, len(frame), "share of each group still on tacrolimus by month"))
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
    for yi, (_pid, row) in zip(y, frame.iterrows(), strict=False):
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
    ax.set_yticks(y, [f"{pid} ({d})" for pid, d in zip(frame.index, frame["diagnosis"], strict=False)], fontsize=8)
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
        [0.12, -0.12], denominators, ["o", "s"], [GROUP_COLOURS["all"], "#E69F00"], strict=False
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
            bars.set_gid(_interval_gid(interval))
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

    labels = [f"{t}, {m}" for t, m in zip(table["test"], table["method"], strict=False)]
    rows = list(dict.fromkeys(labels))
    ax = ax or plt.subplots(figsize=(9, 0.6 * len(rows) + 1.5))[1]
    ax.axvspan(reported - half, reported + half, color="#F0E442", alpha=0.5, label="rounds to the reported P", lw=0)
    markers = {n: m for n, m in zip(sorted(table["n"].unique(), reverse=True), ["o", "s", "^", "D"], strict=False)}
    for (n, alternative), part in table.groupby(["n", "alternative"], sort=False):
        offset = 0.14 if alternative == "two-sided" else -0.14
        y = [
            len(rows) - 1 - rows.index(f"{t}, {m}") + offset for t, m in zip(part["test"], part["method"], strict=False)
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


# --- trough levels and published studies (notebooks 05 and 06) ---------------------------------

#: Shading of target trough bands: this paper's target, and the other study's bands.
BAND_COLOURS = {"target": "#999999", "other": "#CC79A7"}


def _trough_references(ax, target, bands, lines) -> None:
    ax.axvspan(
        *target,
        color=BAND_COLOURS["target"],
        alpha=0.25,
        lw=0,
        label=f"paper's target {target[0]:g}-{target[1]:g} ng/mL",
    )
    for low, high, label in bands:
        ax.axvspan(
            low, high, facecolor="none", edgecolor=BAND_COLOURS["other"], hatch="///", lw=0, alpha=0.6, label=label
        )
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
    _trough_references(ax, target, bands, lines)
    means = troughs["mean_trough_ng_ml"].to_numpy(dtype=float)
    top = float(np.nanmax(means)) if np.isfinite(means).any() else 1.0
    edges = np.arange(0.0, np.ceil(top) + 1.0, 1.0)
    for group in _groups_present(troughs):
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
    ax.set_title(_aggregate_title(title, len(troughs), "distribution of the patient means by group"))
    return ax


def trough_ranges(troughs, *, target: tuple[float, float], bands=(), lines=(), ax=None, title: str = ""):
    """Dot-and-range plot of Table 5: one row per patient, mean trough (dot) and range (line).

    Above ``PER_PATIENT_DISPLAY_LIMIT`` patients it draws ``trough_distribution`` instead (a
    histogram of the patient means per group), and the title says so.

    ``troughs`` is ``trough.trough_table`` (rows drawn top to bottom in the given order,
    coloured by diagnosis). ``target`` is the paper's target band, shaded grey; ``bands`` are
    further ``(low, high, label)`` bands, hatched; ``lines`` are ``(x, label, linestyle)``
    vertical reference lines (e.g. a reported mean).
    """
    import numpy as np

    if len(troughs) > PER_PATIENT_DISPLAY_LIMIT:
        return trough_distribution(troughs, target=target, bands=bands, lines=lines, ax=ax, title=title)
    ax = ax or plt.subplots(figsize=(8, 0.35 * len(troughs) + 1.8))[1]
    y = np.arange(len(troughs))[::-1]
    ax.axvspan(
        *target,
        color=BAND_COLOURS["target"],
        alpha=0.25,
        lw=0,
        label=f"paper's target {target[0]:g}-{target[1]:g} ng/mL",
    )
    for low, high, label in bands:
        ax.axvspan(
            low, high, facecolor="none", edgecolor=BAND_COLOURS["other"], hatch="///", lw=0, alpha=0.6, label=label
        )
    colours = troughs["diagnosis"].map(GROUP_COLOURS)
    ax.hlines(y, troughs["trough_min_ng_ml"], troughs["trough_max_ng_ml"], colors=colours, lw=2)
    ax.scatter(troughs["mean_trough_ng_ml"], y, c=colours, s=45, zorder=3, edgecolors="white", linewidths=0.5)
    for x, label, style in lines:
        ax.axvline(x, color="black", ls=style, lw=1, label=label)
    ax.set_yticks(y, [f"{pid} ({d})" for pid, d in zip(troughs.index, troughs["diagnosis"], strict=False)], fontsize=8)
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
    for ax, (column, order, label) in zip(axes, panels, strict=False):
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
    for yi, row in zip(y, rows.itertuples(index=False), strict=False):
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
                        gid=_interval_gid("random_effects", "pooled")
                        if filled
                        else _interval_gid("as_published", "published_pooled"),
                    )
                )
        else:
            colour = GROUP_COLOURS.get(row.arm, "#555555") if row.kind == "this_cohort" else "black"
            if not np.isnan(low):  # literature.forest_rows: Clopper-Pearson (literature.exact_intervals)
                ax.plot([low, high], [yi, yi], color=colour, lw=1.5, gid=_interval_gid("clopper_pearson"))
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
    for tick, kind in zip(ax.get_yticklabels(), rows["kind"], strict=False):
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


# --- disease-activity scales (notebook 02) ---------------------------------------------------

#: One light tint per activity band, pale for quiet and stronger for severe disease.
ACTIVITY_COLOURS = {
    "remission": "#DDEFD6",
    "inactive": "#DDEFD6",
    "mild": "#FFF3B0",
    "moderate": "#FDD49E",
    "severe": "#F4A582",
    "pouchitis": "#F4A582",
}


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
    for ax, (outcome, rows) in zip(np.atleast_1d(axes), rows_by_outcome.items(), strict=False):
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
    for y, row in zip(ys, reported.itertuples(), strict=False):
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
        starts = [r if v >= 0 else l_ + v for v, r, l_ in zip(values, right, left, strict=False)]
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
        right = [r + max(v, 0) for v, r in zip(values, right, strict=False)]
        left = [l_ + min(v, 0) for v, l_ in zip(values, left, strict=False)]
    totals = points.sum(axis=1).tolist()
    ax.plot(totals, ys, "D", color="black", ms=6, label="total", zorder=3)
    for total, end, y in zip(totals, right, ys, strict=False):
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


# --- the claims audit (notebook 07) --------------------------------------------------------------


def claims_by_status_and_theme(
    status_counts,
    theme_counts,
    *,
    colours: dict,
    statuses,
    title: str = "Claims of Ng et al. (2007) against the published data",
):
    """Claims by verdict (bars) and, beside them, by theme (stacked bars coloured by verdict).

    ``status_counts`` has columns status, claims; ``theme_counts`` one row per theme and a column
    per status (``claims.status_counts``, ``claims.theme_counts``); ``colours`` maps a status to
    its colour (``claims.STATUS_COLOURS``). Returns the figure.
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    fig, (ax_status, ax) = plt.subplots(1, 2, figsize=(10, 4.6), gridspec_kw={"width_ratios": [1, 2.6]})
    names = [readable(s) for s in status_counts["status"]]
    bars = ax_status.bar(names, status_counts["claims"], color=[colours[s] for s in status_counts["status"]])
    ax_status.bar_label(bars, padding=2)
    ax_status.set_ylabel("Claims")
    ax_status.set_ylim(0, status_counts["claims"].max() * 1.15)
    ax_status.set_title("All claims by verdict")
    # rotated about their right end, so that neighbouring verdicts do not overlap
    plt.setp(ax_status.get_xticklabels(), rotation=35, ha="right", rotation_mode="anchor")
    themes = theme_counts.set_index("theme")
    left = np.zeros(len(themes))
    for status in statuses:
        values = themes[status].to_numpy()
        bars = ax.barh(themes.index, values, left=left, color=colours[status], label=readable(status))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center", color="white", fontsize=9)
        left += values
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Claims")
    ax.set_title("By theme")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(statuses), frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
