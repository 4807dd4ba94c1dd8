"""Stage 4: reading the tables, and what a per-column schema cannot express (one spelling, the text's
facts against the fact vocabulary, one row per patient, values that agree across columns)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .dictionary import as_list
from .files import schema_fields
from .problems import Problem, file_label
from .rules import (
    FACT_VOCABULARY,
    FALSE_VALUES,
    INTEGER,
    NUMBER,
    PER_PATIENT_TABLES,
    TABLE5_LISTED_COLUMNS,
    TRUE_VALUES,
)


def _spelling_problem(kind: str, field: dict, value: str) -> str | None:
    if kind == "boolean" and value not in TRUE_VALUES + FALSE_VALUES:
        return f"{value!r} is not a boolean: allowed {', '.join(TRUE_VALUES + FALSE_VALUES)} (lower case), or empty if missing"
    if kind == "integer" and not INTEGER.fullmatch(value):
        return f"{value!r} is not a whole number written in digits (leave the cell empty if missing)"
    if kind == "integer" and not -(2**63) < int(value) < 2**63:
        return f"{value!r} is too large a whole number to be read (at most 19 digits)"
    if kind == "number" and not (NUMBER.fullmatch(value) and math.isfinite(float(value))):
        return f"{value!r} is not a finite number written in digits, such as 4 or 4.5 (leave the cell empty if missing)"
    return None


def read_table(data_dir: Path, res: dict) -> tuple[pd.DataFrame, list[Problem]]:
    """One table typed as its dictionary says, and the cells that would not read as they are.

    The reader is explicit (comma-delimited UTF-8, a header row, the dictionary's missing
    values, booleans only as true/false), and a cell that is not missing but does not read as
    its type is a problem, never a silent missing value."""
    fields = schema_fields(res)
    where = file_label(data_dir, res["path"])
    missing = res["schema"].get("missingValues", [""])
    frame = pd.read_csv(
        data_dir / res["path"],
        sep=",",
        header=0,
        dtype=str,
        keep_default_na=False,
        na_values=missing,
        encoding="utf-8-sig",
        skip_blank_lines=True,
    )
    problems = []
    for field in fields:
        name, kind = field["name"], field.get("type", "string")
        if name not in frame.columns:  # an optional column the file leaves out: missing throughout
            frame[name] = pd.Series(None, index=frame.index, dtype=object)
        raw = frame[name]
        if kind != "string":
            # Each distinct spelling is checked once (a cohort of any size has few), then the
            # refused ones are found in one pass: problems stay in row order.
            present = raw[raw.notna()]
            why_by_value = {value: _spelling_problem(kind, field, value) for value in present.unique()}
            bad = {value: why for value, why in why_by_value.items() if why}
            if bad:
                refused = present[present.isin(list(bad))]
                problems += [Problem(where, i + 2, name, bad[value]) for i, value in refused.items()]
                raw = raw.mask(raw.index.isin(refused.index))
        if kind == "boolean":
            frame[name] = raw.map(
                {**dict.fromkeys(TRUE_VALUES, True), **dict.fromkeys(FALSE_VALUES, False)}, na_action="ignore"
            ).astype("boolean")
        elif kind in ("integer", "number"):
            frame[name] = pd.to_numeric(raw).astype("Int64" if kind == "integer" else "float64")
        else:
            frame[name] = raw.astype(object).where(raw.notna(), None)
    return frame[[f["name"] for f in fields]], problems


def _format_rule(rule: dict) -> str:
    if rule["type"] == "boolean":
        return f"{' or '.join(TRUE_VALUES + FALSE_VALUES)}"
    if "enum" in rule:
        return "one of " + ", ".join(rule["enum"])
    return {"number": "a number", "integer": "a whole number", "string": "text"}[rule["type"]]


def fact_problems(data_dir: Path, res: dict, facts: pd.DataFrame) -> list[Problem]:
    """Each value of the facts table checked against its fact in the dictionary's vocabulary:
    allowed values, typed numbers within their range, the unit, one spelling of true/false."""
    vocabulary = res[FACT_VOCABULARY]
    where = file_label(data_dir, res["path"])
    problems = []
    # Each distinct (fact, value, unit) is judged once; the rows then take its problems in
    # row order (a cohort of any size has few distinct triples).
    columns = [[None if pd.isna(v) else v for v in facts[c].tolist()] for c in ("fact", "value", "unit")]
    verdicts: dict[tuple, list[tuple[str, str]]] = {}
    for i, key in zip(facts.index, zip(*columns, strict=True), strict=True):
        if key not in verdicts:
            verdicts[key] = _fact_problems(vocabulary, *key)
        for column, message in verdicts[key]:
            problems.append(Problem(where, i + 2, column, message))
    present = {fact: set(facts.loc[facts["fact"] == fact, "patient_id"]) for fact in vocabulary}
    for fact, rule in vocabulary.items():
        for other in as_list(rule.get("excludes", [])):
            for pid in sorted(present.get(fact, set()) & present.get(other, set())):
                line = int(facts.index[(facts["patient_id"] == pid) & (facts["fact"] == other)][0]) + 2
                problems.append(
                    Problem(where, line, "fact", f"patient {pid} has both {fact} and {other}: give one of them")
                )
    return problems


def _fact_problems(vocabulary: dict, fact, value, unit) -> list[tuple[str, str]]:
    """(column, message) for one fact row's fact, value and unit (see fact_problems)."""
    problems = []
    rule = vocabulary.get(fact)
    if rule is None:
        near = [f for f in vocabulary if f.lower() == str(fact).strip().lower()]
        hint = f"; did you mean {near[0]!r}?" if near else f" (known facts: {', '.join(sorted(vocabulary))})"
        return [("fact", f"unknown fact {fact!r}: add it to the dictionary's {FACT_VOCABULARY}{hint}")]
    kind = rule["type"]
    if kind in ("boolean", "integer", "number"):
        why = _spelling_problem(kind, rule, value)
    elif "enum" in rule and value not in rule["enum"]:
        near = [v for v in rule["enum"] if v.lower() == value.strip().lower()]
        why = f"{value!r} is not an allowed value of {fact}: {_format_rule(rule)}" + (
            f"; did you mean {near[0]!r}?" if near else ""
        )
    else:
        why = None
    if why is None and kind in ("integer", "number"):
        number = float(value)
        if "minimum" in rule and number < rule["minimum"]:
            why = f"{value} is below the minimum {rule['minimum']} of {fact}"
        elif "maximum" in rule and number > rule["maximum"]:
            why = f"{value} is above the maximum {rule['maximum']} of {fact}"
    if why:
        problems.append(("value", f"{why} (fact {fact})" if f"of {fact}" not in why else why))
    expected_unit = rule.get("unit")
    if (unit or None) != expected_unit:
        wanted = f"must be {expected_unit!r}" if expected_unit else "must be empty (the fact has no unit)"
        problems.append(("unit", f"unit {unit!r} of {fact} {wanted}" if unit else f"unit of {fact} {wanted}"))
    return problems


