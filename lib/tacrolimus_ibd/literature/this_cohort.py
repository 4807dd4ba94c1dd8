"""This cohort beside the published studies: its rates in the literature's shape, and what a forest plot shows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .meta import exact_intervals

#: study_id of the cohort analysed (any cohort) in comparison tables; its label comes from the
#: cohort's own dictionary (``data.cohort_description``).
THIS_COHORT_ID = "ng2007_this_cohort"

#: Diagnosis groups of the cohort, in display order; "all" is the whole cohort.
COHORT_ARMS = ("CD", "UC", "pouchitis", "all")


def cohort_rows(
    cohort: pd.DataFrame,
    *,
    label: str = "This cohort",
    design: str = "",
    population: str = "",
    response_source: str = "",
) -> pd.DataFrame:
    """This cohort's response and remission as rows shaped like ``literature.csv``.

    ``label``, ``design`` and ``population`` fill the ``study``, ``design`` and ``population``
    columns, and ``response_source`` (where the week-4 values come from) is added to the response
    definition in brackets: each cohort says them in its own dictionary (``data.cohort_description``).

    * response at week 4: ``cohort.week4_response`` (each value's basis in ``week4_response_basis``:
      stated or inferred), over patients with a value;
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
            "Clinical response or remission at week 4" + (f" ({response_source})" if response_source else ""),
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
                    "study": label,
                    "design": design,
                    "population": population,
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
