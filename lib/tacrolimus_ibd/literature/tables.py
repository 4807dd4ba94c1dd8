"""Descriptive tables of the published studies: trough bands, an overview, and where the paper's account differs."""

from __future__ import annotations

import pandas as pd


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
