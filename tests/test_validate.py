"""Corrupted copies of data/ are refused, each problem named as file:row:column, no traceback."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tacrolimus_ibd import data
from tacrolimus_ibd.__main__ import main
from tacrolimus_ibd.data import DataValidationError, load_cohort, validate_data_dir
from tacrolimus_ibd.pipeline import reproduce

from .conftest import DATA_DIR, FACTS, T1, T2, T2S, T3, T4, T4AE, T5, copy_project


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


LIT = "literature.csv"

# (case id, corruption, file expected in a message, column expected in that message or None)
CASES = [
    ("text-in-number-column", _edit(T1, "1,23,F", "1,twenty-three,F"), T1, "age"),
    ("negative-age", _edit(T1, "1,23,F", "1,-23,F"), T1, "age"),
    ("impossible-age", _edit(T1, "1,23,F", "1,230,F"), T1, "age"),
    ("unknown-sex", _edit(T1, "2,31,F", "2,31,X"), T1, "sex"),
    ("unknown-diagnosis", _edit(T1, "8,26,F,CD,CD", "8,26,F,CD,IBD"), T1, "analysis_group"),
    (
        "unknown-site",
        _edit(T1, ",ileocolonic,fistula,none_recorded", ",jejunal,fistula,none_recorded"),
        T1,
        "disease_site",
    ),
    ("negative-duration", _edit(T1, "3,66,F,UC,UC,10", "3,66,F,UC,UC,-10"), T1, "disease_duration_years"),
    ("duplicated-patient", _lines(T1, lambda ls: ls + [ls[5]]), T1, "patient_id"),
    ("patient-id-blank", _edit(T1, "\n1,23,F", "\n,23,F"), T1, "patient_id"),
    ("patient-id-fractional", _edit(T1, "\n1,23,F", "\n1.5,23,F"), T1, "patient_id"),
    ("blank-required-cell", _edit(T1, "2,31,F", "2,31,"), T1, "sex"),
    (
        "removed-column",
        _bytes(T5, lambda b: b"\n".join(b",".join(r.split(b",")[:-1]) for r in b.split(b"\n"))),
        T5,
        "missing_reason",
    ),
    ("renamed-column", _edit(T1, "disease_duration_years", "duration"), T1, "disease_duration_years"),
    (
        "extra-column",
        _lines(T5, lambda ls: [ls[0].rstrip("\n") + ",extra\n"] + [line.rstrip("\n") + ",x\n" for line in ls[1:]]),
        T5,
        "extra",
    ),
    ("swapped-columns", _edit(T1, "patient_id,age,sex", "patient_id,sex,age"), T1, "age"),
    ("truncated-mid-row", _bytes(T1, lambda b: b[: len(b) // 2]), T1, None),
    ("truncated-at-row-boundary", _lines(T3, lambda ls: ls[:10]), T3, "patient_id"),
    ("empty-file", _bytes(T4, lambda b: b""), T4, None),
    ("header-only", _lines(T5, lambda ls: ls[:1]), T5, None),
    (
        "wrong-encoding-latin1",
        _bytes(T1, lambda b: b.replace(b"protectomy", "proctectomy \u00e9".encode("latin-1"))),
        T1,
        None,
    ),
    ("wrong-encoding-utf16", _bytes(T2S, lambda b: b.decode("utf-8").encode("utf-16")), T2S, None),
    ("missing-file", _delete(T5), T5, None),
    ("missing-data-dictionary", _delete("datapackage.json"), "datapackage.json", None),
    ("broken-data-dictionary", _bytes("datapackage.json", lambda b: b[:-40]), "datapackage.json", None),
    ("table4-patient-not-in-table1", _lines(T1, lambda ls: ls[:-1]), T4, "patient_id"),
    ("unknown-outcome", _edit(T4, "Remission,remission", "Remission,cured"), T4, "outcome_category"),
    ("text-in-treatment-months", _edit(T4, "2,true,UC,6,", "2,true,UC,six,"), T4, "treatment_months"),
    (
        "listed-row-missing-outcome",
        _edit(T4, "3,true,UC,6,Remission,remission", "3,true,UC,6,Remission,"),
        T4,
        "outcome_category",
    ),
    ("unlisted-row-without-reason", _edit(T4, "patient not listed in Table 4", ""), T4, "missing_reason"),
    ("boolean-garbage", _edit(T5, "2,true,true,6", "2,true,maybe,6"), T5, "ongoing_tacrolimus"),
    ("negative-trough", _edit(T5, "12,true,true,6,2.8", "12,true,true,6,-2.8"), T5, "mean_trough_ng_ml"),
    ("mean-trough-outside-range", _edit(T5, "12,true,true,6,2.8", "12,true,true,6,9.8"), T5, "mean_trough_ng_ml"),
    ("unknown-drug", _edit(T2, "infliximab,Infliximab", "unobtainium,Infliximab"), T2, "drug"),
    ("unknown-timing", _edit(T2, "1,previous,azathioprine", "1,someday,azathioprine"), T2, "timing"),
    ("unknown-adverse-effect", _edit(T4AE, "15,malaise", "15,hiccups"), T4AE, "adverse_effect"),
    ("unknown-fact-basis", _edit(FACTS, ",stated,", ",guessed,"), FACTS, "basis"),
]

#: Corruptions of the paper's own folder (data/paper/), validated by the same stages.
PAPER_CASES = [
    ("literature-events-exceed-total", _edit(LIT, ",18,38,", ",48,38,"), LIT, "events"),
    ("literature-text-in-events", _edit(LIT, ",18,38,", ",eighteen,38,"), LIT, "events"),
    ("literature-integer-too-large", _edit(LIT, ",18,38,", ",18,99999999999999999999999,"), LIT, "total"),
]


@pytest.fixture
def validations(monkeypatch) -> list[tuple[str, bool, bool]]:
    """Every call of ``data.validate_data_dir`` in the test, as (folder, cohort, answered again),
    the second call with the same folder, arguments and bytes answered with the first's problems.

    A validation is a pure function of the folder's path, its bytes and (for a valid cohort) the
    paper's folder's bytes, all in the key: the command and reproduce each still validate, and the
    test still compares what each refused with, without paying twice for the same verdict."""
    real, verdicts, calls = data.validate_data_dir, {}, []

    def validate_data_dir_once(data_dir=None, *, cohort=True):
        key = (str(data_dir), cohort, data.data_fingerprint(data_dir), data.data_fingerprint(data.default_paper_dir()))
        calls.append((str(data_dir), cohort, key in verdicts))
        if key not in verdicts:
            verdicts[key] = real(data_dir, cohort=cohort)
        return list(verdicts[key])

    monkeypatch.setattr(data, "validate_data_dir", validate_data_dir_once)
    return calls


@pytest.mark.parametrize("case, mutate, file, column", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_refused(tmp_path, capsys, validations, case, mutate, file, column):
    """Refused by `python -m tacrolimus_ibd validate` and by reproduce before any notebook runs,
    each problem named as file:row:column."""
    project = copy_project(tmp_path / "project", ["01_cohort.ipynb"])
    mutate(project / "data")
    assert main(["validate", str(project / "data")]) == 2
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    *messages, last = printed.err.splitlines()
    assert messages, f"{case}: corrupted data passed validation"
    assert len(messages) <= 100 and not messages[-1].startswith("... and "), (
        f"{case}: the root cause is lost among {last}"
    )
    assert last == f"{len(messages)} problem(s) found; nothing was run or written."
    named = [m for m in messages if file in m.split(":", 1)[0]]
    assert named, f"{case}: no message names {file}: {messages}"
    if column is not None:
        assert any(f":{column}:" in m for m in named), f"{case}: no message names column {column}: {named}"
    with pytest.raises(DataValidationError) as refused:
        reproduce(project_dir=project, progress=False)
    assert [str(p) for p in refused.value.problems] == messages
    # Both validated the same folder, with the same bytes, as a cohort (the second answered again).
    assert validations == [(str(project / "data"), True, False), (str(project / "data"), True, True)]
    assert sorted(p.name for p in project.iterdir()) == ["data", "notebooks"], f"{case}: something was written"


@pytest.mark.parametrize("case, mutate, file, column", PAPER_CASES, ids=[c[0] for c in PAPER_CASES])
def test_the_papers_folder_is_refused_when_corrupt(data_copy, case, mutate, file, column):
    """The paper's folder, validated as the paper's (no cohort tables), names file:row:column too."""
    mutate(data_copy / "paper")
    problems = validate_data_dir(data_copy / "paper", cohort=False)
    assert problems and all(file in p.file and p.row > 0 and p.column == column for p in problems), problems


@pytest.mark.parametrize("case", ["text-in-number-column", "duplicated-patient"])
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
    result = subprocess.run(
        [sys.executable, "-m", "tacrolimus_ibd", "validate", str(data_copy)], capture_output=True, text=True
    )
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
    result = subprocess.run(
        [sys.executable, "-m", "tacrolimus_ibd", "reproduce", "--project-dir", str(project)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "table1_baseline.csv:2:age" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "outputs").exists()


# --- near misses: every categorical or boolean cell, spelled almost right -------------------------

NEAR_MISSES = {
    "upper-case": str.upper,
    "capitalised": lambda v: v[:1].upper() + v[1:] if v[:1].islower() else v[:1].lower() + v[1:],
    "leading-space": lambda v: " " + v,
    "trailing-space": lambda v: v + " ",
    "synonym": lambda v: {
        "true": "yes",
        "false": "no",
        "F": "female",
        "M": "male",
        "CD": "Crohn's disease",
        "UC": "ulcerative colitis",
    }.get(v, v.replace("_", " ") if "_" in v else v + "s"),
    "digit-or-dash": lambda v: {"true": "1", "false": "0"}.get(v, v.replace("_", "-") if "_" in v else v + "."),
}


def _near_miss_groups(package: dict) -> list[tuple[str, str, list[str]]]:
    """(resource name, file, columns) whose cells are categorical or boolean: each field with a
    boolean type or allowed values, and in the facts table the fact names, the basis and each value
    whose fact is boolean or categorical (one group each: a stage refused stops the later ones)."""
    groups = []
    for res in package["resources"]:
        columns = [
            f["name"] for f in res["schema"]["fields"] if f["type"] == "boolean" or "enum" in f.get("constraints", {})
        ]
        if res["name"] == "text_patient_facts":
            groups += [(res["name"], res["path"], ["fact"]), (res["name"], res["path"], ["value"])]
            columns = [c for c in columns if c not in ("fact", "value")]
        if columns:
            groups.append((res["name"], res["path"], columns))
    return groups


def _mutate_cells(
    path: Path, columns: list[str], variants: list, facts_vocabulary: dict | None
) -> set[tuple[int, str]]:
    """Rewrite each non-empty cell of ``columns`` with a near miss; the (line, column) changed."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, changed, k = rows[0], set(), 0
    for line, row in enumerate(rows[1:], start=2):
        for column in columns:
            i = header.index(column)
            value = row[i]
            if not value:
                continue
            if facts_vocabulary is not None and column == "value":
                rule = facts_vocabulary[row[header.index("fact")]]
                if rule["type"] != "boolean" and "enum" not in rule:
                    continue
            variant = variants[k % len(variants)]
            k += 1
            if variant(value) != value:
                row[i] = variant(value)
                changed.add((line, column))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return changed


