"""Published studies discussed by Ng, Arebi & Kamm (2007), and simple pooling of their proportions.

``data/paper/literature.csv`` holds one row per study arm and outcome: the published counts
(``events``/``total``) checked against each study's own abstract or paper, the study's own
percentage, what Ng et al. say of the study (``paper_account``) and where the two differ
(``disagreement``). It is the paper's, not a cohort's: ``paper.read_literature`` reads it once
(``study.literature``), and its data dictionary is the ``literature`` resource of
``data/paper/datapackage.json``.

Functions here are small and pure:

* :func:`exact_intervals` adds Clopper-Pearson (exact binomial) confidence intervals;
* :func:`pool_random_effects` pools proportions on the logit scale with a random-effects
  model (statsmodels' ``combine_effects``) and back-transforms the result;
* :func:`cohort_rows` puts this cohort's own rates in the same shape, :func:`forest_rows`
  gathers what a forest plot shows, :func:`select_rows` and :data:`OBSERVATIONAL_SERIES` name
  the rows that are pooled, :func:`pool_rows`/:func:`pooled_table` pool them, and
  :func:`trough_bands`, :func:`study_overview` and :func:`disagreements` tabulate the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint

from .paper import LITERATURE_COLUMNS

#: Columns of literature.csv, in order, with the pandas dtype each is read as (``paper.read_literature``).
COLUMNS = LITERATURE_COLUMNS

#: Continuity correction added to events and non-events of a study with 0 or all events.
CONTINUITY_CORRECTION = 0.5

_METHODS = {"dl": "dl", "chi2": "dl", "pm": "pm", "iterated": "pm"}


def exact_intervals(df: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """A copy of ``df`` with ``proportion``, ``ci_low`` and ``ci_high`` columns added.

    ``proportion`` is ``events / total``; the interval is the Clopper-Pearson (exact binomial)
    ``1 - alpha`` interval of statsmodels' ``proportion_confint(method="beta")``. Rows without
    both counts, or with ``total`` 0, get ``NaN``.
    """
    out = df.copy()
    events = pd.to_numeric(out["events"], errors="coerce").astype("float64")
    totals = pd.to_numeric(out["total"], errors="coerce").astype("float64")
    ok = events.notna() & totals.notna() & (totals > 0)
    out["proportion"] = np.nan
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    if ok.any():
        low, high = proportion_confint(events[ok].to_numpy(), totals[ok].to_numpy(), alpha=alpha, method="beta")
        out.loc[ok, "proportion"] = (events[ok] / totals[ok]).to_numpy()
        out.loc[ok, "ci_low"] = np.asarray(low, dtype=float)
        out.loc[ok, "ci_high"] = np.asarray(high, dtype=float)
    return out


@dataclass(frozen=True)
class PooledProportion:
    """Random-effects pooled proportion (back-transformed from the logit scale).

    ``ci_low``/``ci_high`` is the primary interval, named by ``interval``: by default the
    Hartung-Knapp-Sidik-Jonkman interval (``"hksj"``: the random-effects estimate's variance
    rescaled by the weighted residual dispersion, never below 1, with a t distribution on
    ``k - 1`` degrees of freedom; Hartung & Knapp, Stat Med 2001; Sidik & Jonkman, Stat Med
    2002; Roever et al. 2015 for the floor), which keeps its coverage with a handful of studies. ``wald_ci_low``/``wald_ci_high`` is the normal (Wald)
    interval of the same estimate (DerSimonian-Laird or Paule-Mandel, as ``method``), shown
    beside it. ``tau2`` is the between-study variance on the logit scale; ``i2`` is I-squared
    as a fraction (0-1); ``q`` is Cochran's Q with ``k - 1`` degrees of freedom and
    ``q_pvalue`` its chi-squared p-value. ``continuity_corrected`` lists the studies that
    received the 0.5 continuity correction.
    """

    proportion: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    q: float
    q_pvalue: float
    k: int
    method: str
    alpha: float
    labels: tuple[str, ...]
    continuity_corrected: tuple[str, ...]
    wald_ci_low: float = float("nan")
    wald_ci_high: float = float("nan")
    interval: str = "hksj"

    def summary_frame(self, name: str = "pooled") -> pd.DataFrame:
        """One row named ``name`` (column ``estimate``): proportion, primary interval, Wald
        interval, tau², I², Q with its degrees of freedom and p-value, k, method, studies."""
        return pd.DataFrame(
            [
                {
                    "estimate": name,
                    "proportion": self.proportion,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "interval": self.interval,
                    "wald_ci_low": self.wald_ci_low,
                    "wald_ci_high": self.wald_ci_high,
                    "tau2": self.tau2,
                    "i2": self.i2,
                    "q": self.q,
                    "q_df": self.k - 1,
                    "q_pvalue": self.q_pvalue,
                    "k": self.k,
                    "method": self.method,
                    "studies": "; ".join(self.labels),
                    "continuity_corrected": "; ".join(self.continuity_corrected),
                }
            ]
        )


def pool_random_effects(
    events: Sequence[int],
    totals: Sequence[int],
    labels: Sequence[str],
    *,
    method: str = "dl",
    alpha: float = 0.05,
    interval: str = "hksj",
) -> PooledProportion:
    """Pool proportions ``events/totals`` of ``k >= 2`` studies with a random-effects model.

    Each study's proportion is logit-transformed, ``log(x / (n - x))``, with variance
    ``1/x + 1/(n - x)``. A study with 0 or all events (where the logit is infinite) gets a
    continuity correction of 0.5 added to its events and its non-events (``x + 0.5`` of
    ``n + 1``); other studies are used as they are. The logits are combined by
    ``statsmodels.stats.meta_analysis.combine_effects``: ``method="dl"`` is
    DerSimonian-Laird (``method_re="chi2"``), ``"pm"`` Paule-Mandel (``"iterated"``). A
    negative DerSimonian-Laird moment estimate of tau^2 is truncated to 0, which makes the
    random-effects estimate equal the fixed-effect one. The pooled logit and its ``1 - alpha``
    intervals are back-transformed with the inverse logit: the Hartung-Knapp-Sidik-Jonkman
    interval (statsmodels' ``sd_eff_w_re_hksj`` with a t quantile on ``k - 1`` degrees of
    freedom; its "random effect wls" row with ``use_t=True``) and the Wald interval beside it.
    ``interval`` ("hksj" or "wald") names the one reported as ``ci_low``/``ci_high``. I^2 is
    ``max(0, (Q - df) / Q)`` (0 when Q is 0).
    """
    if interval not in ("hksj", "wald"):
        raise ValueError(f"interval must be 'hksj' or 'wald', not {interval!r}")
    x = np.asarray(events, dtype=float)
    n = np.asarray(totals, dtype=float)
    names = tuple(str(label) for label in labels)
    if not (x.ndim == n.ndim == 1 and len(x) == len(n) == len(names)):
        raise ValueError("events, totals and labels must be 1-d and of the same length")
    k = len(x)
    if k < 2:
        raise ValueError("pooling needs at least two studies")
    if np.any(np.isnan(x)) or np.any(np.isnan(n)):
        raise ValueError("events and totals must not be missing")
    if np.any(x != np.round(x)) or np.any(n != np.round(n)):
        raise ValueError("events and totals must be whole numbers")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        bad = [names[i] for i in range(k) if not (n[i] > 0 and 0 <= x[i] <= n[i])]
        raise ValueError(f"need 0 <= events <= totals and totals > 0; offending: {', '.join(bad)}")
    key = method.lower()
    if key not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, not {method!r}")
    method = _METHODS[key]

    extreme = (x == 0) | (x == n)
    xc = np.where(extreme, x + CONTINUITY_CORRECTION, x)
    nc = np.where(extreme, n + 2 * CONTINUITY_CORRECTION, n)
    effect = logit(xc / nc)
    variance = 1 / xc + 1 / (nc - xc)

    with np.errstate(divide="ignore", invalid="ignore"):  # Q = 0 makes statsmodels' own I^2 1/0
        res = combine_effects(effect, variance, method_re="chi2" if method == "dl" else "iterated", alpha=alpha)

    q = max(float(res.q), 0.0)
    df = k - 1
    tau2 = float(res.tau2)
    if tau2 > 0:
        mean, sd = float(res.mean_effect_re), float(res.sd_eff_w_re)
    else:  # no between-study variance: random effects reduce to the fixed-effect estimate
        tau2 = 0.0
        mean, sd = float(res.mean_effect_fe), float(res.sd_eff_w_fe)
    crit = stats.norm.isf(alpha / 2)
    wald = (float(expit(mean - crit * sd)), float(expit(mean + crit * sd)))
    # HKSJ with the ad hoc correction of Roever, Knapp & Friede (BMC Med Res Methodol 2015;15:99):
    # the dispersion factor is at least 1, so the interval is never narrower than the t-based one
    # without rescaling (with identical studies the raw HKSJ interval would have zero width).
    sd_hksj = max(float(res.sd_eff_w_re_hksj) if tau2 > 0 else float(res.sd_eff_w_fe_hksj), sd)
    t_crit = stats.t.isf(alpha / 2, df)
    hksj = (float(expit(mean - t_crit * sd_hksj)), float(expit(mean + t_crit * sd_hksj)))
    primary = hksj if interval == "hksj" else wald
    i2 = 0.0 if q <= df else (q - df) / q
    return PooledProportion(
        proportion=float(expit(mean)),
        ci_low=primary[0],
        ci_high=primary[1],
        wald_ci_low=wald[0],
        wald_ci_high=wald[1],
        interval=interval,
        tau2=tau2,
        i2=i2,
        q=q,
        q_pvalue=float(stats.chi2.sf(q, df)),
        k=k,
        method=method,
        alpha=alpha,
        labels=names,
        continuity_corrected=tuple(names[i] for i in range(k) if extreme[i]),
    )


# --- this cohort beside the published studies --------------------------------------------------

#: study_id and label of this compendium's own cohort (Ng, Arebi & Kamm 2007) in comparison tables.
THIS_COHORT_ID = "ng2007_this_cohort"
THIS_COHORT_STUDY = "This cohort (Ng et al. 2007)"

#: Diagnosis groups of the cohort, in display order; "all" is the whole cohort.
COHORT_ARMS = ("CD", "UC", "pouchitis", "all")


def cohort_rows(cohort: pd.DataFrame) -> pd.DataFrame:
    """This cohort's response and remission as rows shaped like ``literature.csv``.

    * response at week 4: ``cohort.week4_response`` (from the Results text, Table 3 being lost;
      most values are inferred, see ``week4_response_basis``), over patients with a value;
    * remission at the end of follow-up: ``outcome_end_of_follow_up == "remission"``
      (Table 4, and outcomes inferred from the text), over every patient of the arm (intention to
      treat, the denominator of notebook 04's key results): an unknown outcome is not an event.

    One row per outcome and arm (CD, UC, pouchitis, all); an arm with no patient with a known
    value is left out. ``note`` says how many values rest on an inferred reading. Columns:
    study_id, study, design, population, arm, outcome, outcome_definition, time_point, events,
    total, note.
    """
    outcome_known = cohort["outcome_end_of_follow_up"].notna()
    specs = [
        (
            "response",
            "week 4",
            "Clinical response or remission at week 4 (Results text; Table 3 lost)",
            cohort["week4_response"].astype("boolean"),
            cohort["week4_response_basis"].eq("inferred"),
        ),
        (
            "remission",
            "end of follow-up",
            "Remission at the end of follow-up: estimated CDAI < 150 (CD), inactive Truelove-Witts (UC), mPDAI < 5 (pouchitis)",
            cohort["outcome_end_of_follow_up"].eq("remission").astype("boolean").where(outcome_known, pd.NA),
            cohort["outcome_end_of_follow_up_basis"].eq("inferred"),
        ),
    ]
    rows = []
    for outcome, time_point, definition, values, inferred in specs:
        for arm in COHORT_ARMS:
            members = cohort.index if arm == "all" else cohort.index[cohort["diagnosis"] == arm]
            known = values[members].dropna()
            if known.empty:
                continue
            # Intention to treat, as notebook 04's key results (outcomes.denominator_mask): every
            # patient of the arm who started tacrolimus; an unknown outcome is not an event.
            unknown = len(members) - len(known)
            known = values[members].fillna(False)
            n_inferred = int(inferred[known.index].sum())
            rows.append(
                {
                    "study_id": THIS_COHORT_ID,
                    "study": THIS_COHORT_STUDY,
                    "design": "retrospective single-centre series of oral tacrolimus (target trough: ledger claim trough-target)",
                    "population": "Refractory IBD (Crohn's disease, ulcerative colitis, pouchitis)",
                    "arm": arm,
                    "outcome": outcome,
                    "outcome_definition": definition,
                    "time_point": time_point,
                    "events": int(known.astype(bool).sum()),
                    "total": int(len(known)),
                    "note": "; ".join(
                        part
                        for part in (
                            f"{n_inferred} of {len(known)} values inferred from the text" if n_inferred else "",
                            f"{unknown} with an unknown outcome counted in the denominator, not as an event (intention to treat, as notebook 04)"
                            if unknown
                            else "",
                        )
                        if part
                    ),
                }
            )
    out = pd.DataFrame(rows)
    for column in ("events", "total"):
        out[column] = out[column].astype("Int64")
    return out


def combine(literature: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """``literature`` rows followed by :func:`cohort_rows`' rows, with the literature's column types.

    Columns of either frame are kept; a column missing from one frame is missing (typed) there.
    """
    columns = list(dict.fromkeys([*literature.columns, *cohort.columns]))
    dtypes = {c: (literature[c].dtype if c in literature.columns else cohort[c].dtype) for c in columns}
    dtypes = {c: ("string" if pd.api.types.is_object_dtype(d) else d) for c, d in dtypes.items()}

    def aligned(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                c: frame[c].astype(dtypes[c]) if c in frame.columns else pd.Series(index=frame.index, dtype=dtypes[c])
                for c in columns
            },
            index=frame.index,
        )

    parts = [aligned(f) for f in (literature, cohort) if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else aligned(literature).iloc[0:0]


#: Kinds of forest-plot row, as :func:`forest_rows` labels them.
FOREST_KINDS = ("study", "percentage_only", "this_cohort")


_ARM_LABELS = {"tacrolimus": "", "tacrolimus_uc_subgroup": "UC subgroup", "tacrolimus_cd_subgroup": "CD subgroup"}


def _label(frame: pd.DataFrame) -> pd.Series:
    """Short row labels: "Study et al. year, arm: time point" (parenthetical asides dropped)."""
    study = frame["study"].str.replace(r"\s*\(.*\)$", "", regex=True)
    study = study.where(frame["study_id"] != THIS_COHORT_ID, "This cohort")
    arm = frame["arm"].fillna("").map(lambda a: _ARM_LABELS.get(a, a.replace("_", " ")))
    time = frame["time_point"].str.replace(r"\s*\(.*\)$", "", regex=True)
    return study + np.where(arm != "", ", " + arm, "") + ": " + time


def forest_rows(
    literature: pd.DataFrame,
    cohort: pd.DataFrame | None = None,
    outcomes: Sequence[str] = ("response", "remission"),
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The rows of a forest plot of ``outcomes``: published arms and this cohort's rates.

    ``literature`` is :func:`load_literature`'s frame (or :func:`combine`'s, or a selection of
    either); ``cohort`` is :func:`cohort_rows`'s. Pooled (meta-analysis) rows are left out. ``kind`` is "study" (a published count:
    proportion and Clopper-Pearson interval from :func:`exact_intervals`), "percentage_only"
    (the source gives only a percentage: ``proportion`` is that percentage / 100 and there is
    no interval; no count is back-computed) or "this_cohort". Rows with neither count nor
    percentage are left out (see :func:`rows_without_figures`). Ordered by outcome, then
    published rows by year, study and arm, then this cohort.
    """
    published = literature[literature["outcome"].isin(outcomes) & literature["pooled_estimate"].isna()]
    has_count = published["events"].notna() & published["total"].notna()
    pct_only = ~has_count & published["proportion_reported"].notna()
    kind = pd.Series(np.where(has_count, "study", "percentage_only"), index=published.index)
    published = published[has_count | pct_only].assign(kind=kind[has_count | pct_only])
    if cohort is not None:
        rows = combine(published, cohort[cohort["outcome"].isin(outcomes)].assign(kind="this_cohort"))
    else:
        rows = published.reset_index(drop=True)
    rows["kind"] = rows["kind"].where(
        rows["study_id"] != THIS_COHORT_ID, "this_cohort"
    )  # also when passed in ``literature``
    rows = exact_intervals(rows, alpha=alpha)
    is_pct = rows["kind"] == "percentage_only"
    rows.loc[is_pct, "proportion"] = rows.loc[is_pct, "proportion_reported"] / 100
    rows["label"] = _label(rows)
    rows["counts"] = np.where(
        rows["events"].notna() & rows["total"].notna(),
        rows["events"].astype("string").fillna("") + "/" + rows["total"].astype("string").fillna(""),
        "percentage only",
    )
    rows["outcome"] = pd.Categorical(rows["outcome"], categories=list(outcomes))
    rows["_this"] = rows["kind"].eq("this_cohort")
    rows["_arm"] = rows["arm"].map({a: i for i, a in enumerate(COHORT_ARMS)}).fillna(-1)
    rows = rows.sort_values(["outcome", "_this", "year", "study", "_arm", "arm"], kind="stable", na_position="last")
    keep = [
        "study_id",
        "study",
        "year",
        "arm",
        "outcome",
        "outcome_definition",
        "time_point",
        "kind",
        "label",
        "events",
        "total",
        "counts",
        "proportion_reported",
        "proportion",
        "ci_low",
        "ci_high",
    ]
    return rows[keep].reset_index(drop=True)


def with_headers(rows: pd.DataFrame, by: str = "outcome") -> pd.DataFrame:
    """``rows`` with a header row (``kind`` "header", ``label`` the group's name) before each group of ``by``."""
    parts = []
    for name, group in rows.groupby(by, sort=False, observed=True):
        header = pd.DataFrame({"label": [str(name).replace("_", " ").capitalize()], "kind": ["header"], by: [name]})
        parts += [header, group]
    out = pd.concat(
        [p.astype({c: rows[c].dtype for c in p.columns if c in rows.columns}) for p in parts], ignore_index=True
    )
    return out.reindex(columns=rows.columns)


def rows_without_figures(literature: pd.DataFrame, outcomes: Sequence[str] = ("response", "remission")) -> pd.DataFrame:
    """Published rows of ``outcomes`` with neither a count nor a percentage of their own."""
    rows = literature[
        literature["outcome"].isin(outcomes)
        & literature["pooled_estimate"].isna()
        & (literature["events"].isna() | literature["total"].isna())
        & literature["proportion_reported"].isna()
    ]
    return rows[["study", "arm", "outcome", "time_point", "paper_account", "disagreement"]].reset_index(drop=True)


# --- pooling ------------------------------------------------------------------------------------

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


# --- descriptive tables ------------------------------------------------------------------------


def trough_bands(literature: pd.DataFrame) -> pd.DataFrame:
    """The target trough bands recorded in ``literature.csv``: study, arm, low, high, label, source.

    One row per study and arm (outcome rows of the same arm share a band).
    """
    rows = literature.dropna(subset=["target_trough_low_ng_ml", "target_trough_high_ng_ml"])
    rows = rows.drop_duplicates(["study_id", "arm"])
    out = pd.DataFrame(
        {
            "study_id": rows["study_id"],
            "study": rows["study"],
            "arm": rows["arm"],
            "low": rows["target_trough_low_ng_ml"],
            "high": rows["target_trough_high_ng_ml"],
            "source": rows["target_trough_source"],
        }
    )
    out["label"] = (
        out["study"]
        + ", "
        + out["arm"].str.replace("_", " ", regex=False)
        + " ("
        + out["low"].map("{:g}".format)
        + "-"
        + out["high"].map("{:g}".format)
        + " ng/mL)"
    )
    return out.sort_values("low").reset_index(drop=True)


def study_overview(literature: pd.DataFrame) -> pd.DataFrame:
    """One row per study: year, design, population, arms, outcomes with their time points."""
    frame = literature.assign(outcome_at=literature["outcome"] + " (" + literature["time_point"] + ")")
    grouped = frame.groupby("study_id", sort=False)
    out = pd.DataFrame(
        {
            "study": grouped["study"].first(),
            "year": grouped["year"].first(),
            "design": grouped["design"].first(),
            "population": grouped["population"].first(),
            "arms": grouped["arm"].agg(lambda s: ", ".join(dict.fromkeys(s))),
            "outcomes (time point)": grouped["outcome_at"].agg(lambda s: "; ".join(dict.fromkeys(s))),
        }
    )
    return out.reset_index()


def disagreements(literature: pd.DataFrame) -> pd.DataFrame:
    """The rows where the paper's account of a study differs from the study's own figures.

    Columns: study, arm, outcome, time_point, paper_account (what Ng et al. say),
    study_figures (the study's count or percentage as recorded) and disagreement.
    """
    rows = literature[literature["disagreement"].notna()].copy()
    count = rows["events"].astype("string") + "/" + rows["total"].astype("string")
    pct = rows["proportion_reported"].map(lambda p: f"{p:g}%", na_action="ignore").astype("string")
    rows["study_figures"] = count.fillna(pct).fillna("none found")
    return rows[
        ["study", "arm", "outcome", "time_point", "paper_account", "study_figures", "disagreement"]
    ].reset_index(drop=True)
