"""What a cohort's dictionary must declare: the tables and columns the library reads, the types and
constraints it supports, and the one spelling of numbers, booleans and identifiers."""

from __future__ import annotations

import re

PACKAGE_FILE = "datapackage.json"

#: Tables that hold exactly one row per patient of table1_baseline.
PER_PATIENT_TABLES = ("table2_treatment_status", "table3_week4", "table4_medium_term", "table5_trough")

#: The one spelling of a boolean in every table (the dictionary's trueValues/falseValues).
TRUE_VALUES, FALSE_VALUES = ("true",), ("false",)

#: Column types the loader reads, and the pandas dtype each becomes.
PANDAS_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "object"}

#: Constraints of Table Schema (https://specs.frictionlessdata.io/table-schema/#constraints) that
#: the validator passes on to frictionless; any other is refused rather than silently ignored.
SUPPORTED_CONSTRAINTS = {"required", "unique", "minimum", "maximum", "enum", "pattern", "minLength", "maxLength"}

#: The cohort's tables and the columns the library reads, with the type it reads each as. A
#: dictionary that lacks one, or types it otherwise, is refused: a column read with another type
#: would be silently wrong (a boolean typed as text is never ``True``). ``patient_id`` may be
#: typed integer or string (codes such as RFH-0042), the same in every table. The other columns
#: of these tables are optional: a file may leave them out, and they read as missing.
REQUIRED_FIELDS = {
    "table1_baseline": {
        "patient_id": "id",
        "age": "integer",
        "sex": "string",
        "diagnosis_as_printed": "string",
        "analysis_group": "string",
        "disease_duration_years": "number",
        "disease_site": "string",
        "perianal_disease": "string",
        "previous_operations": "string",
    },
    "table2_treatment_status": {
        "patient_id": "id",
        "concurrent_prednisolone": "boolean",
        "previous_iv_ciclosporin": "string",
    },
    "table2_treatments": {"patient_id": "id", "timing": "string", "drug": "string", "as_printed": "string"},
    "table3_week4": {"patient_id": "id"},
    "table4_medium_term": {
        "patient_id": "id",
        "in_table4": "boolean",
        "diagnosis_as_printed": "string",
        "treatment_months": "number",
        "outcome_category": "string",
        "fistula_outcome": "string",
        "relapse_month": "number",
        "prednisolone_mg_day": "number",
        "iv_steroids": "boolean",
        "steroid_tapering": "string",
        "missing_reason": "string",
    },
    "table4_adverse_effects": {"patient_id": "id", "adverse_effect": "string"},
    "table5_trough": {
        "patient_id": "id",
        "in_table5": "boolean",
        "ongoing_tacrolimus": "boolean",
        "tacrolimus_duration_months": "number",
        "mean_trough_ng_ml": "number",
        "trough_min_ng_ml": "number",
        "trough_max_ng_ml": "number",
        "follow_up_months": "number",
        "missing_reason": "string",
    },
    "text_patient_facts": {
        "patient_id": "id",
        "fact": "string",
        "value": "string",
        "unit": "string",
        "basis": "string",
        "evidence": "string",
    },
}

#: What a patient identifier may be typed as ("id" in REQUIRED_FIELDS).
ID_TYPES = ("integer", "string")

#: Tables that must have at least one row (the cohort's patients and their one row each); the
#: long tables (treatments, adverse effects, facts) may be empty in a cohort that has none.
NON_EMPTY_TABLES = ("table1_baseline",) + PER_PATIENT_TABLES

#: The paper's own tables (``data/paper/``, read by ``paper.load_paper``): never part of a cohort.
#: A cohort's dictionary that lists one is refused, so that the paper is stored once and a copy
#: in a cohort folder is never taken for it (README, "Bring your own cohort").
PAPER_TABLES = {"claims": "the claims ledger", "literature": "the literature table"}

#: The facts table and the dictionary property that lists its facts.
FACTS_TABLE, FACT_VOCABULARY = "text_patient_facts", "factVocabulary"
FACT_TYPES = ("boolean", "number", "integer", "string")
FACT_RULE_KEYS = {"type", "description", "enum", "unit", "minimum", "maximum", "excludes"}

#: Plain decimal numbers, as the loader reads them: no NaN, no infinity, no surrounding space.
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
INTEGER = re.compile(r"[+-]?\d+")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
OTHER_DELIMITERS = {";": "semicolon ';'", "\t": "tab", "|": "vertical bar '|'"}

#: Table 5's columns that a patient listed there must have (the loader reads the same ones).
TABLE5_LISTED_COLUMNS = (
    "ongoing_tacrolimus",
    "tacrolimus_duration_months",
    "mean_trough_ng_ml",
    "trough_min_ng_ml",
    "trough_max_ng_ml",
    "follow_up_months",
)


#: The optional package property that describes a cohort where it is set beside published studies
#: (notebook 06's forest rows and pooling), with its keys: ``label`` (how the cohort is named, e.g.
#: "This cohort (Centre X 2024)"), ``design``, ``population`` and ``week4ResponseSource`` (where the
#: week-4 response values come from). Each is a non-empty string; absent keys get neutral wording
#: (``data.cohort_description``), never the paper's.
COHORT_DESCRIPTION = "cohortDescription"
COHORT_DESCRIPTION_KEYS = ("label", "design", "population", "week4ResponseSource")