def cross_checks(data_dir: Path, tables: dict[str, pd.DataFrame], package: dict) -> list[Problem]:
    """Checks a per-column schema cannot express. Rows are file lines (header = line 1)."""
    resources = {res["name"]: res for res in package["resources"]}
    problems = []

    def where(name: str) -> str:
        return file_label(data_dir, resources[name]["path"])

    patients = set(tables["table1_baseline"]["patient_id"])
    for name in PER_PATIENT_TABLES:
        present = set(tables[name]["patient_id"])
        for pid in sorted(patients - present):
            problems.append(
                Problem(
                    where(name),
                    "-",
                    "patient_id",
                    f"patient {pid} of table1_baseline has no row (one row per patient is required)",
                )
            )

    # Only rows with a problem are visited one by one (found column-wise first): cost stays
    # proportional to the problems, not to the cohort.
    t4 = tables["table4_medium_term"]
    listed4 = t4["in_table4"].eq(True).fillna(False).astype(bool)
    suspect4 = (
        listed4 & t4[["treatment_months", "outcome_category", "diagnosis_as_printed", "iv_steroids"]].isna().any(axis=1)
    ) | (~listed4 & t4["missing_reason"].isna())
    for i, r in t4[suspect4.to_numpy()].iterrows():
        line = i + 2
        listed_cols = ["treatment_months", "outcome_category", "diagnosis_as_printed", "iv_steroids"]
        if r["in_table4"] is True:
            for col in listed_cols:
                if pd.isna(r[col]):
                    problems.append(
                        Problem(where("table4_medium_term"), line, col, "missing in a row listed in Table 4")
                    )
        elif pd.isna(r["missing_reason"]):
            problems.append(
                Problem(
                    where("table4_medium_term"),
                    line,
                    "missing_reason",
                    "a patient not listed in Table 4 needs the reason",
                )
            )
    t5 = tables["table5_trough"]
    listed5 = t5["in_table5"].eq(True).fillna(False).astype(bool)
    columns5 = list(TABLE5_LISTED_COLUMNS)
    lo5, mean5, hi5 = (
        pd.to_numeric(t5[c], errors="coerce") for c in ("trough_min_ng_ml", "mean_trough_ng_ml", "trough_max_ng_ml")
    )
    outside = lo5.notna() & mean5.notna() & hi5.notna() & ~((lo5 <= mean5) & (mean5 <= hi5))
    suspect5 = (listed5 & (t5[columns5].isna().any(axis=1) | outside)) | (~listed5 & t5["missing_reason"].isna())
    for i, r in t5[suspect5.to_numpy()].iterrows():
        line = i + 2
        if r["in_table5"] is True:
            for col in TABLE5_LISTED_COLUMNS:
                if pd.isna(r[col]):
                    problems.append(Problem(where("table5_trough"), line, col, "missing in a row listed in Table 5"))
            lo, mean, hi = r["trough_min_ng_ml"], r["mean_trough_ng_ml"], r["trough_max_ng_ml"]
            if not any(pd.isna(v) for v in (lo, mean, hi)) and not lo <= mean <= hi:
                problems.append(
                    Problem(
                        where("table5_trough"),
                        line,
                        "mean_trough_ng_ml",
                        f"mean {mean} lies outside its range {lo}-{hi}",
                    )
                )
        elif pd.isna(r["missing_reason"]):
            problems.append(
                Problem(
                    where("table5_trough"), line, "missing_reason", "a patient not listed in Table 5 needs the reason"
                )
            )
    return problems


def literature_problems(data_dir: Path, tables: dict[str, pd.DataFrame], package: dict) -> list[Problem]:
    """The literature table's rows whose events exceed their total (the paper's folder, data/paper/)."""
    problems = []
    lit = tables.get("literature")
    if lit is not None and {"events", "total"} <= set(lit.columns):
        path = next(res["path"] for res in package["resources"] if res["name"] == "literature")
        for i, r in lit.iterrows():
            if not pd.isna(r["events"]) and not pd.isna(r["total"]) and r["events"] > r["total"]:
                problems.append(
                    Problem(
                        file_label(data_dir, path), i + 2, "events", f"events {r['events']} exceed total {r['total']}"
                    )
                )
    return problems
