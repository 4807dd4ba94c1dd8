"""The notebooks' words fit any cohort (issue #13 item 3): what is true only of the paper's
transcription (its patients by number, its lost Table 3, its discrepancies, its counts) is said
only on the paper's own data (``narrative``); any other cohort reads neutral words. The executed
synthetic cohort's notebooks are checked in the e2e tier (tests/test_own_cohort.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tacrolimus_ibd import claims, medium_term, narrative, open_study, short_term

from .conftest import DATA_DIR, ROOT
from .test_own_cohort import _tool

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SYNTHETIC = ROOT / "examples" / "synthetic_cohort"

#: Sentences true only of the paper's transcription, as the notebooks render them on its data.
#: None may appear in the text of a run on another cohort (markdown or displayed output).
PAPER_ONLY = (
    'Patient 7, the pouchitis patient, is printed as "UC"',
    'Patient 7 is printed as "UC"',
    "Patients 15 and 16 stopped",
    "say when Patients 15 and 16",
    "the grade was unchanged in Patients 5 and 6",
    "Which of Patients 1-4 changed",
    "Patients 7 and 9 are not in Table 4",
    "Patient 9's remission",
    "depends on Patient 9",
    "Patient 9 is missing from Table 4",
    "19 patients",
    "Table 3 is lost",
    "none of its rows survived the extraction",
    "most of the response data are inferences",
    "the discrepancies printed above",
    "The paper contradicts itself here",
    "the paper contradicts itself on how long",
    "the tremor and malaise patients",
    "this mixed, mostly Crohn's, cohort",
    "A small series from one centre",
    "this is a check of transcription",
    "hard to believe as relapses",
    "With so few patients per band",
    "a single inferred outcome",
    '"Medium term" here means a few months',
    "With this few patients",
    "agree with the plain summaries within rounding",
    "The readings that reproduce the reported P are",
    "Estimated CDAI and Truelove-Witts scores were calculated retrospectively",
)

#: The ones that must read as before on the paper's own data (the committed notebooks' run).
PAPER_KEY = tuple(p for p in PAPER_ONLY if p != "19 patients")


def notebook_text(path: Path) -> str:
    """A notebook's markdown and displayed outputs (text, markdown, plain), whitespace collapsed."""
    parts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            data = output.get("data", {})
            parts += ["".join(data[m]) for m in ("text/markdown", "text/plain") if m in data]
    text = "\n".join(parts)
    return re.sub(r"\s+", " ", re.sub(r"(?m)^>\s?", "", text))


def paper_phrases_in(text: str) -> list[str]:
    return [phrase for phrase in PAPER_ONLY if phrase in text]


def _every_passage(study) -> str:
    results = {"short": short_term.short_term_outcomes(study), "medium": medium_term.medium_term_outcomes(study)}
    return "\n".join(
        narrative.text(name, study, results.get(name.split("_")[0])) for name in narrative.PASSAGES
    ).replace("\n>   ", " ")


def test_the_committed_notebooks_keep_the_papers_sentences_on_its_data():
    text = " ".join(notebook_text(p) for p in NOTEBOOKS)
    assert [p for p in PAPER_KEY if p not in text] == []


def test_no_markdown_cell_states_a_fact_of_the_papers_patients():
    """What the markdown says holds on any cohort: the paper's facts are rendered (narrative)."""
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        markdown = re.sub(r"\s+", " ", " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"))
        assert paper_phrases_in(markdown) == [], path.name
        assert not re.search(r"\bPatients? \d", markdown), path.name


@pytest.fixture(scope="module")
def other_cohorts(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("narrative_cohorts")
    made = {"synthetic example": SYNTHETIC}
    for name, args in {
        "one patient": ["--patients", "1", "--seed", "11"],
        "CD alone, string ids": ["--patients", "30", "--groups", "CD", "--ids", "SYN-", "--shuffle", "--seed", "12"],
    }.items():
        folder = root / name.replace(" ", "_").replace(",", "")
        assert _tool(str(folder), *args).returncode == 0
        made[name] = folder
    return made


def test_on_other_cohorts_every_passage_is_neutral(other_cohorts):
    for name, folder in other_cohorts.items():
        study = open_study(folder, style=False)
        assert not study.is_transcription
        assert paper_phrases_in(_every_passage(study)) == [], name


def test_on_the_papers_data_the_passages_compute_its_patients():
    study = open_study(DATA_DIR, style=False)
    assert len(paper_phrases_in(_every_passage(study))) >= len(PAPER_ONLY) - 6  # the list is the library's words
    early = short_term.short_term_outcomes(study)
    stopped = list(early.stopped_early)
    assert f"say when Patients {stopped[0]} and {stopped[1]}" in narrative.text("short_which_n", study, early)
    pouch = study.cohort.index[study.cohort["diagnosis"] == "pouchitis"]
    assert narrative.text("cohort_table1", study).startswith(f"Patient {pouch[0]}, the pouchitis patient")
    # The typed wording of notebook 01's first question holds on the audit: the cohort statements
    # the tables contradict are the sex ratio and previous 6-MP.
    audit = claims.claims_audit(study).claims_about(("cohort-", "tx-"))
    assert set(audit.loc[audit["status"] == "discrepancy", "claim_id"]) == {"cohort-sex", "tx-prev-6mp"}


def test_the_comparisons_notes_do_not_say_table_3_is_lost():
    notes = " ".join(claims.claims_audit(open_study(SYNTHETIC, style=False)).comparison["note"])
    assert "Table 3 is lost" not in notes and "from the cohort's patient facts" in notes


@pytest.mark.parametrize(
    ("ids", "words"),
    [
        ([7], "Patient 7"),
        ([15, 16], "Patients 15 and 16"),
        ([1, 2, 3, 4], "Patients 1-4"),
        (["A", "B", "C"], "Patients A, B and C"),
    ],
)
def test_patients_are_named_in_words(ids, words):
    assert narrative._patients(ids) == words


def test_an_unknown_passage_is_a_clear_error():
    with pytest.raises(KeyError, match="no passage 'nope'"):
        narrative.text("nope", open_study(SYNTHETIC, style=False))
