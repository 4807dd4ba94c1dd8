"""Tests for tacrolimus_ibd.study (open_study) and the shared display formats."""

import pytest

from tacrolimus_ibd import claims, data, open_study
from tacrolimus_ibd.outputs import CI_FORMATS


def test_open_study_holds_the_validated_tables_and_the_joined_cohort():
    study = open_study(style=False)
    tables = data.load_tables()
    assert set(study.tables) == set(tables)
    assert study.cohort.equals(data.cohort_from_tables(tables))
    assert study.facts.equals(tables["text_patient_facts"])
    sizes = study.cohort["diagnosis"].value_counts()
    assert study.describe() == f"{len(study.cohort)} patients: " + ", ".join(f"{n} {g}" for g, n in sizes.items())


def test_study_reads_the_ledger_of_its_own_folder():
    study = open_study(style=False)
    assert study.reported("ongoing-end") == claims.reported("ongoing-end")


def test_open_study_refuses_a_missing_folder(tmp_path):
    from tacrolimus_ibd.data import DataValidationError

    with pytest.raises(DataValidationError, match="not found"):
        open_study(tmp_path / "absent", style=False)


def test_ci_formats_cover_every_interval_column():
    assert set(CI_FORMATS) == {"proportion", "clopper_pearson_low", "clopper_pearson_high", "wilson_low", "wilson_high"}
