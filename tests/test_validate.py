"""Corrupted copies of data/ are refused, each problem named as file:row:column, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tacrolimus_ibd.__main__ import main
from tacrolimus_ibd.data import DataValidationError, load_cohort
from tacrolimus_ibd.pipeline import reproduce

from .conftest import copy_project


def _edit(name: str, old: str, new: str, count: int = 1):
    def mutate(d: Path):
        path = d / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return mutate


def _lines(name: str, keep):
    def mutate(d: Path):
        path = d / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(keep(lines)), encoding="utf-8")

    return mutate


def _bytes(name: str, func):
    def mutate(d: Path):
        path = d / name
        path.write_bytes(func(path.read_bytes()))

    return mutate


def _delete(name: str):
    return lambda d: (d / name).unlink()


T1, T2, T2S, T3, T4, T4AE, T5, FACTS, LIT = (
    "table1_baseline.csv", "table2_treatments.csv", "table2_treatment_status.csv", "table3_week4.csv",
    "table4_medium_term.csv", "table4_adverse_effects.csv", "table5_trough.csv", "text_patient_facts.csv", "literature.csv",
)

# (case id, corruption, file expected in a message, column expected in that message or None)
CASES = [
    ("text-in-number-column", _edit(T1, "1,23,F", "1,twenty-three,F"), T1, "age"),
    ("negative-age", _edit(T1, "1,23,F", "1,-23,F"), T1, "age"),
    ("impossible-age", _edit(T1, "1,23,F", "1,230,F"), T1, "age"),
    ("unknown-sex", _edit(T1, "2,31,F", "2,31,X"), T1, "sex"),
    ("unknown-diagnosis", _edit(T1, "8,26,F,CD,CD", "8,26,F,CD,IBD"), T1, "analysis_group"),
    ("unknown-site", _edit(T1, ",ileocolonic,fistula,none_recorded", ",jejunal,fistula,none_recorded"), T1, "disease_site"),
    ("negative-duration", _edit(T1, "3,66,F,UC,UC,10", "3,66,F,UC,UC,-10"), T1, "disease_duration_years"),
    ("duplicated-patient", _lines(T1, lambda ls: ls + [ls[5]]), T1, "patient_id"),
    ("patient-id-zero", _edit(T1, "\n1,23,F", "\n0,23,F"), T1, "patient_id"),
    ("blank-required-cell", _edit(T1, "2,31,F", "2,31,"), T1, "sex"),
    ("removed-column", _bytes(T1, lambda b: b"\n".join(b",".join(r.split(b",")[:-1]) for r in b.split(b"\n"))), T1, "reading_note"),
    ("renamed-column", _edit(T1, "disease_duration_years", "duration"), T1, "disease_duration_years"),
    ("extra-column", _lines(T5, lambda ls: [ls[0].rstrip("\n") + ",extra\n"] + [l.rstrip("\n") + ",x\n" for l in ls[1:]]), T5, "extra"),
    ("swapped-columns", _edit(T1, "patient_id,age,sex", "patient_id,sex,age"), T1, "age"),
    ("truncated-mid-row", _bytes(T1, lambda b: b[: len(b) // 2]), T1, None),
    ("truncated-at-row-boundary", _lines(T3, lambda ls: ls[:10]), T3, "patient_id"),
    ("empty-file", _bytes(T4, lambda b: b""), T4, None),
    ("header-only", _lines(T5, lambda ls: ls[:1]), T5, None),
    ("wrong-encoding-latin1", _bytes(T1, lambda b: b.replace(b"protectomy", "proctectomy \u00e9".encode("latin-1"))), T1, None),
    ("wrong-encoding-utf16", _bytes(T2S, lambda b: b.decode("utf-8").encode("utf-16")), T2S, None),
    ("missing-file", _delete(T5), T5, None),
    ("missing-data-dictionary", _delete("datapackage.json"), "datapackage.json", None),
    ("broken-data-dictionary", _bytes("datapackage.json", lambda b: b[:-40]), "datapackage.json", None),
    ("table4-patient-not-in-table1", _lines(T1, lambda ls: ls[:-1]), T4, "patient_id"),
    ("unknown-outcome", _edit(T4, "Remission,remission", "Remission,cured"), T4, "outcome_category"),
    ("text-in-treatment-months", _edit(T4, "2,true,UC,6,", "2,true,UC,six,"), T4, "treatment_months"),
    ("listed-row-missing-outcome", _edit(T4, "3,true,UC,6,Remission,remission", "3,true,UC,6,Remission,"), T4, "outcome_category"),
    ("unlisted-row-without-reason", _edit(T4, "patient not listed in Table 4", ""), T4, "missing_reason"),
    ("boolean-garbage", _edit(T5, "2,true,true,6", "2,true,maybe,6"), T5, "ongoing_tacrolimus"),
    ("negative-trough", _edit(T5, "12,true,true,6,2.8", "12,true,true,6,-2.8"), T5, "mean_trough_ng_ml"),
    ("mean-trough-outside-range", _edit(T5, "12,true,true,6,2.8", "12,true,true,6,9.8"), T5, "mean_trough_ng_ml"),
    ("unknown-drug", _edit(T2, "infliximab,Infliximab", "unobtainium,Infliximab"), T2, "drug"),
    ("unknown-timing", _edit(T2, "1,previous,azathioprine", "1,someday,azathioprine"), T2, "timing"),
    ("unknown-adverse-effect", _edit(T4AE, "15,malaise", "15,hiccups"), T4AE, "adverse_effect"),
    ("unknown-fact-basis", _edit(FACTS, ",stated,", ",guessed,"), FACTS, "basis"),
    ("literature-events-exceed-total", _edit(LIT, ",18,38,", ",48,38,"), LIT, "events"),
    ("literature-text-in-events", _edit(LIT, ",18,38,", ",eighteen,38,"), LIT, "events"),
]


@pytest.mark.parametrize("case, mutate, file, column", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_refused(tmp_path, capsys, case, mutate, file, column):
    """Refused by `python -m tacrolimus_ibd validate` and by reproduce before any notebook runs,
    each problem named as file:row:column."""
    project = copy_project(tmp_path / "project", ["01_cohort.ipynb"])
    mutate(project / "data")
    assert main(["validate", str(project / "data")]) == 2
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    *messages, last = printed.err.splitlines()
    assert messages, f"{case}: corrupted data passed validation"
    assert last == f"{len(messages)} problem(s) found; nothing was run or written."
    named = [m for m in messages if file in m.split(":", 1)[0]]
    assert named, f"{case}: no message names {file}: {messages}"
    if column is not None:
        assert any(f":{column}:" in m for m in named), f"{case}: no message names column {column}: {named}"
    with pytest.raises(DataValidationError) as refused:
        reproduce(project_dir=project, progress=False)
    assert [str(p) for p in refused.value.problems] == messages
    assert sorted(p.name for p in project.iterdir()) == ["data", "notebooks"], f"{case}: something was written"


@pytest.mark.parametrize("case", ["text-in-number-column", "duplicated-patient", "literature-events-exceed-total"])
def test_the_notebooks_loader_refuses_corruption_too(data_copy, case):
    """A notebook run by hand (not through reproduce) meets the same refusal."""
    next(c[1] for c in CASES if c[0] == case)(data_copy)
    with pytest.raises(DataValidationError):
        load_cohort(data_copy)


def test_at_least_thirty_corruptions():
    assert len(CASES) >= 30


def test_the_command_reports_without_traceback(data_copy):
    """The installed entry point itself, in a process of its own, on an undecodable file."""
    next(c[1] for c in CASES if c[0] == "wrong-encoding-latin1")(data_copy)
    result = subprocess.run([sys.executable, "-m", "tacrolimus_ibd", "validate", str(data_copy)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert any(f"{T1}:" in line for line in result.stderr.splitlines()), result.stderr
    assert "nothing was run or written" in result.stderr


def test_the_command_accepts_valid_data(data_copy, capsys):
    assert main(["validate", str(data_copy)]) == 0
    assert capsys.readouterr().out.strip() == f"{data_copy}: valid"


def test_cli_reproduce_refuses_bad_data(tmp_path):
    project = copy_project(tmp_path / "project")
    CASES[0][1](project / "data")
    result = subprocess.run([sys.executable, "-m", "tacrolimus_ibd", "reproduce", "--project-dir", str(project)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "table1_baseline.csv:2:age" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "outputs").exists()
