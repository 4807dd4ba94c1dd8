"""Tables shown in a notebook stay small whatever the cohort's size (outputs.DISPLAY_ROW_LIMIT,
DISPLAY_CELL_LIMIT): a cohort of 100,000 patients gives notebooks, and a report, of the paper's size."""

from __future__ import annotations

import pandas as pd

from tacrolimus_ibd import outputs
from tacrolimus_ibd.outputs import DISPLAY_CELL_LIMIT, DISPLAY_ROW_LIMIT, show


def test_a_long_table_shows_its_first_rows_and_says_how_many_there_are():
    n = DISPLAY_ROW_LIMIT * 50
    table = show(pd.DataFrame({"patient_id": range(n), "age": [40] * n}), "long")
    html, text = table._repr_html_(), repr(table)
    assert html.count("<tr>") == DISPLAY_ROW_LIMIT + 1  # the header row and the rows shown
    assert f"the first {DISPLAY_ROW_LIMIT} of {n:,} rows" in html and f"of {n:,} rows" in text
    assert len(text.splitlines()) == DISPLAY_ROW_LIMIT + 2  # header, rows, the note
    assert len(show(pd.DataFrame({"a": range(n * 10)}), "longer")._repr_html_()) == len(
        show(pd.DataFrame({"a": range(n)}), "longer")._repr_html_()
    ) + len(f"{n * 10:,}") - len(f"{n:,}")


def test_a_long_text_cell_is_cut_and_said_so():
    def shown(patients: int) -> str:
        note = "patients " + ", ".join(str(i) for i in range(patients))
        return repr(show(pd.DataFrame({"claim": ["a", "b"], "note": [note, "short"]}), "notes")), note

    text, note = shown(20_000)
    longer, _ = shown(200_000)
    assert len(note) > 10 * DISPLAY_CELL_LIMIT and abs(len(longer) - len(text)) < 20  # the note's length only
    table = show(pd.DataFrame({"claim": ["a", "b"], "note": [note, "short"]}), "notes")
    assert f"({len(note):,} characters)" in text and "1 text cell(s) cut" in text
    assert "short" in table._repr_html_()


def test_a_table_within_the_limits_is_shown_whole_with_no_note():
    frame = pd.DataFrame({"a": range(DISPLAY_ROW_LIMIT), "b": ["x" * DISPLAY_CELL_LIMIT] * DISPLAY_ROW_LIMIT})
    part, note = outputs.shown_part(frame)
    assert note == "" and part is not None and part.equals(frame)
    assert "Shown:" not in show(frame, "whole")._repr_html_() and "Shown:" not in repr(show(frame, "whole"))
