"""Which published rows are pooled for each outcome and time window, and the pooled tables and forest rows."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .meta import PooledProportion, pool_random_effects
from .this_cohort import THIS_COHORT_ID

_BAUMGART_TIME = "median treatment 12 months (range 1-137)"

#: The published observational series pooled for each outcome, as (study_id, arm, time_point):
#: like with like only. Whole-series rows (Baumgart's disease subgroups are part of its
#: whole-series row; Ogata's arms are a randomised trial with fixed trough targets; Ziring's
#: "prolonged" response is a durable-response outcome; the unidentified ref 21 has no count; the
#: fistula studies report other outcomes), and one time window per outcome, stated in
#: POOLING_WINDOWS: response early in treatment (Fellermann's 14 days, Ziring's initial response,
#: this cohort's week 4), remission over the medium term (Baumgart's median 12 months of
#: treatment, this cohort's end of follow-up). Left out for their window: Baumgart's response
#: (median 12 months, not early) and Fellermann's remission (1 month, not medium-term). A pool
#: of fewer than two published series is made only with this cohort added.
OBSERVATIONAL_SERIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "response": (
        ("fellermann2002", "tacrolimus", "14 days"),
        ("ziring2007", "tacrolimus", "initial"),
    ),
    "remission": (("baumgart2003", "tacrolimus", _BAUMGART_TIME),),
}

#: The time window each outcome is pooled over, and the series left out for theirs.
POOLING_WINDOWS: dict[str, str] = {
    "response": "early in treatment (within about a month): Baumgart et al.'s response, over a median 12 months of treatment, is left out",
    "remission": "medium term (months of treatment or follow-up): Fellermann et al.'s remission at 1 month is left out",
}

#: This cohort's whole-cohort row for each outcome (see :func:`cohort_rows`).
THIS_COHORT_POOLING_ROW: dict[str, tuple[str, str, str]] = {
    "response": (THIS_COHORT_ID, "all", "week 4"),
    "remission": (THIS_COHORT_ID, "all", "end of follow-up"),
}


def select_rows(frame: pd.DataFrame, outcome: str, keys: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    """The rows of ``frame`` with ``outcome`` and each (study_id, arm, time_point) of ``keys``, in order.

    Raises ``KeyError`` when a key matches no row or more than one, so that a change to the
    data cannot silently drop or double a study from a pooled estimate.
    """
    picked = []
    for study_id, arm, time_point in keys:
        match = frame[
            (frame["study_id"] == study_id)
            & (frame["arm"] == arm)
            & (frame["outcome"] == outcome)
            & (frame["time_point"] == time_point)
        ]
        if len(match) != 1:
            raise KeyError(f"{len(match)} rows for {study_id}/{arm}/{outcome}/{time_point}; expected 1")
        picked.append(match)
    return pd.concat(picked, ignore_index=True)


def pool_rows(
    rows: pd.DataFrame, *, method: str = "dl", alpha: float = 0.05, interval: str = "hksj"
) -> PooledProportion:
    """:func:`pool_random_effects` of the ``events``/``total`` of ``rows``, labelled by ``study``."""
    if rows[["events", "total"]].isna().any().any():
        raise ValueError("every pooled row needs events and total")
    return pool_random_effects(
        rows["events"].astype(int).to_list(),
        rows["total"].astype(int).to_list(),
        rows["study"].to_list(),
        method=method,
        alpha=alpha,
        interval=interval,
    )


def pooled_table(results: dict[str, PooledProportion]) -> pd.DataFrame:
    """One row per named pooled estimate (``PooledProportion.summary_frame``): proportion,
    primary CI (``interval``, HKSJ by default) and the Wald CI beside it, tau², I², Q, its
    p-value, k, studies."""
    if not results:
        return pd.DataFrame()
    return pd.concat([r.summary_frame(name) for name, r in results.items()], ignore_index=True)


def pooled_forest_rows(
    inputs: pd.DataFrame, pooled: dict[str, PooledProportion], published: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Forest rows of a pooled estimate: the rows pooled, then each pooled diamond, then published ones.

    ``inputs`` is :func:`forest_rows`-shaped (the union of every row pooled into any estimate
    of ``pooled``); ``pooled`` maps a label to a :class:`PooledProportion` (kind "pooled", the
    counts column gives k and I²); ``published`` is :func:`published_pooled`'s frame (kind
    "published_pooled", label study and time point).
    """
    rows = [inputs]
    diamonds = pd.DataFrame(
        {
            "label": list(pooled),
            "kind": "pooled",
            "proportion": [r.proportion for r in pooled.values()],
            "ci_low": [r.ci_low for r in pooled.values()],
            "ci_high": [r.ci_high for r in pooled.values()],
            "counts": [f"k={r.k}, I²={r.i2:.0%}" for r in pooled.values()],
        }
    )
    rows.append(diamonds)
    if published is not None and len(published):
        rows.append(
            pd.DataFrame(
                {
                    "label": (
                        published["study"].str.replace(r"\s*\(.*\)$", "", regex=True)
                        + " (published pooled): "
                        + published["time_point"]
                    ).to_list(),
                    "kind": "published_pooled",
                    "proportion": published["pooled_estimate"].to_list(),
                    "ci_low": published["pooled_ci_low"].to_list(),
                    "ci_high": published["pooled_ci_high"].to_list(),
                    "counts": "published",
                }
            )
        )
    columns = ["label", "kind", "arm", "proportion", "ci_low", "ci_high", "counts"]
    parts = [
        r.reindex(columns=columns).astype({"label": "string", "kind": "string", "arm": "string", "counts": "string"})
        for r in rows
        if len(r)
    ]
    return pd.concat(parts, ignore_index=True)


def published_pooled(literature: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The meta-analytic rows (``pooled_estimate`` present) of ``outcome``, e.g. Komaki et al. 2016."""
    rows = literature[(literature["outcome"] == outcome) & literature["pooled_estimate"].notna()]
    return rows[
        [
            "study",
            "population",
            "outcome_definition",
            "time_point",
            "pooled_estimate",
            "pooled_ci_low",
            "pooled_ci_high",
        ]
    ].reset_index(drop=True)
