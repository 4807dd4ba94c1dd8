"""Load and validate the transcribed patient-level data of data/.

The data dictionary is ``data/datapackage.json`` (a Frictionless Data Package): every column's
type, unit, allowed values or range, and the table or sentence of Ng, Arebi & Kamm (Inflamm
Bowel Dis 2007;13:129-134) it comes from. Validation runs the package through frictionless
(types, ranges, allowed values, labels, unique keys, references between tables) and adds the
few checks a per-column schema cannot express (one row per patient in each per-patient table,
values that must agree across columns). Every problem is reported as ``file:row:column: what``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

PACKAGE_FILE = "datapackage.json"

#: Tables that hold exactly one row per patient of table1_baseline.
PER_PATIENT_TABLES = ("table2_treatment_status", "table3_week4", "table4_medium_term", "table5_trough")

_PANDAS_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "object"}


def default_data_dir() -> Path:
    """The compendium's own data/ folder (the package is installed from this checkout)."""
    return Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, located by file, row (line of the file) and column."""

    file: str
    row: int | str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class DataValidationError(ValueError):
    """Raised when a data folder does not satisfy its data dictionary."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} data problem(s):\n{lines}")


def _resolve(data_dir: str | Path | None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir()


def data_fingerprint(data_dir: str | Path | None = None) -> str:
    """sha256 over the names and exact bytes of a data folder's files (not its location)."""
    folder = _resolve(data_dir).resolve()
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _validator_fingerprint() -> str:
    """What a validation verdict depends on besides the data: this module, frictionless, and
    pandas (the cross-checks read the tables with it)."""
    from importlib import metadata

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("frictionless", "pandas"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def validation_cache_file() -> Path:
    """Where verdicts of valid folders are remembered: inside the environment itself."""
    import sys

    return Path(sys.prefix) / "tacrolimus-ibd-valid-data.txt"


def validate_data_dir_cached(data_dir: str | Path | None = None) -> list[Problem]:
    """validate_data_dir, remembering folders found valid, byte for byte, by this validator.

    Only a clean verdict is remembered, under a key made of the exact bytes of every data file
    and of the validating code, so a changed file, schema or validator is validated afresh and
    a problem is never hidden. It spares each notebook kernel, each test and a warm rerun the
    second frictionless costs. Every loader goes through it, so no caller can skip validation.
    """
    key = f"{data_fingerprint(data_dir)}:{_validator_fingerprint()}"
    cache = validation_cache_file()
    try:
        remembered = cache.read_text().split()
    except OSError:
        remembered = []
    if key in remembered:
        return []
    problems = validate_data_dir(data_dir)
    if not problems:
        # Parallel kernels may finish validating together: write whole files and swap them in,
        # so a reader sees an old list or a new one, never half of one.
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
        try:
            partial.write_text("\n".join((remembered + [key])[-20:]) + "\n")
            os.replace(partial, cache)
        except OSError:
            partial.unlink(missing_ok=True)  # a read-only environment just validates every time
    return problems


def read_package(data_dir: str | Path | None = None) -> dict:
    """The data dictionary (datapackage.json) of a data folder, as a dict."""
    path = _resolve(data_dir) / PACKAGE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataValidationError([Problem(str(path), 0, "-", "data dictionary not found")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataValidationError([Problem(str(path), getattr(err, "lineno", 0), "-", f"not valid JSON: {err}")]) from None


def resource(package: dict, name: str) -> dict:
    """The resource called ``name`` in a data package."""
    for res in package["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(f"no resource {name!r} in the data dictionary")


def _error_column(error) -> str | None:
    """The column a frictionless error is about, by name where the file's header gives one."""
    name = getattr(error, "field_name", None) or getattr(error, "label", None)
    number = getattr(error, "field_number", None)
    labels = getattr(error, "labels", None)
    if not name and number and labels and 0 < number <= len(labels):
        name = labels[number - 1]
    if not name and number:
        name = f"column {number}"
    return name or None


def _frictionless_problems(data_dir: Path) -> list[Problem]:
    import frictionless

    report = frictionless.validate(str(data_dir / PACKAGE_FILE))
    package = read_package(data_dir)
    paths = {res["name"]: res["path"] for res in package["resources"]}
    # Key errors name no field: name the key's columns instead.
    key_columns = {}
    for res in package["resources"]:
        schema = res.get("schema", {})
        pk = schema.get("primaryKey", [])
        fks = [fk["fields"] for fk in schema.get("foreignKeys", [])]
        key_columns[res["name"]] = {
            "primary-key": ",".join([pk] if isinstance(pk, str) else pk),
            "foreign-key": ",".join(f if isinstance(f, str) else ",".join(f) for f in fks),
        }
    problems = []
    for error in report.errors:  # package-level errors (descriptor)
        problems.append(Problem(PACKAGE_FILE, 0, "-", error.message))
    for task in report.tasks:
        file = str(Path(data_dir.name) / paths.get(task.name, task.name))
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = _error_column(error) or key_columns.get(task.name, {}).get(error.type)
            if row is None:  # header, encoding or whole-file errors
                row = 1 if error.type.endswith("label") else 0
            detail = error.note or error.message
            cell = getattr(error, "cell", None)
            if cell not in (None, "") and error.type in ("type-error", "constraint-error"):
                detail += f" (value {cell!r})"
            problems.append(Problem(file, row, column or "-", f"{error.title.lower()}: {detail}"))
    return problems


def _cross_checks(data_dir: Path, tables: dict[str, pd.DataFrame], package: dict) -> list[Problem]:
    """Checks a per-column schema cannot express. Rows are file lines (header = line 1)."""
    problems = []

    def where(name: str) -> str:
        return str(Path(data_dir.name) / resource(package, name)["path"])

    patients = set(tables["table1_baseline"]["patient_id"])
    for name in PER_PATIENT_TABLES:
        present = set(tables[name]["patient_id"])
        for pid in sorted(patients - present):
            problems.append(Problem(where(name), "-", "patient_id", f"patient {pid} of table1_baseline has no row (one row per patient is required)"))

    t4 = tables["table4_medium_term"]
    for i, r in t4.iterrows():
        line = i + 2
        listed_cols = ["treatment_months", "outcome_category", "diagnosis_as_printed", "iv_steroids"]
        if r["in_table4"] is True:
            for col in listed_cols:
                if pd.isna(r[col]):
                    problems.append(Problem(where("table4_medium_term"), line, col, "missing in a row listed in Table 4"))
        elif pd.isna(r["missing_reason"]):
            problems.append(Problem(where("table4_medium_term"), line, "missing_reason", "a patient not listed in Table 4 needs the reason"))
    t5 = tables["table5_trough"]
    for i, r in t5.iterrows():
        line = i + 2
        if r["in_table5"] is True:
            for col in ["ongoing_tacrolimus", "tacrolimus_duration_months", "mean_trough_ng_ml", "trough_min_ng_ml", "trough_max_ng_ml", "follow_up_months"]:
                if pd.isna(r[col]):
                    problems.append(Problem(where("table5_trough"), line, col, "missing in a row listed in Table 5"))
            lo, mean, hi = r["trough_min_ng_ml"], r["mean_trough_ng_ml"], r["trough_max_ng_ml"]
            if not any(pd.isna(v) for v in (lo, mean, hi)) and not lo <= mean <= hi:
                problems.append(Problem(where("table5_trough"), line, "mean_trough_ng_ml", f"mean {mean} lies outside its range {lo}-{hi}"))
        elif pd.isna(r["missing_reason"]):
            problems.append(Problem(where("table5_trough"), line, "missing_reason", "a patient not listed in Table 5 needs the reason"))
    if "literature" in tables:
        lit = tables["literature"]
        for i, r in lit.iterrows():
            if not pd.isna(r["events"]) and not pd.isna(r["total"]) and r["events"] > r["total"]:
                problems.append(Problem(where("literature"), i + 2, "events", f"events {r['events']} exceed total {r['total']}"))
    return problems


def validate_data_dir(data_dir: str | Path | None = None) -> list[Problem]:
    """Every problem in a data folder, as a sorted list (empty when the folder is valid)."""
    data_dir = _resolve(data_dir)
    if not data_dir.is_dir():
        return [Problem(str(data_dir), 0, "-", "data folder not found")]
    try:
        package = read_package(data_dir)
    except DataValidationError as err:
        return err.problems
    problems = _frictionless_problems(data_dir)
    if problems:
        return problems  # typed loading would fail on the same cells
    tables = {res["name"]: _read_resource(data_dir, res) for res in package["resources"]}
    return _cross_checks(data_dir, tables, package)


def _read_resource(data_dir: Path, res: dict) -> pd.DataFrame:
    fields = res["schema"]["fields"]
    frame = pd.read_csv(
        data_dir / res["path"],
        dtype=str,
        keep_default_na=False,
        na_values=res["schema"].get("missingValues", [""]),
        encoding="utf-8",
    )
    for field in fields:
        name, kind = field["name"], field["type"]
        if kind == "boolean":
            frame[name] = frame[name].map({"true": True, "false": False}, na_action="ignore").astype("boolean")
        elif kind == "integer":
            frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        elif kind == "number":
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        else:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame[[f["name"] for f in fields]]


def load_table(name: str, data_dir: str | Path | None = None, *, validate: bool = True) -> pd.DataFrame:
    """One table of the data folder, typed as its data dictionary says.

    Raises DataValidationError (listing ``file:row:column`` problems) when the folder is invalid.
    """
    data_dir = _resolve(data_dir)
    if validate:
        problems = validate_data_dir_cached(data_dir)
        if problems:
            raise DataValidationError(problems)
    return _read_resource(data_dir, resource(read_package(data_dir), name))


def load_tables(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the data folder, validated once."""
    data_dir = _resolve(data_dir)
    problems = validate_data_dir_cached(data_dir)
    if problems:
        raise DataValidationError(problems)
    package = read_package(data_dir)
    return {res["name"]: _read_resource(data_dir, res) for res in package["resources"]}


def _facts_wide(facts: pd.DataFrame, fact: str) -> tuple[pd.Series, pd.Series]:
    rows = facts[facts["fact"] == fact].set_index("patient_id")
    return rows["value"], rows["basis"]


def cohort_from_tables(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Join the per-patient tables into one row per patient (see load_cohort)."""
    t1 = tables["table1_baseline"].set_index("patient_id")
    cohort = pd.DataFrame(index=t1.index.astype(int))
    cohort.index.name = "patient_id"
    cohort["age"] = t1["age"].astype(int)
    cohort["sex"] = t1["sex"]
    cohort["diagnosis"] = t1["analysis_group"]
    cohort["diagnosis_as_printed"] = t1["diagnosis_as_printed"]
    cohort["disease_duration_years"] = t1["disease_duration_years"]
    cohort["disease_site"] = t1["disease_site"]
    cohort["perianal_fistula"] = t1["perianal_disease"].eq("fistula")
    cohort["previous_operations"] = t1["previous_operations"]

    t2 = tables["table2_treatment_status"].set_index("patient_id")
    cohort["concurrent_prednisolone"] = t2["concurrent_prednisolone"].astype(bool)
    cohort["previous_iv_ciclosporin"] = t2["previous_iv_ciclosporin"].eq("once")

    t4 = tables["table4_medium_term"].set_index("patient_id")
    cohort["in_table4"] = t4["in_table4"].astype(bool)
    for col in ["treatment_months", "fistula_outcome", "relapse_month", "prednisolone_mg_day", "iv_steroids", "steroid_tapering"]:
        cohort[col] = t4[col]

    facts = tables["text_patient_facts"]
    outcome = t4["outcome_category"].copy()
    basis = pd.Series(np.where(outcome.notna(), "table4", None), index=outcome.index, dtype=object)
    inferred_value, inferred_basis = _facts_wide(facts, "end_of_follow_up_outcome")
    for pid, value in inferred_value.items():
        if pd.isna(outcome.get(pid)) and value in ("remission", "mild", "severe"):
            outcome[pid] = value
            basis[pid] = inferred_basis[pid]
    cohort["outcome_end_of_follow_up"] = outcome
    cohort["outcome_end_of_follow_up_basis"] = basis

    ae = tables["table4_adverse_effects"]
    cohort["adverse_effects"] = [tuple(sorted(ae.loc[ae["patient_id"] == pid, "adverse_effect"])) for pid in cohort.index]

    t5 = tables["table5_trough"].set_index("patient_id")
    cohort["in_table5"] = t5["in_table5"].astype(bool)
    for col in ["ongoing_tacrolimus", "tacrolimus_duration_months", "mean_trough_ng_ml", "trough_min_ng_ml", "trough_max_ng_ml", "follow_up_months"]:
        cohort[col] = t5[col]

    week4, week4_basis = _facts_wide(facts, "week4_response")
    cohort["week4_response"] = week4.map({"true": True, "false": False}).reindex(cohort.index).astype("boolean")
    cohort["week4_response_basis"] = week4_basis.reindex(cohort.index)
    return cohort


def load_cohort(data_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per patient (index ``patient_id``, 1-19) joining the patient-level tables.

    Columns include ``age`` (years), ``sex`` ("F"/"M"), ``diagnosis`` (the paper's analysis
    group: "CD", "UC" or "pouchitis"; Patient 7 is the pouchitis patient),
    ``disease_duration_years``, ``treatment_months`` (Table 4; missing for Patients 7 and 9),
    ``outcome_end_of_follow_up`` (Table 4, plus Patient 9's remission inferred from the Results
    text, see ``outcome_end_of_follow_up_basis``), ``mean_trough_ng_ml`` and
    ``ongoing_tacrolimus`` (Table 5; missing for the five patients it does not list), and
    ``week4_response`` (from the Results text, Table 3 being lost; see ``week4_response_basis``).
    """
    return cohort_from_tables(load_tables(data_dir))
