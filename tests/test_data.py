"""The transcription: it loads, it matches the extracted tables cell for cell, and it keeps
the paper's own totals. Missing values are explicit, with their reason."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tacrolimus_ibd import data
from tacrolimus_ibd.outcomes import patients_with

from .conftest import COHORT_FILES, DATA_DIR


@pytest.fixture(scope="module")
def tables():
    return data.load_tables(DATA_DIR)


@pytest.fixture(scope="module")
def cohort():
    return data.load_cohort(DATA_DIR)


def test_committed_data_are_valid():
    assert data.validate_data_dir(DATA_DIR) == []


def test_load_cohort_api(cohort):
    assert list(cohort.index) == list(range(1, 20))
    assert cohort.index.name == "patient_id"
    for column in [
        "age",
        "sex",
        "diagnosis",
        "disease_duration_years",
        "treatment_months",
        "mean_trough_ng_ml",
        "ongoing_tacrolimus",
    ]:
        assert column in cohort.columns
    assert set(cohort["sex"]) == {"F", "M"}
    assert cohort.loc[7, "diagnosis"] == "pouchitis"
    assert cohort["diagnosis"].value_counts().to_dict() == {"CD": 12, "UC": 6, "pouchitis": 1}


def test_default_data_dir_is_the_projects(cohort):
    pd.testing.assert_frame_equal(data.load_cohort(), cohort)


# --- the paper's own totals (Results text) ---------------------------------------------------


def test_age_totals(cohort):
    assert round(cohort["age"].mean()) == 35
    assert (cohort["age"].min(), cohort["age"].max()) == (18, 75)


def test_disease_duration_totals(cohort):
    assert round(cohort["disease_duration_years"].mean(), 1) == 10.8
    assert (cohort["disease_duration_years"].min(), cohort["disease_duration_years"].max()) == (4, 41)


@pytest.mark.parametrize(
    "timing, drugs, expected",
    [
        ("previous", ["azathioprine"], 17),
        ("previous", ["infliximab"], 9),
        ("previous", ["adalimumab"], 3),
        ("previous", ["adacolumn_apheresis"], 1),
        ("concurrent", ["azathioprine", "mercaptopurine_6mp"], 7),
        ("concurrent", ["thalidomide"], 2),
    ],
)
def test_treatment_counts_of_the_text(tables, timing, drugs, expected):
    assert len(patients_with(tables["table2_treatments"], timing=timing, drugs=drugs)) == expected


def test_concurrent_prednisolone_count(cohort):
    assert int(cohort["concurrent_prednisolone"].sum()) == 8


def test_previous_6mp_is_what_table_2_prints(tables):
    # The text says 6/19 (32%); Table 2 lists eight patients. The data keep Table 2's reading.
    assert patients_with(tables["table2_treatments"], timing="previous", drugs="mercaptopurine_6mp") == {
        3,
        5,
        8,
        10,
        11,
        15,
        16,
        19,
    }


def test_table_totals_of_the_outcome_text(cohort):
    cd = cohort[cohort["diagnosis"] == "CD"]
    assert set(cd.index[cd["perianal_fistula"]]) == {8, 11, 12, 13, 14, 15, 18}
    assert cd["fistula_outcome"].value_counts().to_dict() == {
        "no_response": 4,
        "partial_response": 2,
        "complete_healing": 1,
    }
    assert set(cohort.index[cohort["steroid_tapering"] == "complete"]) == {2, 3, 6, 8, 11}
    assert set(cd.index[cd["outcome_end_of_follow_up"] == "remission"]) == {8, 9, 10, 11, 14}
    assert cohort.loc[9, "outcome_end_of_follow_up_basis"] == "inferred"


# --- explicit missing values -------------------------------------------------------------------


def test_table3_rows_are_missing_with_reason(tables):
    t3 = tables["table3_week4"]
    values = t3.drop(columns=["patient_id", "missing_reason"])
    assert values.isna().all().all()
    assert t3["missing_reason"].str.contains("lost").all()


def test_patients_missing_from_tables_4_and_5(tables):
    t4, t5 = tables["table4_medium_term"], tables["table5_trough"]
    assert set(t4.loc[~t4["in_table4"].astype(bool), "patient_id"]) == {7, 9}
    assert set(t5.loc[~t5["in_table5"].astype(bool), "patient_id"]) == {7, 15, 16, 18, 19}
    for frame, flag in [(t4, "in_table4"), (t5, "in_table5")]:
        absent = frame[~frame[flag].astype(bool)]
        assert absent["missing_reason"].str.contains("not listed").all()


def test_inferred_facts_carry_their_evidence(tables):
    facts = tables["text_patient_facts"]
    assert (facts["evidence"].str.len() > 10).all()
    assert set(facts["basis"]) == {"stated", "inferred"}


# --- cell for cell against the extracted text --------------------------------------------------


def _squash(text: str) -> str:
    # The extraction ran cells together and kept at most a space between them; commas, case
    # and dashes vary. Compare what is left.
    return re.sub(r"[\s,\-–]", "", text).lower()


def _table_lines(paper: str, title: str, next_title: str, patients) -> dict[int, str]:
    """The table's data lines, paired in order with ``patients`` (each line starts with its number:
    the number itself runs into the next cell, as in '15-ASA', so order is what identifies it)."""
    # Titles may hold non-breaking spaces; match any white space between their words.
    start = re.search(r"\s+".join(map(re.escape, title.split())), paper).end()
    block = paper[start:]
    block = block[: re.search(r"\s+".join(map(re.escape, next_title.split())), block).start()]
    lines = [line for line in block.splitlines() if line[:1].isdigit()]
    patients = [int(p) for p in patients]
    assert len(lines) == len(patients), f"{title}: {len(lines)} data lines for {len(patients)} patients"
    for pid, line in zip(patients, lines, strict=True):
        assert line.startswith(str(pid)), (pid, line)
    return dict(zip(patients, lines, strict=True))


def _fmt(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


SITE = {
    "extensive": "Extensive",
    "left_sided": "Left-sided",
    "total": "Total",
    "pouch": "Pouch",
    "ileocolonic": "Ileocolonic",
    "ileum": "Ileum",
    "colonic": "Colonic",
    "perianal": "Perianal",
}


def test_table1_cell_for_cell(paper_text, tables):
    t1 = tables["table1_baseline"]
    lines = _table_lines(paper_text, "Table 1. Baseline", "Mean disease duration", t1["patient_id"])
    assert len(lines) == len(t1) == 19
    for r in t1.itertuples():
        cells = [
            r.patient_id,
            r.age,
            r.sex,
            r.diagnosis_as_printed,
            _fmt(r.disease_duration_years),
            SITE[r.disease_site],
            "Fistula" if r.perianal_disease == "fistula" else "",
            "" if r.previous_operations == "none_recorded" else r.previous_operations,
        ]
        assert _squash("".join(map(str, cells))) == _squash(lines[r.patient_id]), r.patient_id


def test_table2_cell_for_cell(paper_text, tables):
    lines = _table_lines(paper_text, "Table 2. Previous", "During initial treatment", range(1, 20))
    status = tables["table2_treatment_status"].set_index("patient_id")
    items = tables["table2_treatments"]
    assert len(lines) == 19
    for pid, line in lines.items():
        mine = items[items["patient_id"] == pid]
        prev = ", ".join(mine.loc[mine["timing"] == "previous", "as_printed"])
        conc = ", ".join(mine.loc[mine["timing"] == "concurrent", "as_printed"])
        pred = "Yes" if status.loc[pid, "concurrent_prednisolone"] else "No"
        cya = "Once" if status.loc[pid, "previous_iv_ciclosporin"] == "once" else ""
        assert _squash(f"{pid}{prev}{conc}{pred}{cya}") == _squash(line), pid


FISTULA = {"complete_healing": "Remission", "partial_response": "Partial response", "no_response": "No response"}


def test_table4_cell_for_cell(paper_text, tables):
    t4 = tables["table4_medium_term"]
    listed = t4[t4["in_table4"].astype(bool)]
    lines = _table_lines(paper_text, "Table 4. Medium-term", "Tacrolimus Monitoring", listed["patient_id"])
    for r in listed.itertuples():
        pred = (
            "IV steroids"
            if r.iv_steroids
            else (f"{_fmt(r.prednisolone_mg_day)} mg" if not pd.isna(r.prednisolone_mg_day) else "")
        )
        cells = [
            r.patient_id,
            r.diagnosis_as_printed,
            _fmt(r.treatment_months),
            r.outcome_as_printed,
            FISTULA.get(r.fistula_outcome, ""),
            _fmt(r.relapse_month),
            pred,
            _fmt(r.steroid_tapering),
            _fmt(r.adverse_effects_as_printed),
        ]
        assert _squash("".join(map(str, cells))) == _squash(lines[r.patient_id]), r.patient_id


def test_table5_cell_for_cell(paper_text, tables):
    t5 = tables["table5_trough"]
    listed = t5[t5["in_table5"].astype(bool)]
    lines = _table_lines(paper_text, "Table 5. Tacrolimus", "Side Effects", listed["patient_id"])
    for r in listed.itertuples():
        low, high = f"{r.trough_min_ng_ml:.1f}", f"{r.trough_max_ng_ml:.1f}"
        rng = f"({low})" if low == high else f"({low}–{high})"
        cells = [
            r.patient_id,
            "Yes" if r.ongoing_tacrolimus else "No",
            _fmt(r.tacrolimus_duration_months),
            f"{r.mean_trough_ng_ml:.1f}",
            rng,
            _fmt(r.follow_up_months),
        ]
        assert _squash("".join(map(str, cells))) == _squash(lines[r.patient_id]), r.patient_id


def test_validation_is_skipped_only_for_unchanged_bytes(data_copy, tmp_path, monkeypatch):
    cache = tmp_path / "verdicts.txt"
    monkeypatch.setattr(data, "validation_cache_file", lambda: cache)
    assert data.load_tables(data_copy)["table1_baseline"].shape[0] == 19
    assert len(cache.read_text().split()) == 1  # the clean verdict is remembered
    table = data_copy / "table1_baseline.csv"
    table.write_text(table.read_text().replace("1,23,F", "1,abc,F"))
    with pytest.raises(data.DataValidationError):
        data.load_tables(data_copy)  # changed bytes: validated again, and refused
    with pytest.raises(data.DataValidationError):
        data.load_table("table4_medium_term", data_copy)
    assert len(cache.read_text().split()) == 1  # and a refusal is never remembered


def test_a_remembered_verdict_needs_the_same_validator(data_copy, tmp_path, monkeypatch):
    cache = tmp_path / "verdicts.txt"
    monkeypatch.setattr(data, "validation_cache_file", lambda: cache)
    assert data.validate_data_dir_cached(data_copy) == []
    calls = []
    monkeypatch.setattr(data, "validate_data_dir", lambda d, **_: calls.append(d) or [])
    data.load_cohort(data_copy)
    assert calls == []  # same bytes, same validator: not validated again
    monkeypatch.setattr(data, "_validator_fingerprint", lambda: "another validator")
    data.load_cohort(data_copy)
    assert calls == [data_copy]  # a changed validator validates afresh


def test_the_validator_fingerprint_covers_every_module_of_the_validator(monkeypatch):
    """A rule changed in any module of the validation package must invalidate remembered verdicts."""
    package = Path(data.__file__).parent
    read = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.resolve()) or original(self))
    data._validator_fingerprint()
    modules = {path.resolve() for path in (package / "validation").glob("*.py")} | {(package / "data.py").resolve()}
    assert len(modules) > 2 and modules <= set(read), sorted(modules - set(read))


# --- a dictionary that fits any cohort (issue #13 item 2) ---------------------------------------

PATIENT_TABLES = tuple(name.removesuffix(".csv") for name in COHORT_FILES)


def _cohort_variant(tmp_path, *, keep=lambda pid: True, rename=lambda pid: pid, id_type=None, drop=(), reverse=False):
    """A copy of data/ with the paper's patients kept, renamed or reordered, and columns left out."""
    folder = tmp_path / "cohort"
    shutil.copytree(DATA_DIR, folder)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        if res["name"] not in PATIENT_TABLES:
            continue
        path = folder / res["path"]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        columns = [f["name"] for f in res["schema"]["fields"] if f["name"] not in drop]
        rows = [{**r, "patient_id": rename(int(r["patient_id"]))} for r in rows if keep(int(r["patient_id"]))]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(reversed(rows) if reverse else rows)
        if id_type:
            next(f for f in res["schema"]["fields"] if f["name"] == "patient_id")["type"] = id_type
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def paper_cohort():
    return data.load_cohort(DATA_DIR)


