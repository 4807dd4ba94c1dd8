"""Load and validate the transcribed patient-level data of data/.

The data dictionary is ``data/datapackage.json`` (a Frictionless Data Package): every column's
type, unit, allowed values or range, and the table or sentence of Ng, Arebi & Kamm (Inflamm
Bowel Dis 2007;13:129-134) it comes from. Validation (tacrolimus_ibd.validation) checks the
dictionary itself, then each file as a whole, then every cell through frictionless (types,
ranges, allowed values, labels, unique keys, references between tables), then what a
per-column schema cannot express (one spelling of booleans and numbers, each text fact against
its vocabulary, one row per patient, values that must agree across columns). Every problem is
reported as ``file:row:column: what``; every loader validates first.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .validation import (  # noqa: F401  (the public names of data validation live here too)
    PACKAGE_FILE,
    PER_PATIENT_TABLES,
    TABLE5_LISTED_COLUMNS,
    DataValidationError,
    Problem,
    read_table,
    validate_folder,
)
from .validation import read_package as _read_package


def default_data_dir() -> Path:
    """The compendium's own data/ folder (the package is installed from this checkout)."""
    return Path(__file__).resolve().parents[2] / "data"


def _resolve(data_dir: str | Path | None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir()


def data_fingerprint(data_dir: str | Path | None = None) -> str:
    """sha256 over the names and exact bytes of a data folder's files (not its location)."""
    folder = _resolve(data_dir).resolve()
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        try:
            if not path.is_file():
                continue
            content = path.read_bytes()
        except OSError as err:  # an unreadable file (an editor's swap file, a link loop) changes the key, never crashes
            content = f"unreadable: {err.errno}".encode()
        digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0" + content)
    return digest.hexdigest()


def _validator_fingerprint() -> str:
    """What a validation verdict depends on besides the data: this module and every module of
    the validation package, frictionless, and pandas (the cross-checks read the tables with it)."""
    from importlib import metadata

    digest = hashlib.sha256()
    here = Path(__file__).parent
    # every file of the validator (a package) and this module: a changed rule is a new key
    for module in [here / "data.py", *sorted((here / "validation").glob("*.py"))]:
        digest.update(module.relative_to(here).as_posix().encode() + b"\0" + module.read_bytes())
    for package in ("frictionless", "pandas"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


def validation_cache_file() -> Path:
    """Where verdicts of valid folders are remembered: inside the environment itself."""
    import sys

    return Path(sys.prefix) / "tacrolimus-ibd-valid-data.txt"


def validate_data_dir_cached(data_dir: str | Path | None = None, *, cohort: bool = True) -> list[Problem]:
    """validate_data_dir, remembering folders found valid, byte for byte, by this validator.

    Only a clean verdict is remembered, under a key made of the exact bytes of every data file
    and of the validating code, so a changed file, schema or validator is validated afresh and
    a problem is never hidden. It spares each notebook kernel, each test and a warm rerun the
    second frictionless costs. Every loader goes through it, so no caller can skip validation.
    ``cohort`` False validates the paper's own folder (``paper.load_paper``), remembered apart.
    """
    # A cohort's verdict covers the paper's folder too (validate_data_dir): both are in the key.
    paper_key = data_fingerprint(default_paper_dir()) if cohort else "paper"
    key = f"{paper_key}:{data_fingerprint(data_dir)}:{_validator_fingerprint()}"
    cache = validation_cache_file()
    try:
        remembered = cache.read_text().split()
    except OSError:
        remembered = []
    if key in remembered:
        return []
    problems = validate_data_dir(data_dir, cohort=cohort)
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
    """The data dictionary (datapackage.json) of a data folder, as a dict.

    Raises DataValidationError (naming the file) when it is missing, unreadable, not JSON or not
    a JSON object."""
    return _read_package(_resolve(data_dir))


def resource(package: dict, name: str) -> dict:
    """The resource called ``name`` in a data package."""
    for res in package.get("resources", []) if isinstance(package, dict) else []:
        if isinstance(res, dict) and res.get("name") == name:
            return res
    raise DataValidationError([Problem(PACKAGE_FILE, 0, name, f"the data dictionary lists no resource {name!r}")])


def validate_data_dir(data_dir: str | Path | None = None, *, cohort: bool = True) -> list[Problem]:
    """Every problem in a data folder, as a list (empty when the folder is valid).

    Root causes first: a dictionary that cannot be relied on, then files that cannot be read as
    tables, then cells (see tacrolimus_ibd.validation). ``cohort`` False: the paper's folder.

    A cohort is analysed beside the paper, so a valid cohort's verdict also covers the
    compendium's paper folder (``default_paper_dir``): its problems are listed when the cohort
    has none, so that ``validate`` and ``reproduce`` refuse a broken ledger before anything runs."""
    problems = validate_folder(_resolve(data_dir), cohort=cohort)
    if cohort and not problems:
        problems = validate_folder(default_paper_dir(), cohort=False)
    return problems


def default_paper_dir() -> Path:
    """The compendium's one copy of the paper's inputs, ``data/paper/`` (read by ``paper.load_paper``)."""
    return default_data_dir() / "paper"


def cohort_name(data_dir: str | Path | None = None) -> str:
    """The ``name`` its data dictionary declares for a cohort ("" when it declares none).

    The name is how a cohort says what it is: ``paper.Paper.transcribes`` compares it with the
    name the paper's package gives its own transcription (never the patients' count or ids)."""
    name = read_package(data_dir).get("name")
    return name if isinstance(name, str) else ""


#: Wording for a cohort whose dictionary does not describe it (``cohortDescription``).
NEUTRAL_COHORT_DESCRIPTION = {
    "label": "This cohort",
    "design": "not stated (the cohort's data dictionary has no cohortDescription.design)",
    "population": "not stated (the cohort's data dictionary has no cohortDescription.population)",
    "week4ResponseSource": "",
}


def cohort_description(data_dir: str | Path | None = None) -> dict[str, str]:
    """How a cohort is named and described beside published studies: its dictionary's optional
    ``cohortDescription`` (``validation.rules.COHORT_DESCRIPTION``), each absent key taking the
    neutral wording of ``NEUTRAL_COHORT_DESCRIPTION``. Whatever the paper's transcription says of
    itself is in its own dictionary, so no code here names the paper."""
    given = read_package(data_dir).get("cohortDescription")
    given = given if isinstance(given, dict) else {}
    return {key: given.get(key, default) for key, default in NEUTRAL_COHORT_DESCRIPTION.items()}


def _read_resource(data_dir: Path, res: dict) -> pd.DataFrame:
    """A validated table, typed; a cell that would not read as its type is an error, never missing."""
    frame, problems = read_table(data_dir, res)
    if problems:
        raise DataValidationError(problems)
    return frame


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
    # Patient identifiers are integers (the paper's numbers) or strings (a centre's codes).
    cohort = pd.DataFrame(index=t1.index if t1.index.dtype == object else t1.index.astype(int))
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
    for col in [
        "treatment_months",
        "fistula_outcome",
        "relapse_month",
        "prednisolone_mg_day",
        "iv_steroids",
        "steroid_tapering",
    ]:
        cohort[col] = t4[col]

    facts = tables["text_patient_facts"]
    outcome = t4["outcome_category"].copy()
    basis = pd.Series(np.where(outcome.notna(), "table4", None), index=outcome.index, dtype=object)
    inferred_value, inferred_basis = _facts_wide(facts, "end_of_follow_up_outcome")
    # A text fact fills an outcome Table 4 does not give (one vectorized step, any cohort size).
    inferred_value = inferred_value.reindex(outcome.index)
    fill = outcome.isna() & inferred_value.isin(["remission", "mild", "severe"])
    outcome = outcome.where(~fill, inferred_value)
    basis = basis.where(~fill, inferred_basis.reindex(outcome.index))
    cohort["outcome_end_of_follow_up"] = outcome
    cohort["outcome_end_of_follow_up_basis"] = basis

    # Each patient's adverse effects as a sorted tuple (empty when none): one sort and one groupby.
    ae = tables["table4_adverse_effects"].sort_values(["patient_id", "adverse_effect"], kind="stable")
    by_patient = ae.groupby("patient_id", sort=False)["adverse_effect"].agg(tuple)
    cohort["adverse_effects"] = by_patient.reindex(cohort.index).map(lambda v: v if isinstance(v, tuple) else ())

    t5 = tables["table5_trough"].set_index("patient_id")
    cohort["in_table5"] = t5["in_table5"].astype(bool)
    for col in TABLE5_LISTED_COLUMNS:
        cohort[col] = t5[col]

    week4, week4_basis = _facts_wide(facts, "week4_response")
    cohort["week4_response"] = week4.map({"true": True, "false": False}).reindex(cohort.index).astype("boolean")
    cohort["week4_response_basis"] = week4_basis.reindex(cohort.index)
    return cohort


def load_cohort(data_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per patient (index ``patient_id``) joining the patient-level tables.

    Columns include ``age`` (years), ``sex`` ("F"/"M"), ``diagnosis`` (the analysis group:
    "CD", "UC" or "pouchitis"), ``disease_duration_years``, ``treatment_months`` (Table 4;
    missing for a patient it does not list), ``outcome_end_of_follow_up`` (Table 4, else a
    ``end_of_follow_up_outcome`` text fact, see ``outcome_end_of_follow_up_basis``),
    ``mean_trough_ng_ml`` and ``ongoing_tacrolimus`` (Table 5; missing for a patient it does
    not list), and ``week4_response`` (a text fact; see ``week4_response_basis``).
    """
    return cohort_from_tables(load_tables(data_dir))
