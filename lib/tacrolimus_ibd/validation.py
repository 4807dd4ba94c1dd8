"""Validate a data folder against its data dictionary, root cause first, without a traceback.

The data dictionary is the folder's ``datapackage.json`` (a Frictionless Data Package,
https://specs.frictionlessdata.io/data-package/). Validation runs in stages, and a stage runs
only when the one before found nothing, so each problem is reported at its root and once:

1. the dictionary itself, read defensively: a JSON object with the resources this compendium
   reads, each a comma-separated UTF-8 file inside the folder (never a URL, an absolute path or
   a ``../`` escape: nothing is fetched), with an inline schema of supported types;
2. each table's bytes: readable, UTF-8, comma-delimited, not cut short, a header whose columns
   the dictionary knows (a cohort table's columns are matched by name; those the analyses do not
   read may be left out), and rows where a table needs them (one unreadable or undecodable file
   is one problem about that file, not one per table that refers to it);
3. frictionless over a sanitized copy of the dictionary (types, ranges, allowed values, labels,
   unique keys, references between tables);
4. what a per-column schema cannot express: one spelling of numbers and booleans (what the
   loader reads is exactly what validated), the facts of ``text_patient_facts`` against the
   dictionary's ``factVocabulary``, one row per patient, values that must agree across columns.

The rules are data: a cohort's own dictionary (patient_id typed integer or string, any number of
patients, any subset of groups, its own facts) is checked the same way. Frictionless: the Data
Package and Table Schema specifications and their Python library (https://frictionlessdata.io).
Every problem is a :class:`Problem` printed as ``file:row:column: what``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd

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
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_OTHER_DELIMITERS = {";": "semicolon ';'", "\t": "tab", "|": "vertical bar '|'"}

#: At most this many problems per table from frictionless; more are counted as not shown.
ERROR_LIMIT = 1000


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, located by file, row (line of the file) and column."""

    file: str
    row: int | str
    column: str
    message: str

    def __str__(self) -> str:
        return printable(f"{self.file}:{self.row}:{self.column}: {self.message}")


#: Table 5's columns that a patient listed there must have (the loader reads the same ones).
TABLE5_LISTED_COLUMNS = (
    "ongoing_tacrolimus",
    "tacrolimus_duration_months",
    "mean_trough_ng_ml",
    "trough_min_ng_ml",
    "trough_max_ng_ml",
    "follow_up_months",
)


def printable(text: str) -> str:
    """Text with control characters escaped (a cell or a column name holding a terminal escape
    sequence must not recolour or rewrite the terminal it is printed to)."""
    return "".join(c if c.isprintable() or c == "\t" else c.encode("unicode_escape").decode("ascii") for c in text)


class DataValidationError(ValueError):
    """Raised when a data folder does not satisfy its data dictionary."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:MAX_SHOWN])
        more = f"\n... and {len(problems) - MAX_SHOWN} more problem(s) not shown" if len(problems) > MAX_SHOWN else ""
        super().__init__(f"{len(problems)} data problem(s):\n{lines}{more}")


#: Problems shown in a message; the rest are counted ("... and N more not shown").
MAX_SHOWN = 100


def _where(data_dir: Path, relative: str) -> str:
    """How a file is named in problems: the data folder's name and the path inside it."""
    return str(Path(data_dir.name) / relative)


def _os_reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower() if isinstance(err, OSError) else str(err)


# --- stage 1: the dictionary -------------------------------------------------------------------