def test_patient_ids_may_be_strings_in_any_order(tmp_path, paper_cohort):
    folder = _cohort_variant(tmp_path, rename=lambda pid: f"RFH-{pid:04d}", id_type="string", reverse=True)
    assert data.validate_data_dir(folder) == []
    cohort = data.load_cohort(folder)
    assert list(cohort.index) == [f"RFH-{pid:04d}" for pid in range(19, 0, -1)]
    cohort.index = [int(code[4:]) for code in cohort.index]
    cohort.index.name = "patient_id"
    pd.testing.assert_frame_equal(cohort.sort_index(), paper_cohort)


def test_patient_numbers_have_no_bound(tmp_path, paper_cohort):
    folder = _cohort_variant(tmp_path, rename=lambda pid: pid * 100_000)
    assert data.validate_data_dir(folder) == []
    assert list(data.load_cohort(folder).index) == [pid * 100_000 for pid in range(1, 20)]


def test_a_cohort_of_one_group(tmp_path):
    folder = _cohort_variant(tmp_path, keep=lambda pid: pid <= 6)  # the paper's UC patients alone
    assert data.validate_data_dir(folder) == []
    cohort = data.load_cohort(folder)
    assert list(cohort.index) == [1, 2, 3, 4, 5, 6]
    assert set(cohort["diagnosis"]) == {"UC"}


