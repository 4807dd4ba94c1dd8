"""No patient named by number in code that runs on any cohort (issue #13 item 3).

The library outside the paper's audit (``claims/``: the ledger, its checks and their notes, which
are about the paper's own patients) and ``paper.py``, and the code cells of the notebooks, run on
any cohort: a cohort's "patient 7" is someone else, so neither code nor docstrings nor comments
may name a patient by number. What the paper's text says of its patients lives in the data
(``data/text_patient_facts.csv``, the data dictionary) and in the paper's audit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import ROOT

LIBRARY = ROOT / "lib" / "tacrolimus_ibd"
#: The paper's audit and its reader: about the paper's own patients, by design.
PAPERS_OWN = (LIBRARY / "claims", LIBRARY / "paper.py")

#: "patient 7", "Patients 1-6", "Patient 12's", "patients 13 and 19", "pt 9", "patient #3", "patient no. 4".
PATIENT_BY_NUMBER = re.compile(r"\b(?:patients?|pts?\.?)\s*(?:#|no\.\s*|number\s+)?\(?\d", re.IGNORECASE)


def _library_files() -> list[Path]:
    return sorted(p for p in LIBRARY.rglob("*.py") if not any(p == own or own in p.parents for own in PAPERS_OWN))


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _hits(text: str) -> list[str]:
    lines = text.splitlines()
    return [f"{n}: {lines[n - 1].strip()}" for n in range(1, len(lines) + 1) if PATIENT_BY_NUMBER.search(lines[n - 1])]


@pytest.mark.parametrize(
    "text",
    [
        "Patient 7 has none",
        "Patients 1-6 are UC",
        "the text names relapses for patients 13 and 19",
        "Patient 12's remission",
        "(Patients 15 and 16)",
        "pt 9 stopped",
        "patient #3",
        "patient no. 4",
    ],
)
def test_the_pattern_finds_a_patient_named_by_number(text):
    assert _hits(text)


@pytest.mark.parametrize(
    "text",
    [
        "patients 'id' column",
        "per patient",
        "a patient absent from Table 4",
        "patient_id",
        "19 patients",
        "n_patients=3",
    ],
)
def test_the_pattern_leaves_general_wording_alone(text):
    assert not _hits(text)


def test_the_library_outside_the_papers_audit_names_no_patient_by_number():
    files = _library_files()
    assert LIBRARY / "outcomes.py" in files and not any("claims" in p.parts for p in files)
    found = {str(p.relative_to(ROOT)): _hits(p.read_text(encoding="utf-8")) for p in files}
    assert {k: v for k, v in found.items() if v} == {}


def test_no_notebook_code_cell_names_a_patient_by_number():
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) == 7
    found = {p.name: _hits(_notebook_code(p)) for p in notebooks}
    assert {k: v for k, v in found.items() if v} == {}
