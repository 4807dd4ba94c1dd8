"""Stage 1: the dictionary itself (``datapackage.json``), read defensively before any table."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from .problems import DataValidationError, Problem, file_label, os_reason
from .rules import (
    COHORT_DESCRIPTION,
    COHORT_DESCRIPTION_KEYS,
    FACT_RULE_KEYS,
    FACT_TYPES,
    FACT_VOCABULARY,
    FACTS_TABLE,
    FALSE_VALUES,
    ID_TYPES,
    PACKAGE_FILE,
    PANDAS_DTYPES,
    PAPER_TABLES,
    REQUIRED_FIELDS,
    SUPPORTED_CONSTRAINTS,
    TRUE_VALUES,
    URL,
)


def read_package(data_dir: Path) -> dict:
    """The data dictionary of a data folder, as a dict; DataValidationError if it cannot be read."""
    where = file_label(data_dir, PACKAGE_FILE)
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
        refuse(0, f"data dictionary cannot be read ({os_reason(err)})")
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


def as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def check_path(path, data_dir: Path) -> str | None:
    """Why a resource path is refused (None when it is a relative path inside the folder).

    Only local files inside the data folder are read: a URL, an absolute path or a ``..`` escape
    is refused here, before anything opens it, so validation never touches the network."""
    if not isinstance(path, str) or not path.strip():
        return f"path must be the name of a file in the data folder, not {_json_kind(path)}"
    if "://" in path or URL.match(path):
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
        return f"path {path!r} cannot be resolved ({os_reason(err)})"
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
    for column in as_list(schema.get("primaryKey", [])):
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
        for column in as_list(fk.get("fields")):
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
        for column in as_list(ref.get("fields")):
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
        for other in as_list(rule.get("excludes", [])):
            if other not in vocabulary:
                problems.append(
                    Problem(where, 0, at, f'"excludes" names {other!r}, which is not a fact of the vocabulary')
                )
    return problems


def cohort_description_problems(package: dict, where: str) -> list[Problem]:
    """The optional ``cohortDescription`` must be an object of known keys with non-empty strings."""
    description = package.get(COHORT_DESCRIPTION)
    if description is None:
        return []
    if not isinstance(description, dict):
        return [Problem(where, 0, COHORT_DESCRIPTION, f"must be a JSON object, not {_json_kind(description)}")]
    problems = []
    for key, value in description.items():
        if key not in COHORT_DESCRIPTION_KEYS:
            known = ", ".join(COHORT_DESCRIPTION_KEYS)
            problems.append(Problem(where, 0, f"{COHORT_DESCRIPTION}.{key}", f"unknown key (known: {known})"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(where, 0, f"{COHORT_DESCRIPTION}.{key}", "must be a non-empty string"))
    return problems


def check_package(package: dict, data_dir: Path, *, cohort: bool = True) -> list[Problem]:
    """Every problem of the dictionary's structure (empty when the validator can rely on it).

    ``cohort``: the package is a cohort's (it must list the cohort's tables, REQUIRED_FIELDS, and
    none of the paper's, PAPER_TABLES); otherwise it is the paper's own package (data/paper/)."""
    where = file_label(data_dir, PACKAGE_FILE)
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
    problems = cohort_description_problems(package, where) if cohort else []
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
    needed |= set(as_list(schema.get("primaryKey", [])))
    needed |= {c for fk in schema.get("foreignKeys", []) for c in as_list(fk.get("fields"))}
    needed |= {f["name"] for f in schema["fields"] if (f.get("constraints") or {}).get("required")}
    return needed
