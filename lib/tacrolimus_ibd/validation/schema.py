"""Stage 3: frictionless over a sanitized copy of the dictionary (types, ranges, allowed values,
unique keys, references between tables as foreign keys)."""

from __future__ import annotations

from pathlib import Path

from .dictionary import as_list
from .files import file_fields, file_header
from .problems import ERROR_LIMIT, Problem, file_label
from .rules import FALSE_VALUES, PACKAGE_FILE, TRUE_VALUES


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

    where_package = file_label(data_dir, PACKAGE_FILE)
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
            "primary-key": ",".join(as_list(schema.get("primaryKey", []))),
            "foreign-key": ",".join(c for fk in schema.get("foreignKeys", []) for c in as_list(fk.get("fields"))),
        }
    problems = [Problem(where_package, 0, "-", error.message) for error in report.errors]
    # A table with problems of its own makes the references to it fail too: those are consequences,
    # counted in one line per referring table, not listed row by row.
    broken = {task.name for task in report.tasks if any(e.type != "foreign-key" for e in task.errors)}
    for task in report.tasks:
        res = resources.get(task.name, {"path": task.name, "schema": {"fields": []}})
        fields = {f["name"]: f for f in res["schema"]["fields"]}
        file = file_label(data_dir, res["path"])
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