def _check_near_misses(tmp_path: Path, variants: dict) -> None:
    package = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    vocabulary = next(r for r in package["resources"] if r["name"] == "text_patient_facts")["factVocabulary"]
    original = None
    for n, (name, file, columns) in enumerate(_near_miss_groups(package)):
        for label, chosen in variants.items():
            copy = tmp_path / f"{n}-{label}" / "data"
            shutil.copytree(DATA_DIR, copy)
            changed = _mutate_cells(copy / file, columns, chosen, vocabulary if name == "text_patient_facts" else None)
            assert changed, f"{name} {columns}: no cell to change"
            problems = validate_data_dir(copy)
            if not problems:  # accepted: then it must change nothing
                original = original if original is not None else load_cohort(DATA_DIR)
                pd.testing.assert_frame_equal(load_cohort(copy), original)
                continue
            named = {(p.row, p.column) for p in problems if p.file.endswith(file)}
            silent = sorted(changed - named)
            assert not silent, (
                f"{file} ({label}): near misses neither refused nor harmless at line:column {silent[:10]}"
            )
            shutil.rmtree(copy.parent)


def test_every_categorical_cell_spelled_almost_right_is_refused(tmp_path):
    """Issue #17 item 1: each categorical or boolean cell of the paper's data, changed to a near miss
    (another case, a stray space, a synonym), is refused at its file:row:column; none is read as
    something else or as missing. Each cell gets one near miss, the kinds taken in turn."""
    _check_near_misses(tmp_path, {"each-cell-one-near-miss": list(NEAR_MISSES.values())})


@pytest.mark.e2e
def test_every_categorical_cell_with_every_near_miss_is_refused(tmp_path):
    """As above, with every kind of near miss applied to every cell."""
    _check_near_misses(tmp_path, {label: [variant] for label, variant in NEAR_MISSES.items()})


def test_a_table_changed_after_validation_is_validated_again(data_copy):
    """No verdict outlives the bytes it was given for (validation is remembered between runs): the
    same folder, valid, then with one cell changed, is refused at that cell, and valid again once
    it is put back."""
    assert validate_data_dir(data_copy) == []
    table = data_copy / T5
    valid = table.read_text(encoding="utf-8")
    table.write_text(valid.replace("\n2,true,true,6", "\n2,true,maybe,6", 1), encoding="utf-8")
    problems = validate_data_dir(data_copy)
    assert problems and all(p.file == f"data/{T5}" and p.row == 3 for p in problems), problems
    assert any(p.column == "ongoing_tacrolimus" for p in problems), problems
    table.write_text(valid, encoding="utf-8")
    assert validate_data_dir(data_copy) == []
