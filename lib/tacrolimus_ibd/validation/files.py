"""Stage 2: each table's bytes: readable, UTF-8, comma-delimited, not cut short, a known header."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from .dictionary import needed_columns
from .problems import Problem, file_label, os_reason
from .rules import NON_EMPTY_TABLES, OTHER_DELIMITERS, REQUIRED_FIELDS


def schema_fields(res: dict) -> list[dict]:
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
    where = file_label(data_dir, res["path"])
    path = data_dir / res["path"]
    expected = [f["name"] for f in schema_fields(res)]
    if path.exists() and not path.is_dir() and not path.is_file():
        return [Problem(where, 0, "-", "is not a regular file (a pipe, socket or device): a table must be a file")]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [Problem(where, 0, "-", "file not found: the data dictionary lists it")]
    except IsADirectoryError:
        return [Problem(where, 0, "-", "is a folder, not a table file")]
    except OSError as err:
        return [Problem(where, 0, "-", f"cannot be read ({os_reason(err)})")]
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
        for delimiter, label in OTHER_DELIMITERS.items():
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
        return schema_fields(res)
    by_name = {f["name"]: f for f in schema_fields(res)}
    return [by_name[label] for label in header if label in by_name]
