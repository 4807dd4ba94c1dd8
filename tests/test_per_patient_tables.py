"""Per-patient tables are summarised with counts above outputs.PER_PATIENT_DISPLAY_LIMIT (#13 item 5).

Up to the limit a notebook shows one row per patient, exactly as ``show`` does (the paper's 19
patients are unchanged); above it, n and % per category, with a caption that says so. The same
limit switches the per-patient figures (plots) to their aggregate views.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from tacrolimus_ibd import outputs, plots

from .conftest import ROOT

LIMIT = outputs.PER_PATIENT_DISPLAY_LIMIT


def _patients(n: int) -> pd.DataFrame:
    groups = np.array(["CD", "UC", "pouchitis"])[np.arange(n) % 3]
    position = np.where(np.arange(n) % 4 == 0, "above", "in").astype(object)
    position[5::7] = None  # missing values are a category of their own
    return pd.DataFrame(
        {"patient_id": [f"P{i:04d}" for i in range(n)], "diagnosis": groups, "position": position, "x": np.arange(n)}
    )


def test_the_figures_and_the_tables_share_one_limit():
    assert plots.PER_PATIENT_DISPLAY_LIMIT is outputs.PER_PATIENT_DISPLAY_LIMIT
    assert not hasattr(plots, "PER_PATIENT_FIGURE_LIMIT")


def test_up_to_the_limit_the_table_is_shown_row_by_row_exactly_as_show_does():
    frame = _patients(LIMIT)
    shown = outputs.show_per_patient(frame, "t", count_by=["diagnosis"], formats={"x": "{:d}"})
    plain = outputs.show(frame, "t", formats={"x": "{:d}"})
    assert shown._repr_html_() == plain._repr_html_() and repr(shown) == repr(plain)
    assert shown.caption is None


def test_above_the_limit_counts_replace_the_rows_and_say_so():
    frame = _patients(LIMIT + 1)
    shown = outputs.show_per_patient(frame, "t", count_by=["diagnosis", "position"])
    assert list(shown.frame.columns) == ["diagnosis", "position", "patients", "percent"]
    assert shown.frame["patients"].sum() == LIMIT + 1
    assert shown.frame["percent"].sum() == pytest.approx(100)
    assert f"{LIMIT + 1:,} patients, more than {LIMIT}" in shown.caption
    assert "not one row per patient" in shown._repr_html_() and "not one row per patient" in repr(shown)
    assert outputs.MISSING_CATEGORY in set(shown.frame["position"])


def test_counts_follow_the_tables_order_and_count_missing_values():
    frame = pd.DataFrame({"diagnosis": ["UC", "CD", "UC", None], "stopped": [True, pd.NA, True, False]})
    counts = outputs.counts_by(frame, ["diagnosis", "stopped"])
    assert counts.to_dict("records") == [
        {"diagnosis": "UC", "stopped": "True", "patients": 2, "percent": 50.0},
        {"diagnosis": "CD", "stopped": "(missing)", "patients": 1, "percent": 25.0},
        {"diagnosis": "(missing)", "stopped": "False", "patients": 1, "percent": 25.0},
    ]


def test_patients_are_counted_by_id_where_a_table_has_one():
    long = pd.DataFrame({"patient_id": ["a", "a", "b"], "measure": ["m1", "m2", "m1"]})
    assert outputs.patients_in(long) == 2
    assert outputs.patients_in(long.set_index("patient_id")) == 2
    assert outputs.patients_in(pd.DataFrame({"x": range(5)})) == 5
    # Two rows per patient: 31 patients (62 rows) are still shown row by row.
    two_rows = pd.DataFrame({"patient_id": np.repeat(np.arange(31), 2), "measure": ["a", "b"] * 31})
    assert outputs.show_per_patient(two_rows, "t", count_by=["measure"]).caption is None


def test_counting_by_an_index_level_and_by_an_unknown_column():
    frame = _patients(LIMIT + 5).set_index("patient_id")
    assert outputs.show_per_patient(frame, "t", count_by=["diagnosis"], index=True).frame["patients"].sum() == LIMIT + 5
    with pytest.raises(KeyError, match="no column"):
        outputs.counts_by(frame, ["outcome"])


def test_every_per_patient_table_of_the_notebooks_goes_through_show_per_patient():
    """The tables with one row per patient (patient_id a column or the index) are displayed with counts above the limit."""
    per_patient = {
        "03_short_term_outcomes": ["early_stops", "uc_week4_facts", "pouchitis_week4"],
        "04_medium_term_outcomes": [
            "denominator_differences",
            "relapses",
            "steroid_tapering",
            "side_effect_discontinuations",
        ],
        "05_trough_levels": ["table5_trough_positions", "trough_patients_not_in_table5"],
    }
    assert {n for names in per_patient.values() for n in names} == set(outputs.PER_PATIENT_TABLES)
    for stem, names in per_patient.items():
        cells = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        for name in names:
            cell = next(c for c in code if f'"{name}"' in c and "show" in c)
            assert re.search(r"show_per_patient\(\s*result", cell), (stem, name)


def test_every_per_patient_table_can_be_counted_by_its_columns():
    """outputs.PER_PATIENT_TABLES names columns each notebook table has (forced to counts with limit=0)."""
    from tacrolimus_ibd import medium_term, open_study, short_term, trough_levels

    study = open_study(style=False)
    week4, medium, troughs = (
        short_term.short_term_outcomes(study),
        medium_term.medium_term_outcomes(study),
        trough_levels.trough_levels(study),
    )
    frames = {
        "early_stops": week4.early.reset_index(),
        "uc_week4_facts": week4.uc_week4_facts(),
        "pouchitis_week4": week4.pouch,
        "denominator_differences": medium.denominator_differences.reset_index(),
        "relapses": medium.relapses.reset_index(),
        "steroid_tapering": medium.tapering.reset_index(),
        "side_effect_discontinuations": medium.discontinuations.reset_index(),
        "table5_trough_positions": troughs.summary_frame(),
        "trough_patients_not_in_table5": troughs.missing,
    }
    assert set(frames) == set(outputs.PER_PATIENT_TABLES)
    for name, frame in frames.items():
        counts = outputs.show_per_patient(frame, name, limit=0).frame
        assert list(counts.columns) == [*outputs.PER_PATIENT_TABLES[name], "patients", "percent"], name
        assert counts["patients"].sum() == len(frame), name
