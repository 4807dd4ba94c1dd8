"""Figures for a clinical audience (issue #16 item 7, issue #15's alt text):

- one kind of interval per chart, named in the chart (read from the drawn artists, not pixels);
- words, not code names, in every text of every figure the committed notebooks show;
- methods figures in each notebook's closing "Appendix: methods" section;
- every figure described (alt text that is not a placeholder).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402

from tacrolimus_ibd import (  # noqa: E402
    claims,
    comparison,
    labels,
    literature,
    medium_term,
    open_study,
    outcomes,
    outputs,
    plots,
    scores,
    scoring,
    short_term,
    statistics,
)
from tacrolimus_ibd.report import pages  # noqa: E402

from .browser import is_placeholder_alt  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def study():
    return open_study()


def _figure_outputs(nb):
    """(cell index, section heading, output metadata) of every figure a notebook displays."""
    found, section = [], ""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    section = line.lstrip("#").strip()
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                found.append((index, section, output.get("metadata", {}).get("tacrolimus_ibd", {})))
    return found


@pytest.fixture(scope="module")
def committed_figures():
    """Every figure of every committed notebook: (notebook, cell index, section, metadata)."""
    return [
        (path.stem, index, section, meta)
        for path in NOTEBOOKS
        for index, section, meta in _figure_outputs(nbformat.read(path, as_version=4))
    ]


# --- one interval kind per chart -------------------------------------------------------------


def test_the_chart_interval_is_one_the_tables_compute_and_has_a_name():
    assert plots.CHART_INTERVAL in statistics.CI_METHODS
    assert labels.readable(plots.CHART_INTERVAL) != plots.CHART_INTERVAL
    assert "Clopper-Pearson" in labels.readable(plots.CHART_INTERVAL)


def test_figure_intervals_sees_two_kinds_when_a_chart_draws_two():
    fig, ax = plt.subplots()
    ax.plot([0.1, 0.5], [0, 0], gid="interval:proportion:clopper_pearson")
    ax.plot([0.2, 0.4], [0, 0], gid="interval:proportion:wilson")
    ax.plot([0.3], [0], "o", gid="not an interval")
    assert plots.figure_intervals(fig) == {"proportion": ["clopper_pearson", "wilson"]}
    plt.close(fig)


@pytest.mark.parametrize("interval", sorted(statistics.CI_METHODS))
def test_week4_chart_draws_the_one_interval_asked_for_and_names_it(study, interval):
    response = short_term.short_term_outcomes(study).summary_frame()
    ax = plots.proportion_intervals(response, interval=interval)
    fig = ax.figure
    fig.canvas.draw()
    assert plots.figure_intervals(fig) == {"proportion": [interval]}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels.readable(interval) in legend
    other = labels.readable(next(m for m in statistics.CI_METHODS if m != interval))
    assert not [t for t in plots.figure_texts(fig) if other in t]
    # the interval drawn for each group is the table's
    drawn = sorted(tuple(line.get_xdata()) for line in ax.lines if line.get_gid())
    expected = sorted(zip(response[f"{interval}_low"].tolist(), response[f"{interval}_high"].tolist(), strict=True))
    assert drawn == pytest.approx(expected)
    plt.close(fig)


def test_week4_chart_defaults_to_the_chart_interval(study):
    ax = plots.proportion_intervals(short_term.short_term_outcomes(study).summary_frame())
    assert plots.figure_intervals(ax.figure) == {"proportion": [plots.CHART_INTERVAL]}
    plt.close(ax.figure)


def test_rates_chart_draws_one_interval_and_names_rates_and_denominators_in_words(study):
    overall = medium_term.medium_term_outcomes(study).overall
    ax = plots.rates_by_denominator(overall, denominators=outcomes.DENOMINATORS)
    fig = ax.figure
    fig.canvas.draw()
    assert plots.figure_intervals(fig) == {"proportion": [plots.CHART_INTERVAL]}
    assert labels.readable(plots.CHART_INTERVAL) in ax.get_xlabel()
    assert {t.get_text() for t in ax.get_yticklabels()} == {labels.readable(r) for r in overall["rate"].unique()}
    assert not [t for t in plots.figure_texts(fig) if labels.code_names(t)]
    plt.close(fig)


def test_forest_plots_show_one_interval_per_kind_of_estimate(study):
    result = comparison.literature_comparison(study)
    ax = plots.forest(literature.with_headers(result.forest_table))
    assert plots.figure_intervals(ax.figure) == {"proportion": ["clopper_pearson"]}
    plt.close(ax.figure)
    fig = plots.pooled_forest_panels({o: result.pooled_forest_rows(o) for o in comparison.OUTCOMES})
    found = plots.figure_intervals(fig)
    assert found["proportion"] == ["clopper_pearson"] and found["pooled"] == ["random_effects"]
    assert all(len(methods) == 1 for methods in found.values())
    plt.close(fig)


def test_every_committed_figure_records_one_interval_per_estimate(committed_figures):
    assert committed_figures
    for notebook, index, _, meta in committed_figures:
        where = f"{notebook} cell {index} ({meta.get('figure')})"
        assert "intervals" in meta and "texts" in meta, f"{where}: saved without plots.save_figure's record"
        for estimate, methods in meta["intervals"].items():
            assert len(methods) == 1, f"{where}: {estimate} drawn with {methods}"
        if "proportion" in meta["intervals"]:
            assert meta["intervals"]["proportion"] == [plots.CHART_INTERVAL], where
    charts = {meta["figure"] for *_, meta in committed_figures if meta["intervals"]}
    assert {"week4_response_intervals", "medium_term_rates_by_denominator", "literature_forest"} <= charts


# --- words, not code names ---------------------------------------------------------------------


def test_code_names_are_recognised():
    assert labels.code_names("per_protocol and clopper_pearson_low") == ["per_protocol", "clopper_pearson_low"]
    assert labels.code_names("intention to treat; Clopper-Pearson; 8 (CD); I² = 87%") == []


def test_the_label_map_names_every_rate_denominator_and_cdai_item(study):
    rates = medium_term.medium_term_outcomes(study).rates
    names = set(rates["rate"]) | set(outcomes.DENOMINATORS) | set(scores.cdai_items().index)
    names |= set(statistics.CI_METHODS)
    assert names - set(labels.LABELS) == set()
    assert not [n for n in names if labels.code_names(labels.readable(n))]


def test_the_reader_tables_and_the_figures_read_one_label_map():
    assert pages.READABLE_HEADERS is labels.LABELS
    assert pages.readable_header("per_protocol") == labels.readable("per_protocol")


def test_cdai_items_and_verdicts_are_named_in_words(study):
    review = scoring.scoring_review(study)
    fig = plots.stacked_points(
        review.cdai_points,
        colours=dict.fromkeys(review.cdai_points.columns, "#777777"),
        suffixes={c: " (diary)" for c in review.diary_columns},
        title="t",
        xlabel="x",
    )
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels.readable("liquid_stools_7d") + " (diary)" in legend
    assert not [t for t in plots.figure_texts(fig) if labels.code_names(t)]
    plt.close(fig)
    audit = claims.claims_audit(None)
    fig = plots.claims_by_status_and_theme(
        audit.status_counts, audit.theme_counts, colours=claims.STATUS_COLOURS, statuses=claims.STATUSES
    )
    fig.canvas.draw()
    assert not [t for t in plots.figure_texts(fig) if labels.code_names(t)]
    plt.close(fig)


def test_no_committed_figure_shows_a_code_name(committed_figures):
    for notebook, index, _, meta in committed_figures:
        texts = meta.get("texts")
        assert texts, f"{notebook} cell {index}: no figure texts recorded"
        found = {t: labels.code_names(t) for t in texts if labels.code_names(t)}
        assert found == {}, f"{notebook} cell {index} ({meta['figure']}): code names {found}"


# --- methods figures in an appendix -----------------------------------------------------------


def test_methods_figures_are_in_the_closing_appendix_of_their_notebook(committed_figures):
    methods = {name for name, text in outputs.FIGURE_TEXT.items() if text.get("appendix")}
    assert {"cdai_p_values", "cdai_illustrative_points", "literature_pooled_forest"} <= methods
    shown = set()
    for notebook, index, section, meta in committed_figures:
        name = meta.get("figure")
        shown.add(name)
        in_appendix = section == outputs.APPENDIX_HEADING
        assert in_appendix == (name in methods), f"{notebook} cell {index}: {name} under {section!r}"
    assert methods <= shown, f"methods figures no notebook shows: {methods - shown}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_an_appendix_comes_last_after_the_discussion_box(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    headings = [
        (i, line) for i in markdown for line in nb.cells[i].source.splitlines() if line.startswith("## Appendix")
    ]
    if not headings:
        return
    assert [line for _, line in headings] == [f"## {outputs.APPENDIX_HEADING}"], path.stem
    at = headings[0][0]
    # the box is a markdown cell, or the markdown a cell displays (narrative.passage)
    discussion = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.source.startswith("> **For discussion**")
        or any(
            str(out.get("data", {}).get("text/markdown", "")).startswith("> **For discussion**")
            for out in cell.get("outputs", [])
        )
    ]
    assert discussion and discussion[-1] < at, f"{path.stem}: the appendix is not after the discussion box"
    later = [line for i in markdown if i > at for line in nb.cells[i].source.splitlines() if line.startswith("#")]
    assert later == [], f"{path.stem}: sections after the appendix {later}"


def test_reader_edition_keeps_a_notebooks_own_appendix_and_adds_no_second_one():
    nb = nbformat.v4.new_notebook()
    figure = nbformat.v4.new_code_cell("plot")
    figure.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBORw0KGgo="}, metadata={"tacrolimus_ibd": {"figure": "methods"}}
        )
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_markdown_cell("> **For discussion**\n>\n> * a question"),
        nbformat.v4.new_markdown_cell(f"## {outputs.APPENDIX_HEADING}\n\nwhy"),
        figure,
    ]
    records = {"methods": outputs.figure_record("methods", alt="a methods picture", caption="c", appendix=True)}
    reader = pages.reader_notebook(nb, figures=records, bottom_line=[], full_href="f.html", glossary_href="g.html")
    heads = [c.source for c in reader.cells if c.cell_type == "markdown" and "Appendix" in c.source]
    assert len(heads) == 1
    assert reader.cells[-1].outputs[0].metadata["tacrolimus_ibd"]["alt"] == "a methods picture"


# --- alt text ----------------------------------------------------------------------------------


def test_placeholder_alt_texts_are_recognised():
    for alt in (None, "", "  ", "png", "No description has been provided for this image", "Figure km_time_on_x"):
        assert is_placeholder_alt(alt), alt
    assert is_placeholder_alt(outputs.figure_record("undescribed")["alt"])
    assert not is_placeholder_alt(outputs.FIGURE_TEXT["km_time_on_tacrolimus"]["alt"])


def test_every_committed_figure_is_described(committed_figures):
    for notebook, index, _, meta in committed_figures:
        name = meta.get("figure")
        assert name, f"{notebook} cell {index}: a figure not saved through plots.save_figure (no alt text)"
        assert not is_placeholder_alt(outputs.figure_record(name)["alt"]), f"{notebook}: {name} has no alt text"