def test_a_cohort_of_one_patient(tmp_path):
    folder = _cohort_variant(tmp_path, keep=lambda pid: pid == 7)
    assert data.validate_data_dir(folder) == []
    assert list(data.load_cohort(folder)["diagnosis"]) == ["pouchitis"]


def test_optional_columns_may_be_left_out(tmp_path, paper_cohort):
    """Columns the analyses do not read, that are no key and not required, may be absent: they read as missing."""
    optional = (
        "reading_note",
        "outcome_as_printed",
        "adverse_effects_as_printed",
        "bleeding_week0",
        "bleeding_week4",
        "unit",
    )
    folder = _cohort_variant(tmp_path, drop=optional[:-1])
    assert data.validate_data_dir(folder) == []
    tables = data.load_tables(folder)
    assert tables["table1_baseline"]["reading_note"].isna().all()
    assert tables["table4_medium_term"]["outcome_as_printed"].isna().all()
    pd.testing.assert_frame_equal(data.load_cohort(folder), paper_cohort)
    # A column the analyses read is not optional: the file is refused, naming it.
    refused = _cohort_variant(tmp_path / "refused", drop=("unit",))
    assert [str(p) for p in data.validate_data_dir(refused)] == [
        "cohort/text_patient_facts.csv:1:unit: column missing: the table needs it (the analyses read it, or the dictionary marks it required)"
    ]


def test_references_between_tables_are_foreign_keys(tmp_path):
    folder = _cohort_variant(tmp_path, keep=lambda pid: pid != 19)
    facts = folder / "text_patient_facts.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8") + "19,relapse_requiring_steroids,true,,stated,a patient not in Table 1\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in data.validate_data_dir(folder)]
    assert len(problems) == 1 and problems[0].startswith("cohort/text_patient_facts.csv:")
    assert ":patient_id: foreignkey error" in problems[0] and '"19"' in problems[0]
