"""The claims audit's figure (notebook 07): claims by status and theme."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..labels import readable


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