def read_package(data_dir: Path) -> dict:
    """The data dictionary of a data folder, as a dict; DataValidationError if it cannot be read."""
    where = _where(data_dir, PACKAGE_FILE)
    path = data_dir / PACKAGE_FILE

    def refuse(row, message):
        raise DataValidationError([Problem(where, row, "-", message)])

    if path.exists() and not path.is_dir() and not path.is_file():
        refuse(0, "is not a regular file (a pipe, socket or device): the data dictionary must be a file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        refuse(0, "data dictionary not found: each data folder needs its datapackage.json")
    except IsADirectoryError:
        refuse(0, "is a folder, not the data dictionary file")
    except OSError as err:
        refuse(0, f"data dictionary cannot be read ({_os_reason(err)})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        refuse(0, f"not UTF-8 (byte {raw[err.start]:#04x} at offset {err.start}): save the data dictionary as UTF-8")
    try:
        package = json.loads(text)
    except json.JSONDecodeError as err:
        refuse(err.lineno, f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})")
    except RecursionError:
        refuse(0, "not valid JSON: nested too deeply")
    if not isinstance(package, dict):
        refuse(0, f'the data dictionary must be a JSON object with "resources", not {_json_kind(package)}')
    return package


def _json_kind(value) -> str:
    return {
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def check_path(path, data_dir: Path) -> str | None:
    """Why a resource path is refused (None when it is a relative path inside the folder).

    Only local files inside the data folder are read: a URL, an absolute path or a ``..`` escape
    is refused here, before anything opens it, so validation never touches the network."""
    if not isinstance(path, str) or not path.strip():
        return f"path must be the name of a file in the data folder, not {_json_kind(path)}"
    if "://" in path or _URL.match(path):
        return f"path {path!r} is a URL: the compendium works offline and reads only files inside the data folder"
    if path.startswith(("/", "\\")) or PurePosixPath(path).is_absolute() or re.match(r"^[A-Za-z]:", path):
        return f"path {path!r} is absolute: give the file's name relative to the data folder"
    if ".." in re.split(r"[\\/]", path):
        return f"path {path!r} leads outside the data folder ('..')"
    if "\\" in path:
        return f"path {path!r} uses '\\': write paths with '/'"
    try:
        resolved = (data_dir / path).resolve()
        inside = data_dir.resolve() in resolved.parents
    except (OSError, RuntimeError) as err:  # a symlink loop
        return f"path {path!r} cannot be resolved ({_os_reason(err)})"
    if not inside:
        return f"path {path!r} is a link to a file outside the data folder"
    return None


def _check_field(field, label: str, where: str) -> list[Problem]:
    if not isinstance(field, dict):
        return [Problem(where, 0, label, f"each field must be a JSON object, not {_json_kind(field)}")]
    name = field.get("name")
    if not isinstance(name, str) or not name:
        return [Problem(where, 0, label, 'a field needs a "name"')]
    label = f"{label.rsplit('.', 1)[0]}.{name}"
    problems = []
    kind = field.get("type", "string")
    if kind not in PANDAS_DTYPES:
        problems.append(
            Problem(where, 0, label, f"type {kind!r} is not supported: use one of {', '.join(PANDAS_DTYPES)}")
        )
    if field.get("format", "default") != "default":
        problems.append(
            Problem(where, 0, label, f"format {field['format']!r} is not supported (only the default format)")
        )
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        problems.append(Problem(where, 0, label, '"constraints" must be a JSON object'))
    else:
        for key in sorted(set(constraints) - SUPPORTED_CONSTRAINTS):
            problems.append(
                Problem(
                    where,
                    0,
                    label,
                    f"constraint {key!r} is not supported: use {', '.join(sorted(SUPPORTED_CONSTRAINTS))}",
                )
            )
        if "enum" in constraints and not (isinstance(constraints["enum"], list) and constraints["enum"]):
            problems.append(Problem(where, 0, label, 'constraint "enum" must be a non-empty list'))
        for key in ("required", "unique"):
            if key in constraints and not isinstance(constraints[key], bool):
                problems.append(Problem(where, 0, label, f"constraint {key!r} must be true or false"))
        for key in ("minimum", "maximum"):
            if key in constraints and (
                isinstance(constraints[key], bool) or not isinstance(constraints[key], (int, float))
            ):
                problems.append(Problem(where, 0, label, f"constraint {key!r} must be a number"))
        for key in ("minLength", "maxLength"):
            if key in constraints and (isinstance(constraints[key], bool) or not isinstance(constraints[key], int)):
                problems.append(Problem(where, 0, label, f"constraint {key!r} must be a whole number"))
        if "pattern" in constraints:
            try:
                re.compile(constraints["pattern"])
            except (re.error, TypeError) as err:
                problems.append(Problem(where, 0, label, f'constraint "pattern" is not a regular expression ({err})'))
    if kind == "boolean":
        for key, spelling in (("trueValues", TRUE_VALUES), ("falseValues", FALSE_VALUES)):
            if key in field and field[key] != list(spelling):
                problems.append(
                    Problem(
                        where,
                        0,
                        label,
                        f"{key} must be {json.dumps(list(spelling))}: booleans have one spelling, true or false",
                    )
                )
    return problems


def _check_keys(schema: dict, names: set[str], label: str, where: str, resources: dict) -> list[Problem]:
    problems = []
    for column in _as_list(schema.get("primaryKey", [])):
        if column not in names:
            problems.append(
                Problem(where, 0, f"{label}.primaryKey", f"names {column!r}, which is not a field of the table")
            )
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        return problems + [Problem(where, 0, f"{label}.foreignKeys", "must be a list")]
    for fk in fks:
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(ref, dict) or not isinstance(ref.get("resource", ""), str):
            problems.append(
                Problem(
                    where,
                    0,
                    f"{label}.foreignKeys",
                    'each foreign key needs "fields" and a "reference" with "resource" and "fields"',
                )
            )
            continue
        for column in _as_list(fk.get("fields")):
            if column not in names:
                problems.append(
                    Problem(where, 0, f"{label}.foreignKeys", f"names {column!r}, which is not a field of the table")
                )
        target = ref.get("resource", "") or label.split(".", 1)[0]
        if target not in resources:
            problems.append(
                Problem(
                    where,
                    0,
                    f"{label}.foreignKeys",
                    f"refers to resource {target!r}, which the dictionary does not list",
                )
            )
            continue
        target_names = {
            f.get("name") for f in resources[target].get("schema", {}).get("fields", []) if isinstance(f, dict)
        }
        for column in _as_list(ref.get("fields")):
            if column not in target_names:
                problems.append(
                    Problem(
                        where,
                        0,
                        f"{label}.foreignKeys",
                        f"refers to {target}.{column}, which is not a field of {target}",
                    )
                )
    return problems


def _check_fact_vocabulary(res: dict, label: str, where: str) -> list[Problem]:
    vocabulary = res.get(FACT_VOCABULARY)
    if not isinstance(vocabulary, dict) or not vocabulary:
        return [
            Problem(
                where,
                0,
                f"{label}.{FACT_VOCABULARY}",
                "the facts table needs its vocabulary: an object giving each fact's type, allowed values and unit",
            )
        ]
    problems = []
    for fact, rule in vocabulary.items():
        at = f"{label}.{FACT_VOCABULARY}.{fact}"
        if not isinstance(rule, dict):
            problems.append(Problem(where, 0, at, "each fact's rule must be a JSON object"))
            continue
        if rule.get("type") not in FACT_TYPES:
            problems.append(Problem(where, 0, at, f'"type" must be one of {", ".join(FACT_TYPES)}'))
        for key in sorted(set(rule) - FACT_RULE_KEYS):
            problems.append(Problem(where, 0, at, f"unknown key {key!r} (known: {', '.join(sorted(FACT_RULE_KEYS))})"))
        if "enum" in rule and not (
            isinstance(rule["enum"], list) and rule["enum"] and all(isinstance(v, str) for v in rule["enum"])
        ):
            problems.append(Problem(where, 0, at, '"enum" must be a non-empty list of strings'))
        for key in ("minimum", "maximum"):
            if key in rule and (isinstance(rule[key], bool) or not isinstance(rule[key], (int, float))):
                problems.append(Problem(where, 0, at, f"{key!r} must be a number"))
        if "unit" in rule and not isinstance(rule["unit"], str):
            problems.append(Problem(where, 0, at, '"unit" must be a string'))
        for other in _as_list(rule.get("excludes", [])):
            if other not in vocabulary:
                problems.append(
                    Problem(where, 0, at, f'"excludes" names {other!r}, which is not a fact of the vocabulary')
                )
    return problems


def check_package(package: dict, data_dir: Path, *, cohort: bool = True) -> list[Problem]:
    """Every problem of the dictionary's structure (empty when the validator can rely on it).

    ``cohort``: the package is a cohort's (it must list the cohort's tables, REQUIRED_FIELDS, and
    none of the paper's, PAPER_TABLES); otherwise it is the paper's own package (data/paper/)."""
    where = _where(data_dir, PACKAGE_FILE)
    required = REQUIRED_FIELDS if cohort else {}
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        what = 'has no "resources"' if resources is None else '"resources" must be a non-empty list of tables'
        return [
            Problem(
                where,
                0,
                "resources",
                f"the data dictionary {what}: it must list the tables {', '.join(required or PAPER_TABLES)}",
            )
        ]
    problems = []
    named: dict[str, dict] = {}
    for i, res in enumerate(resources):
        if not isinstance(res, dict):
            problems.append(
                Problem(where, 0, f"resources[{i}]", f"each resource must be a JSON object, not {_json_kind(res)}")
            )
            continue
        name = res.get("name")
        if not isinstance(name, str) or not name:
            problems.append(Problem(where, 0, f"resources[{i}]", 'each resource needs a "name"'))
            continue
        if name in named:
            problems.append(Problem(where, 0, name, "two resources have this name"))
        named[name] = res
    if problems:
        return problems  # references between resources cannot be followed until each has its name
    for name, res in named.items():
        if "data" in res:
            problems.append(
                Problem(where, 0, f"{name}.data", 'inline data are not read: give the table as a CSV file ("path")')
            )
        why = check_path(res.get("path"), data_dir)
        if why:
            problems.append(Problem(where, 0, f"{name}.path", why))
        if str(res.get("format", "csv")).lower() != "csv":
            problems.append(
                Problem(
                    where,
                    0,
                    f"{name}.format",
                    f"format {res['format']!r} is not read: tables are comma-separated CSV files",
                )
            )
        if str(res.get("encoding", "utf-8")).lower().replace("_", "-") not in ("utf-8", "utf8"):
            problems.append(
                Problem(
                    where,
                    0,
                    f"{name}.encoding",
                    f'encoding {res["encoding"]!r} is not read: save the table as UTF-8 and say "utf-8"',
                )
            )
        dialect = res.get("dialect")
        if dialect is not None and (
            not isinstance(dialect, dict)
            or dialect.get("delimiter", ",") != ","
            or set(dialect) - {"delimiter", "header", "quoteChar", "doubleQuote"}
            or dialect.get("header", True) is not True
            or dialect.get("quoteChar", '"') != '"'
            or dialect.get("doubleQuote", True) is not True
        ):
            problems.append(
                Problem(
                    where,
                    0,
                    f"{name}.dialect",
                    "only plain CSV is read (comma delimiter, a header row, '\"' quotes): remove the dialect",
                )
            )
        schema = res.get("schema")
        if isinstance(schema, str):
            problems.append(
                Problem(
                    where,
                    0,
                    f"{name}.schema",
                    f"refers to a schema file ({schema!r}): write the schema inline in datapackage.json; no other file is read",
                )
            )
            continue
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
            problems.append(
                Problem(
                    where, 0, f"{name}.schema", 'each resource needs an inline schema with a non-empty list of "fields"'
                )
            )
            continue
        missing = schema.get("missingValues", [""])
        if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
            problems.append(Problem(where, 0, f"{name}.schema.missingValues", "must be a list of strings"))
        field_problems = [
            p for i, f in enumerate(schema["fields"]) for p in _check_field(f, f"{name}.fields[{i}]", where)
        ]
        problems += field_problems
        names = [f.get("name") for f in schema["fields"] if isinstance(f, dict)]
        for dup in sorted({n for n in names if isinstance(n, str) and names.count(n) > 1}):
            problems.append(Problem(where, 0, f"{name}.{dup}", "two fields have this name"))
        if not field_problems:
            problems += _check_keys(schema, set(names), f"{name}.schema", where, named)
        types = {
            f["name"]: f.get("type", "string")
            for f in schema["fields"]
            if isinstance(f, dict) and isinstance(f.get("name"), str)
        }
        for column, kind in REQUIRED_FIELDS.get(name, {}).items():
            allowed = ID_TYPES if kind == "id" else (kind,)
            wanted = " or ".join(allowed)
            if column not in types:
                problems.append(
                    Problem(
                        where,
                        0,
                        f"{name}.{column}",
                        f"the table needs a field {column!r} typed {wanted} (the analyses read it)",
                    )
                )
            elif types[column] not in allowed:
                problems.append(
                    Problem(
                        where,
                        0,
                        f"{name}.{column}",
                        f"must be typed {wanted}, not {types[column]!r} (the analyses read it so)",
                    )
                )
        if name == FACTS_TABLE:
            problems += _check_fact_vocabulary(res, name, where)
    for name in required:
        if name not in named:
            problems.append(
                Problem(where, 0, name, f"the data dictionary lists no resource {name!r}; the analyses need it")
            )
    for name in sorted(set(PAPER_TABLES) & set(named)) if cohort else ():
        problems.append(
            Problem(
                where,
                0,
                name,
                f"{PAPER_TABLES[name]} is the paper's, not a cohort's: it is read once from the compendium's "
                "data/paper/ and never from a cohort folder; remove this resource (and its file) from the cohort",
            )
        )
    id_types = {}
    for name in REQUIRED_FIELDS:
        schema = named.get(name, {}).get("schema")
        for field in (
            schema.get("fields", []) if isinstance(schema, dict) and isinstance(schema.get("fields"), list) else []
        ):
            if isinstance(field, dict) and field.get("name") == "patient_id":
                id_types[name] = field.get("type", "string")
    if len(set(id_types.values())) > 1:
        first = id_types.get("table1_baseline", next(iter(id_types.values())))
        for name, kind in id_types.items():
            if kind != first:
                problems.append(
                    Problem(
                        where,
                        0,
                        f"{name}.patient_id",
                        f"typed {kind!r} but {first!r} in table1_baseline: type patient_id the same way in every table",
                    )
                )
    return problems


def needed_columns(res: dict) -> set[str]:
    """The columns a cohort table's file must have: those the analyses read, its keys and the
    fields the dictionary marks required. The others may be left out (they read as missing)."""
    schema = res["schema"]
    needed = set(REQUIRED_FIELDS.get(res["name"], {}))
    needed |= set(_as_list(schema.get("primaryKey", [])))
    needed |= {c for fk in schema.get("foreignKeys", []) for c in _as_list(fk.get("fields"))}
    needed |= {f["name"] for f in schema["fields"] if (f.get("constraints") or {}).get("required")}
    return needed


# --- stage 2: each table's bytes ---------------------------------------------------------------


def _fields(res: dict) -> list[dict]:
    return res["schema"]["fields"]


def _decode(raw: bytes) -> tuple[str | None, str | None]:
    """The text of a table file, or why it is not UTF-8. A UTF-8 byte-order mark is allowed."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if raw.startswith(bom):
            return None, f"is {name}, not UTF-8: save the table as UTF-8"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        return (
            None,
            f"is not UTF-8: byte {raw[err.start]:#04x} on line {line} (offset {err.start}); save the table as UTF-8",
        )
    if "\x00" in text:
        return (
            None,
            f"holds a NUL character on line {text.count(chr(10), 0, text.index(chr(0))) + 1}: it is not a text table",
        )
    return text, None


def check_table_file(data_dir: Path, res: dict) -> list[Problem]:
    """Problems of a table file as a whole: readable, UTF-8, comma-separated, with a header.

    One problem per file, found before any cell is checked, so a file that cannot be read is
    not also reported as broken references in every table that refers to it."""
    where = _where(data_dir, res["path"])
    path = data_dir / res["path"]
    expected = [f["name"] for f in _fields(res)]
    if path.exists() and not path.is_dir() and not path.is_file():
        return [Problem(where, 0, "-", "is not a regular file (a pipe, socket or device): a table must be a file")]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [Problem(where, 0, "-", "file not found: the data dictionary lists it")]
    except IsADirectoryError:
        return [Problem(where, 0, "-", "is a folder, not a table file")]
    except OSError as err:
        return [Problem(where, 0, "-", f"cannot be read ({_os_reason(err)})")]
    text, why = _decode(raw)
    if why:
        return [Problem(where, 0, "-", why)]
    if not text.strip():
        return [Problem(where, 0, "-", f"is empty: a table needs its header row ({','.join(expected)})")]
    try:
        rows = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(rows)
        n_rows, last = 0, header
        for row in rows:
            if any(cell.strip() for cell in row):
                n_rows, last = n_rows + 1, row
    except csv.Error as err:
        return [Problem(where, 0, "-", f"is not a readable CSV file ({err})")]
    if n_rows and not text.endswith(("\n", "\r")) and len(last) < len(header):
        line = text.count("\n") + 1
        return [
            Problem(
                where,
                line,
                "-",
                f"the file ends in the middle of a row ({len(last)} of {len(header)} cells, no line end): it was cut short; restore the whole file",
            )
        ]
    if header != expected and len(header) <= 1:
        first_line = text.splitlines()[0]
        for delimiter, label in _OTHER_DELIMITERS.items():
            cells = next(csv.reader([first_line], delimiter=delimiter))
            if len(cells) > 1:
                return [
                    Problem(
                        where,
                        1,
                        "-",
                        f"columns are separated by a {label}, not by commas: save the table as comma-separated CSV",
                    )
                ]
    if res["name"] in REQUIRED_FIELDS:  # a cohort table: columns matched by name, optional ones may be absent
        problems = []
        for i, label in enumerate(header):
            if header.index(label) != i:
                problems.append(
                    Problem(where, 1, label or f"column {i + 1}", "this column name appears twice in the header")
                )
            elif label not in expected:
                problems.append(
                    Problem(
                        where,
                        1,
                        label or f"column {i + 1}",
                        f"column {label!r} is not in the data dictionary (its columns: {', '.join(expected)})",
                    )
                )
        for name in expected:
            if name not in header and name in needed_columns(res):
                problems.append(
                    Problem(
                        where,
                        1,
                        name,
                        "column missing: the table needs it (the analyses read it, or the dictionary marks it required)",
                    )
                )
        if problems:
            return problems
    if n_rows == 0 and res["name"] in NON_EMPTY_TABLES:
        whom = (
            "the cohort's patients, one row each"
            if res["name"] == "table1_baseline"
            else "one row per patient of table1_baseline"
        )
        return [Problem(where, "-", "-", f"table is empty: it has a header but no rows, and must list {whom}")]
    return []


def file_header(data_dir: Path, res: dict) -> list[str]:
    """The column names of a table file that passed check_table_file."""
    with (data_dir / res["path"]).open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def file_fields(res: dict, header: list[str]) -> list[dict]:
    """The dictionary's fields as the file has them: for a cohort table, in the file's order and
    without the optional columns it leaves out; for any other table, as declared."""
    if res["name"] not in REQUIRED_FIELDS:
        return _fields(res)
    by_name = {f["name"]: f for f in _fields(res)}
    return [by_name[label] for label in header if label in by_name]


# --- stage 3: frictionless ---------------------------------------------------------------------


def _sanitized(package: dict, headers: dict[str, list[str]]) -> dict:
    """The dictionary as frictionless sees it: only what validation needs, every table a local
    comma-separated UTF-8 file, booleans spelled one way. Descriptions, sources and profiles
    (which could name remote schemas) are left out, so frictionless reads nothing else."""
    resources = []
    for res in package["resources"]:
        schema = res["schema"]
        fields = []
        for field in file_fields(res, headers[res["name"]]):
            clean = {"name": field["name"], "type": field.get("type", "string")}
            if field.get("constraints"):
                clean["constraints"] = field["constraints"]
            if clean["type"] == "boolean":
                clean["trueValues"], clean["falseValues"] = list(TRUE_VALUES), list(FALSE_VALUES)
            fields.append(clean)
        clean_schema = {"fields": fields, "missingValues": schema.get("missingValues", [""])}
        for key in ("primaryKey", "foreignKeys"):
            if key in schema:
                clean_schema[key] = schema[key]
        resources.append(
            {
                # The delimiter is stated, not sniffed: frictionless then reads each file as the loader does.
                "name": res["name"],
                "path": res["path"],
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ","},
                "schema": clean_schema,
            }
        )
    return {"name": "data", "resources": resources}


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


def _hint(field: dict | None, cell: str) -> str:
    """What to write instead of a refused cell, from the dictionary."""
    if field is None:
        return ""
    if field.get("type") == "boolean":
        return f"; allowed: {', '.join(TRUE_VALUES + FALSE_VALUES)} (lower case), or empty if missing"
    enum = (field.get("constraints") or {}).get("enum")
    if enum:
        near = [v for v in enum if isinstance(v, str) and v.lower() == str(cell).strip().lower()]
        return f"; did you mean {near[0]!r}?" if near else ""
    return ""


def frictionless_problems(package: dict, data_dir: Path) -> list[Problem]:
    """Types, constraints, labels, keys and references, checked by frictionless."""
    import frictionless

    where_package = _where(data_dir, PACKAGE_FILE)
    try:
        headers = {res["name"]: file_header(data_dir, res) for res in package["resources"]}
        fl_package = frictionless.Package(_sanitized(package, headers), basepath=str(data_dir))
        report = fl_package.validate(limit_errors=ERROR_LIMIT)
    except Exception as err:  # frictionless refused the dictionary in a way the checks above did not foresee
        return [Problem(where_package, 0, "-", f"the data dictionary cannot be used: {err}")]
    resources = {res["name"]: res for res in package["resources"]}
    key_columns = {}
    for res in package["resources"]:
        schema = res["schema"]
        key_columns[res["name"]] = {
            "primary-key": ",".join(_as_list(schema.get("primaryKey", []))),
            "foreign-key": ",".join(c for fk in schema.get("foreignKeys", []) for c in _as_list(fk.get("fields"))),
        }
    problems = [Problem(where_package, 0, "-", error.message) for error in report.errors]
    # A table with problems of its own makes the references to it fail too: those are consequences,
    # counted in one line per referring table, not listed row by row.
    broken = {task.name for task in report.tasks if any(e.type != "foreign-key" for e in task.errors)}
    for task in report.tasks:
        res = resources.get(task.name, {"path": task.name, "schema": {"fields": []}})
        fields = {f["name"]: f for f in res["schema"]["fields"]}
        file = _where(data_dir, res["path"])
        if any("error limit" in warning for warning in task.warnings):  # said first, so a shortened list still says it
            problems.append(
                Problem(
                    file,
                    "-",
                    "-",
                    f"validation of this table stopped after {ERROR_LIMIT} problems: more are not shown; fix these and validate again",
                )
            )
        targets = {
            (fk.get("reference", {}).get("resource") or task.name) for fk in res["schema"].get("foreignKeys", [])
        }
        consequences = (
            [e for e in task.errors if e.type == "foreign-key"] if targets and targets <= broken - {task.name} else []
        )
        if consequences:
            problems.append(
                Problem(
                    file,
                    "-",
                    key_columns.get(task.name, {}).get("foreign-key") or "-",
                    f"{len(consequences)} row(s) refer to rows not found in {', '.join(sorted(targets))}, which has problems of its own: fix those first",
                )
            )
        for error in task.errors:
            if error.type == "foreign-key" and consequences:
                continue
            row = getattr(error, "row_number", None)
            column = _error_column(error) or key_columns.get(task.name, {}).get(error.type)
            if row is None:  # header or whole-file errors
                row = 1 if error.type.endswith("label") else 0
            detail = error.note or error.message
            cell = getattr(error, "cell", None)
            if cell not in (None, "") and error.type in ("type-error", "constraint-error"):
                detail += f" (value {cell!r}){_hint(fields.get(column), cell)}"
            problems.append(Problem(file, row, column or "-", f"{error.title.lower()}: {detail}"))
    return problems


# --- stage 4: reading, and what a per-column schema cannot express ----------------------------


def _spelling_problem(kind: str, field: dict, value: str) -> str | None:
    if kind == "boolean" and value not in TRUE_VALUES + FALSE_VALUES:
        return f"{value!r} is not a boolean: allowed {', '.join(TRUE_VALUES + FALSE_VALUES)} (lower case), or empty if missing"
    if kind == "integer" and not _INTEGER.fullmatch(value):
        return f"{value!r} is not a whole number written in digits (leave the cell empty if missing)"
    if kind == "integer" and not -(2**63) < int(value) < 2**63:
        return f"{value!r} is too large a whole number to be read (at most 19 digits)"
    if kind == "number" and not (_NUMBER.fullmatch(value) and math.isfinite(float(value))):
        return f"{value!r} is not a finite number written in digits, such as 4 or 4.5 (leave the cell empty if missing)"
    return None


def read_table(data_dir: Path, res: dict) -> tuple[pd.DataFrame, list[Problem]]:
    """One table typed as its dictionary says, and the cells that would not read as they are.

    The reader is explicit (comma-delimited UTF-8, a header row, the dictionary's missing
    values, booleans only as true/false), and a cell that is not missing but does not read as
    its type is a problem, never a silent missing value."""
    fields = _fields(res)
    where = _where(data_dir, res["path"])
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
    where = _where(data_dir, res["path"])
    problems = []
    # Each distinct (fact, value, unit) is judged once; the rows then take its problems in
    # row order (a cohort of any size has few distinct triples).
    columns = [[None if pd.isna(v) else v for v in facts[c].tolist()] for c in ("fact", "value", "unit")]
    verdicts: dict[tuple, list[tuple[str, str]]] = {}
    for i, key in zip(facts.index, zip(*columns, strict=False), strict=False):
        if key not in verdicts:
            verdicts[key] = _fact_problems(vocabulary, *key)
        for column, message in verdicts[key]:
            problems.append(Problem(where, i + 2, column, message))
    present = {fact: set(facts.loc[facts["fact"] == fact, "patient_id"]) for fact in vocabulary}
    for fact, rule in vocabulary.items():
        for other in _as_list(rule.get("excludes", [])):
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
        return _where(data_dir, resources[name]["path"])

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
                    Problem(_where(data_dir, path), i + 2, "events", f"events {r['events']} exceed total {r['total']}")
                )
    return problems


def validate_folder(data_dir: Path, *, cohort: bool = True) -> list[Problem]:
    """Every problem in a data folder, root causes first (see the module docstring).

    ``cohort`` False validates the paper's own folder (data/paper/: the claims ledger and the
    literature table) by the same stages, without the cohort's tables and cross-checks."""
    if not data_dir.exists():
        return [Problem(str(data_dir), 0, "-", "data folder not found")]
    if not data_dir.is_dir():
        return [Problem(str(data_dir), 0, "-", "is a file, not a data folder")]
    try:
        package = read_package(data_dir)
    except DataValidationError as err:
        return err.problems
    problems = check_package(package, data_dir, cohort=cohort)
    if problems:
        return problems  # the tables cannot be checked against a dictionary that is not sound
    problems = [p for res in package["resources"] for p in check_table_file(data_dir, res)]
    if problems:
        return problems  # one problem per file that cannot be read as a table
    problems = frictionless_problems(package, data_dir)
    if problems:
        return problems  # typed loading would fail on the same cells
    tables, problems = {}, []
    for res in package["resources"]:
        tables[res["name"]], found = read_table(data_dir, res)
        problems += found
    if problems:
        return problems
    if not cohort:
        return literature_problems(data_dir, tables, package)
    facts = next(res for res in package["resources"] if res["name"] == FACTS_TABLE)
    problems = fact_problems(data_dir, facts, tables[FACTS_TABLE])
    if problems:
        return problems
    return cross_checks(data_dir, tables, package)
