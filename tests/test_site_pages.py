"""The site's building blocks, without a run: reader's tables, reprs, figure records, bottom lines."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import pytest

from tacrolimus_ibd import labels, outputs, plots
from tacrolimus_ibd.report import content, pages, site, teaching

matplotlib.use("Agg")


def test_readable_headers_and_percentages():
    assert pages.readable_header("clopper_pearson_low") == "exact CI, low"
    assert pages.readable_header("cd_week4_response") == "CD week4 response"
    assert pages.readable_header("events") == "events"
    table = (
        '<table id="T_x"><thead><tr><th class="blank">&nbsp;</th><th>group</th><th>proportion</th>'
        "<th>clopper_pearson_low</th><th>events</th></tr></thead>"
        "<tbody><tr><th>0</th><td>CD</td><td>0.833</td><td>0.025</td><td>10</td></tr></tbody></table>"
    )
    readable = pages.readable_table(table)
    assert "proportion (%)" in readable and "exact CI, low (%)" in readable
    assert "<td>83</td>" in readable and "<td>2.5</td>" in readable
    assert "<td>10</td>" in readable  # counts are not proportions
    words = pages.readable_table(
        "<table><thead><tr><th>denominator</th><th>ok</th></tr></thead>"
        "<tbody><tr><td>intention_to_treat</td><td>True</td></tr></tbody></table>"
    )
    assert f"<td>{labels.readable('intention_to_treat')}</td><td>yes</td>" in words
    assert "intention to treat" in labels.readable("intention_to_treat")


def test_percent_and_count_rate():
    assert (
        content.percent(0.8333) == "83%"
        and content.percent(0.025) == "2.5%"
        and content.percent(None) == "not available"
    )
    results = {
        "x_events": 4,
        "x_total": 19,
        "x_proportion": 4 / 19,
        "x_clopper_pearson_low": 0.06,
        "x_clopper_pearson_high": 0.456,
    }
    assert content.count_rate(results, "x", "95%") == "4 of 19 (21%; 95% CI 6.0% to 46%)"
    assert content.count_rate({"x_events": 4}, "x", "95%") is None  # incomplete: not shown rather than half-shown


def _figure_output(name=None, text=None):
    if text is not None:
        return nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=1)
    return nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo="}, metadata={"tacrolimus_ibd": {"figure": name}}
    )


def test_reader_notebook_drops_code_reprs_and_moves_methods_figures():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("save_key_results(...)")
    code.outputs = [
        _figure_output(text="PosixPath('../outputs/key_results/x.json')"),
        _figure_output(text="<matplotlib.figure.Figure object at 0x7f00>"),
        _figure_output(text="19 patients"),
        _figure_output("clinical"),
        _figure_output("methods"),
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nThe CDAI and the CDAI again."),
        nbformat.v4.new_markdown_cell("## A section"),
        code,
    ]
    figures = {
        "clinical": outputs.figure_record("clinical", alt="a clinical picture", caption="c1"),
        "methods": outputs.figure_record("methods", alt="a methods picture", caption="c2", appendix=True),
    }
    reader = pages.reader_notebook(
        nb, figures=figures, bottom_line=["one line"], full_href="../notebooks/x.html", glossary_href="../glossary.html"
    )
    texts = [o["data"].get("text/plain") for c in reader.cells if c.cell_type == "code" for o in c.outputs]
    assert "19 patients" in texts and not [t for t in texts if t and ("PosixPath(" in t or " at 0x" in t)]
    assert reader.cells[-2].source.startswith("## Appendix")
    assert [o.metadata["tacrolimus_ibd"]["figure"] for o in reader.cells[-1].outputs] == ["methods"]
    assert reader.cells[1].cell_type == "raw" and "one line" in reader.cells[1].source
    # the first use of a glossary term is linked, the second is not; the original is left alone
    assert reader.cells[0].source.count("](../glossary.html#cdai)") == 1
    assert "glossary" not in nb.cells[0].source and len(nb.cells) == 3


def test_reader_notebook_leaves_out_sections_the_run_left_empty():
    """A heading whose code showed nothing (the audit's sections on another cohort) is not shown to
    the reader; a section of text alone, and one whose code showed something, are."""
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("print(1)")
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="19 patients\n")]
    silent = [nbformat.v4.new_code_cell("if audit:\n    show()") for _ in range(2)]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_markdown_cell("## Text alone\n\nA method, in words."),
        nbformat.v4.new_markdown_cell("## Empty on this cohort\n\nThe verdicts."),
        silent[0],
        nbformat.v4.new_markdown_cell("More about the verdicts."),
        silent[1],
        nbformat.v4.new_markdown_cell("### Shown"),
        silent[0],
        shown,
    ]
    reader = pages.reader_notebook(nb, figures={}, bottom_line=[], full_href="f.html", glossary_href="g.html")
    sources = [c.source for c in reader.cells if c.cell_type != "raw"]
    assert sources == ["# Title", "## Text alone\n\nA method, in words.", "### Shown", silent[0].source, "print(1)"]
    assert len(nb.cells) == 9  # the executed notebook itself keeps every section


def test_save_figure_writes_a_manifest_record_and_labels_the_display(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata=None: shown.append(metadata))
    fig = plt.figure(figsize=(2, 1))
    plots.save_figure(fig, "week4_response_intervals", tmp_path)
    record = json.loads((tmp_path / "figures" / "week4_response_intervals.json").read_text())
    assert record == outputs.figure_record("week4_response_intervals")
    assert record["alt"] == outputs.FIGURE_TEXT["week4_response_intervals"]["alt"] and record["appendix"] is False
    assert shown == [{"tacrolimus_ibd": {"figure": "week4_response_intervals", "intervals": {}, "texts": []}}]
    assert outputs.read_figure_manifest(tmp_path) == {"week4_response_intervals": record}
    assert outputs.figure_record("unknown")["alt"].endswith("(no description written)")


def test_save_figure_writes_nothing_without_output_dir(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata=None: None)
    assert plots.save_figure(plt.figure(figsize=(2, 1)), "x", None) is None


def test_bottom_lines_come_from_key_results_only():
    assert site.bottom_line("03_short_term_outcomes", {}) == []
    results = {
        "all_week4_response_events": 15,
        "all_week4_response_total": 19,
        "all_week4_response_proportion": 15 / 19,
        "all_week4_response_clopper_pearson_low": 0.544,
        "all_week4_response_clopper_pearson_high": 0.939,
    }
    assert site.bottom_line("03_short_term_outcomes", results, level="90%") == [
        "Response at week 4, all patients: 15 of 19 (79%; 90% CI 54% to 94%)."
    ]


def test_the_week4_basis_line_holds_for_any_cohort():
    """The bottom line says how responses are known in words true of any cohort: the paper's lost
    Table 3 is not named on a cohort whose responses are all stated."""
    [paper_like] = site.bottom_line(
        "03_short_term_outcomes", {"week4_response_basis_stated": 3, "week4_response_basis_inferred": 16}
    )
    assert "stated patient by patient for 3 patients and inferred from a group statement for 16" in paper_like
    [stated] = site.bottom_line(
        "03_short_term_outcomes", {"week4_response_basis_stated": 16, "week4_response_basis_inferred": 0}
    )
    assert "all 16 patients" in stated and "inferred" not in stated
    assert not any("Table 3" in line for line in (paper_like, stated))


@pytest.mark.parametrize("pixels, width, labels", [(400, 80.0, None), (1110, None, 7.0), (3000, 186.0, None)])
def test_handout_figure_widths_keep_labels_legible(tmp_path, pixels, width, labels):
    path = tmp_path / "f.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + pixels.to_bytes(4, "big") + (100).to_bytes(4, "big"))
    got_width, got_labels = teaching.handout_figure_width_mm(path)
    assert got_width >= 80
    if width is not None:
        assert got_width == width
    if labels is not None:
        assert got_labels == labels
    if got_width < 186:
        assert got_labels >= 7


def test_status_colours_are_the_claims_modules():
    from tacrolimus_ibd.claims import STATUS_COLOURS

    assert site.status_colours() == dict(STATUS_COLOURS)
    page = site.render(
        "glossary.html.j2", terms=content.GLOSSARY, data={"synthetic": False}, paper=site.PAPER_CITATION, counts=None
    )
    for status, colour in STATUS_COLOURS.items():
        assert f".status-{status} {{ border-left-color: {colour}; }}" in page


def test_full_pages_use_the_chosen_pygments_style(monkeypatch):
    """a11y-light when accessible-pygments is installed; the exporter really applies the style chosen."""
    assert pages.pygments_style() in ("default", pages.ACCESSIBLE_PYGMENTS_STYLE)
    pages.exporter.cache_clear()
    monkeypatch.setattr(pages, "pygments_style", lambda: "monokai")
    try:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("x = 1")]
        assert "#f8f8f2" in pages.export(nb, name="x", reader=False).lower()  # monokai's text colour
    finally:
        pages.exporter.cache_clear()


def test_a_p_value_is_read_in_words_that_hold_for_any_cohort():
    from tacrolimus_ibd.report import content

    assert content.p_value_reading(0.41).startswith("no relation shown at the 5% level")
    assert "does not exclude" in content.p_value_reading(0.05)
    assert content.p_value_reading(0.003).startswith("a relation at the 5% level")
    assert "cannot show that one causes the other" in content.p_value_reading(0.003)
    assert content.p_value_reading(0.02, level=0.01).startswith("no relation shown at the 1% level")


def test_exporting_a_page_leaves_logging_as_it_was():
    """accessible-pygments configures the root logger at INFO when imported: building a page must
    not leave it so, or a run prints every INFO line of papermill and nbclient (a fresh process,
    since this one may have imported it already)."""
    script = (
        "import logging, nbformat\n"
        "from tacrolimus_ibd.report import pages\n"
        "nb = nbformat.v4.new_notebook(); nb.cells = [nbformat.v4.new_code_cell('x = 1')]\n"
        "pages.export(nb, name='x', reader=False)\n"
        "logging.getLogger('papermill').info('should not be printed')\n"
        "print(len(logging.getLogger().handlers), logging.getLogger().level)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "should not be printed" not in result.stderr
    assert result.stdout.split() == ["0", str(logging.WARNING)]


def test_figure_captions_state_no_result():
    """A caption is typed once for every cohort, so it describes the figure and draws no conclusion
    (the trough figure's said 'with this few patients, no pattern can be shown', false on a large cohort)."""
    conclusions = ("no pattern", "no relation", "few patients", "significant", "shows that")
    for name, text in outputs.FIGURE_TEXT.items():
        for part in ("alt", "caption"):
            assert not [c for c in conclusions if c in text.get(part, "").lower()], (name, part)


def test_the_appraisal_names_the_runs_confidence_level():
    """A run with alpha = 0.1 computes 90% intervals: the appraisal says 90%, not a typed 95%."""
    from types import SimpleNamespace

    info = SimpleNamespace(stem="04_medium_term_outcomes", key_results={}, parameters={"alpha": 0.1})
    text = " ".join(" ".join(p["paragraphs"]) for p in teaching.appraisal([info])["points"])
    assert "The 90% interval" in text and "95%" not in text
