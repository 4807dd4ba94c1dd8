"""Counts and rates of the cohort's characteristics and outcomes, over stated denominators."""

from __future__ import annotations

import pandas as pd

GROUP_ORDER = ["CD", "UC", "pouchitis"]


def patients_with(treatments: pd.DataFrame, *, timing: str, drugs: str | list[str]) -> set[int]:
    """Patients with any of ``drugs`` in Table 2's ``timing`` column ("previous"/"concurrent")."""
    drugs = [drugs] if isinstance(drugs, str) else list(drugs)
    rows = treatments[(treatments["timing"] == timing) & treatments["drug"].isin(drugs)]
    return set(rows["patient_id"].astype(int))


def treatment_counts(treatments: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """Patients per drug and timing in Table 2, overall and by group, over all 19 patients."""
    groups = cohort["diagnosis"]
    rows = []
    for (timing, drug), part in treatments.groupby(["timing", "drug"], sort=True):
        ids = set(part["patient_id"].astype(int))
        row = {"timing": timing, "drug": drug, "patients": len(ids), "of": len(cohort)}
        for group in GROUP_ORDER:
            row[group] = sum(groups.get(i) == group for i in ids)
        row["patient_ids"] = " ".join(str(i) for i in sorted(ids))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["percent"] = 100 * table["patients"] / table["of"]
    return table.sort_values(["timing", "patients", "drug"], ascending=[False, False, True]).reset_index(drop=True)


def baseline_table(cohort: pd.DataFrame):
    """Table 1 of the paper by analysis group, made with tableone (Pollard et al., JAMIA Open 2018).

    Age and disease duration as mean [min, max], the summaries the paper reports; categorical
    rows as n (%). Returns the ``tableone.TableOne`` object (``.tableone`` is the DataFrame).
    """
    from tableone import TableOne

    frame = cohort.reset_index()
    frame["perianal_fistula"] = frame["perianal_fistula"].map({True: "yes", False: "no"})
    frame["previous_operation"] = frame["previous_operations"].ne("none_recorded").map({True: "yes", False: "no"})
    columns = ["age", "sex", "disease_duration_years", "disease_site", "perianal_fistula", "previous_operation"]
    return TableOne(
        frame,
        columns=columns,
        categorical=["sex", "disease_site", "perianal_fistula", "previous_operation"],
        min_max=["age", "disease_duration_years"],
        groupby="diagnosis",
        order={"diagnosis": GROUP_ORDER},
        rename={"age": "age, years", "disease_duration_years": "disease duration, years"},
        pval=False,
        missing=False,
        overall=True,
    )
