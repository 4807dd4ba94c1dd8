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

Modules: ``rules`` (what a dictionary must declare), ``problems`` (the problem and the error),
``dictionary``, ``files``, ``schema`` and ``content`` (stages 1 to 4), and here the stages in order.
"""

from __future__ import annotations

from pathlib import Path

from .content import cross_checks, fact_problems, literature_problems, read_table
from .dictionary import check_package, read_package
from .files import check_table_file
from .problems import DataValidationError, Problem, printable
from .rules import FACTS_TABLE, PACKAGE_FILE, PAPER_TABLES, PER_PATIENT_TABLES, TABLE5_LISTED_COLUMNS
from .schema import frictionless_problems

__all__ = [
    "DataValidationError",
    "PACKAGE_FILE",
    "PAPER_TABLES",
    "PER_PATIENT_TABLES",
    "Problem",
    "TABLE5_LISTED_COLUMNS",
    "printable",
    "read_package",
    "read_table",
    "validate_folder",
]


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
