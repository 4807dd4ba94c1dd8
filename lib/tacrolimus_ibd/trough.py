"""Tacrolimus whole-blood trough levels (Table 5) against the target band, the reported summary and outcomes.

Table 5 of Ng, Arebi & Kamm (Inflamm Bowel Dis 2007;13:129-134) gives, for 14 of the 19
patients, the mean trough level and its range (lowest and highest single level). The Methods
aim for a trough of 5-10 ng/mL, the band of the low-trough arm of Ogata et al. (Gut
2006;55:1255-1262); Ogata's high-trough arm aimed for 10-15 ng/mL. Levels were measured
"approximately every 4 weeks for the duration of treatment" (Methods).

Functions here are small and pure; they take the joined cohort of
:func:`tacrolimus_ibd.data.cohort_from_tables` (or a frame made by :func:`trough_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import statistics

#: Where a value lies against a closed band [low, high].
BAND_POSITIONS = ("below", "in", "above")

#: Columns of :func:`trough_table`.
TROUGH_COLUMNS = [
    "diagnosis",
    "mean_trough_ng_ml",
    "trough_min_ng_ml",
    "trough_max_ng_ml",
    "tacrolimus_duration_months",
    "ongoing_tacrolimus",
    "outcome_end_of_follow_up",
    "outcome_end_of_follow_up_basis",
    "remission_end_of_follow_up",
    "any_adverse_effect",
]


def trough_table(cohort: pd.DataFrame) -> pd.DataFrame:
    """The patients listed in Table 5, one row each (index ``patient_id``), sorted by mean trough.

    Adds ``remission_end_of_follow_up`` (outcome category "remission"; nullable boolean, missing
    when the outcome is unknown) and ``any_adverse_effect`` (at least one adverse effect listed
    in Table 4). Patients without a Table 5 row are left out: see :func:`patients_without_trough`.
    """
    listed = cohort[cohort["in_table5"].astype(bool)].copy()
    outcome = listed["outcome_end_of_follow_up"]
    listed["remission_end_of_follow_up"] = outcome.eq("remission").astype("boolean").where(outcome.notna(), pd.NA)
    listed["any_adverse_effect"] = listed["adverse_effects"].map(len).gt(0)
    table = listed[TROUGH_COLUMNS]
    return table.sort_values(["mean_trough_ng_ml", "trough_max_ng_ml"], kind="stable")


def patients_without_trough(cohort: pd.DataFrame) -> pd.DataFrame:
    """The patients Table 5 does not list, with what else is known of them (selection check).

    Columns: diagnosis, treatment_months (Table 4), outcome_end_of_follow_up, adverse_effects
    (joined text) and ongoing_tacrolimus (always missing here).
    """
    missing = cohort[~cohort["in_table5"].astype(bool)]
    out = missing[["diagnosis", "treatment_months", "outcome_end_of_follow_up"]].copy()
    out["adverse_effects"] = missing["adverse_effects"].map(", ".join)
    return out


def band_position(values: pd.Series, low: float, high: float) -> pd.Series:
    """ "below", "in" or "above" the closed band ``[low, high]`` for each value (missing stays missing).

    A value equal to an end of the band is in it: the paper aims "for serum trough levels of
    5-10 ng/mL" without saying whether the ends are included, and the closed band is the usual
    clinical reading of a target range.
    """
    if not low <= high:
        raise ValueError(f"band needs low <= high, got {low}-{high}")
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    labels = np.select([v < low, v > high], ["below", "above"], default="in")
    return pd.Series(pd.Categorical(labels, categories=BAND_POSITIONS), index=values.index).where(v.notna())


def band_counts(position: pd.Series, groups: pd.Series | None = None) -> pd.DataFrame:
    """Patients below, in and above a band: one row per position (all three, zeros kept).

    With ``groups`` (e.g. diagnosis, same index) there is a column per group plus ``all``.
    """
    position = pd.Series(pd.Categorical(position, categories=BAND_POSITIONS), index=position.index)
    counts = pd.DataFrame({"all": position.value_counts(sort=False).reindex(list(BAND_POSITIONS), fill_value=0)})
    if groups is not None:
        by_group = pd.crosstab(position, groups.reindex(position.index), dropna=False).reindex(
            list(BAND_POSITIONS), fill_value=0
        )
        counts = pd.concat([by_group, counts], axis=1)
    counts.index.name = "position"
    return counts.astype(int)


def counts_in_bands(values: pd.Series, bands: pd.DataFrame) -> pd.DataFrame:
    """How many ``values`` lie in each closed band of ``bands`` (columns label, low, high).

    Bands are counted independently, so a value on a shared boundary (e.g. 10 ng/mL for the
    5-10 and 10-15 bands) counts in both. Adds the patients below the lowest and above the
    highest band, and the patient ids (from the index) in each row.
    """
    v = pd.to_numeric(values, errors="coerce").dropna()
    rows = []
    for band in bands.itertuples(index=False):  # a handful of bands
        inside = v[(v >= band.low) & (v <= band.high)]
        rows.append(
            {
                "band": band.label,
                "low": band.low,
                "high": band.high,
                "patients": len(inside),
                "patient_ids": _ids(inside.index),
            }
        )
    lowest, highest = bands["low"].min(), bands["high"].max()
    below, above = v[v < lowest], v[v > highest]
    rows.append(
        {
            "band": f"below {lowest:g}",
            "low": np.nan,
            "high": lowest,
            "patients": len(below),
            "patient_ids": _ids(below.index),
        }
    )
    rows.append(
        {
            "band": f"above {highest:g}",
            "low": highest,
            "high": np.nan,
            "patients": len(above),
            "patient_ids": _ids(above.index),
        }
    )
    out = pd.DataFrame(rows)
    out["of"] = len(v)
    return out


def assign_bands(values: pd.Series, bands: pd.DataFrame) -> pd.Series:
    """The label of the band (columns label, low, high) each value lies in, as an ordered categorical.

    Bands are closed and tried in ascending order of ``low``: a value on a boundary shared by two
    bands (e.g. 10 ng/mL for 5-10 and 10-15) goes to the lower band; :func:`counts_in_bands`
    counts it in both. Values below every band are "below <lowest low>", above every band
    "above <highest high>", and values in a gap between bands "between bands"; missing stays
    missing.
    """
    ordered = bands.sort_values("low", kind="stable")
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    lowest, highest = ordered["low"].min(), ordered["high"].max()
    below, above = f"below {lowest:g}", f"above {highest:g}"
    conditions = (
        [v < lowest]
        + [(v >= lo) & (v <= hi) for lo, hi in zip(ordered["low"], ordered["high"], strict=True)]
        + [v > highest]
    )
    choices = [below, *ordered["label"], above]
    labels = np.select(conditions, choices, default="between bands")
    categories = list(dict.fromkeys([below, *ordered["label"], "between bands", above]))
    return pd.Series(pd.Categorical(labels, categories=categories, ordered=True), index=values.index).where(v.notna())


def _ids(index) -> str:
    return " ".join(str(i) for i in sorted(index))


def summarise_troughs(troughs: pd.DataFrame) -> dict[str, float]:
    """Summaries of Table 5's trough columns that a reported "mean (range)" could correspond to.

    Keys: ``n`` (patients with a mean), ``mean_of_means`` and ``median_of_means`` (of the
    patient means), ``duration_weighted_mean`` (patient means weighted by months on tacrolimus,
    an approximation to the mean of all single levels since levels were measured about every
    4 weeks), ``lowest_single``/``highest_single`` (lowest ``trough_min_ng_ml``, highest
    ``trough_max_ng_ml``: the range of single levels) and ``lowest_mean``/``highest_mean`` (the
    range of the patient means). ``troughs`` is :func:`trough_table`'s frame (or the cohort).
    """
    means = troughs["mean_trough_ng_ml"].dropna()
    weights = troughs.loc[means.index, "tacrolimus_duration_months"]
    ok = weights.notna()
    weighted = float(np.average(means[ok], weights=weights[ok])) if ok.any() and weights[ok].sum() > 0 else float("nan")
    return {
        "n": int(len(means)),
        "mean_of_means": float(means.mean()),
        "median_of_means": float(means.median()),
        "duration_weighted_mean": weighted,
        "lowest_single": float(troughs["trough_min_ng_ml"].min()),
        "highest_single": float(troughs["trough_max_ng_ml"].max()),
        "lowest_mean": float(means.min()),
        "highest_mean": float(means.max()),
    }


#: Which computed summary may stand for which part of a reported "mean (range low-high)".
REPORTED_READINGS = {
    "mean": ["mean_of_means", "median_of_means", "duration_weighted_mean"],
    "min": ["lowest_single", "lowest_mean"],
    "max": ["highest_single", "highest_mean"],
}


def reported_vs_computed(summary: dict[str, float], reported: dict[str, float]) -> pd.DataFrame:
    """Set each reported value (``mean``, ``min``, ``max``) beside every summary that could be it.

    ``reported`` is the ledger's reported values (e.g. ``claims.reported("trough-mean")``, whose
    ``decimals`` give the printed precision; a plain dict is read at one decimal, as the paper
    prints troughs). A reading ``agrees`` when it prints as the reported value by the one
    agreement rule, ``claims.agreement`` (half-up or truncation at the printed precision);
    ``convention`` names the one that applied. Columns: reported_part, reported, reading,
    computed, difference (computed - reported), agrees, convention.
    """
    from .claims.agreement import agreement  # the one rule; imported here, as claims imports this module

    decimals = getattr(reported, "decimals", {})
    rows = []
    for part, readings in REPORTED_READINGS.items():
        if part not in reported:
            continue
        for reading in readings:
            result = agreement(float(summary[reading]), float(reported[part]), decimals=decimals.get(part, 1))
            rows.append(
                {
                    "reported_part": part,
                    "reported": float(reported[part]),
                    "reading": reading,
                    "computed": float(summary[reading]),
                    "agrees": result.agrees,
                    "convention": result.convention or "",
                }
            )
    out = pd.DataFrame(rows, columns=["reported_part", "reported", "reading", "computed", "agrees", "convention"])
    out.insert(4, "difference", out["computed"] - out["reported"])
    return out


#: Largest number of patients (both groups) for which mann_whitney_u uses the exact null
#: distribution; above it, scipy's normal approximation (a cohort of thousands would take hours).
MANN_WHITNEY_EXACT_LIMIT = 200

#: How a reader is told which Mann-Whitney U test was computed, by scipy's ``method`` name: the
#: a table's ``test`` column, and the short name prose uses (the report's appraisal).
MANN_WHITNEY_TESTS = {
    "exact": "Mann-Whitney U, exact, two-sided",
    "asymptotic": "Mann-Whitney U, normal approximation with continuity correction, two-sided",
    "none": "Mann-Whitney U, not computed (a group is empty)",
}
MANN_WHITNEY_SHORT = {
    "exact": "exact Mann-Whitney",
    "asymptotic": "Mann-Whitney, normal approximation",
    "none": "Mann-Whitney, not computed",
}


def mann_whitney_u(values: pd.Series, group: pd.Series) -> dict:
    """Two-sided Mann-Whitney U test of ``values`` between ``group`` True and False.

    scipy.stats.mannwhitneyu (Mann & Whitney, Ann Math Stat 1947), ``alternative="two-sided"``,
    with its ``method`` chosen here and passed explicitly: ``"exact"`` (the exact null
    distribution of U, valid without ties) up to ``MANN_WHITNEY_EXACT_LIMIT`` patients,
    ``"asymptotic"`` (the normal approximation with the tie and continuity corrections) above.
    Rows with a missing value or group are dropped. Returns n and median of each group, U (of
    the True group), the p-value, ``method`` (the one used, or "none" when a group is empty and
    U and p are NaN) and ``test`` (its name for a table, ``MANN_WHITNEY_TESTS``; prose uses
    ``MANN_WHITNEY_SHORT``).
    """
    frame = pd.DataFrame({"value": pd.to_numeric(values, errors="coerce"), "group": group}).dropna()
    is_true = frame["group"].astype(bool)
    x, y = frame.loc[is_true, "value"].to_numpy(float), frame.loc[~is_true, "value"].to_numpy(float)
    result = {
        "n_true": len(x),
        "n_false": len(y),
        "median_true": float(np.median(x)) if len(x) else float("nan"),
        "median_false": float(np.median(y)) if len(y) else float("nan"),
        "u": float("nan"),
        "p_value": float("nan"),
        "ties": bool(frame["value"].duplicated().any()),
        "method": "none",
        "test": MANN_WHITNEY_TESTS["none"],
    }
    if len(x) and len(y):
        # The exact distribution costs about n_true * n_false * (n_true + n_false): above the
        # limit the normal approximation (with the tie correction) is used and ``method`` says so.
        method = "exact" if len(x) + len(y) <= MANN_WHITNEY_EXACT_LIMIT else "asymptotic"
        test = stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method=method)
        result.update(
            u=float(test.statistic), p_value=float(test.pvalue), method=method, test=MANN_WHITNEY_TESTS[method]
        )
    return result


# Fisher's exact test of a 2x2 table lives with the other tests (statistics); kept here by name.
fisher_2x2 = statistics.fisher_2x2
