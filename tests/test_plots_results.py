"""Tests for the figure functions the thin notebooks call (plots.cohort_dots, rates_by_denominator,
trough_by_outcome, pooled_forest_panels): what each draws, and the same bytes twice."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from tacrolimus_ibd import comparison, labels, medium_term, open_study, outcomes, plots, trough_levels  # noqa: E402


@pytest.fixture(scope="module")
def study():
    return open_study()


def _png_twice(make):
    pngs = []
    for _ in range(2):
        fig = make()
        pngs.append(plots.render_png(fig))
        plt.close(fig)
    return pngs


def test_cohort_dots_draws_one_panel_per_column_and_one_row_per_group(study):
    order = [g for g in outcomes.GROUP_ORDER if g in set(study.cohort["diagnosis"])]
    fig = plots.cohort_dots(study.cohort, order=order)
    assert len(fig.axes) == 2
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == order
    plt.close(fig)
    first, second = _png_twice(lambda: plots.cohort_dots(study.cohort, order=order))
    assert first == second


def test_rates_by_denominator_has_one_row_per_rate(study):
    overall = medium_term.medium_term_outcomes(study).overall
    ax = plots.rates_by_denominator(overall, denominators=outcomes.DENOMINATORS)
    assert len(ax.get_yticks()) == overall["rate"].nunique()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [labels.readable(d) for d in outcomes.DENOMINATORS]
    plt.close(ax.figure)


def test_trough_by_outcome_shades_the_band_of_the_run(study):
    result = trough_levels.trough_levels(study, target_low_ng_ml=6.0, target_high_ng_ml=9.0)
    fig = plots.trough_by_outcome(result.troughs, target=result.target, outcome_order=result.outcome_order())
    band = fig.axes[0].patches[0] if fig.axes[0].patches else None
    assert band is not None
    low, high = band.get_y(), band.get_y() + band.get_height()  # axhspan: a Rectangle in data units along y
    assert (low, high) == pytest.approx((6.0, 9.0))
    plt.close(fig)


def test_trough_ranges_names_the_band_of_the_run_not_the_papers(study):
    """A sensitivity run's band is labelled as this run's, with its own limits."""
    result = trough_levels.trough_levels(study, target_low_ng_ml=6.0, target_high_ng_ml=12.0)
    ax = plots.trough_ranges(result.troughs, target=result.target)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "target band of this run 6-12 ng/mL" in legend
    assert not any("paper" in text for text in legend)
    plt.close(ax.figure)


def test_pooled_forest_panels_one_panel_per_outcome(study):
    result = comparison.literature_comparison(study)
    rows = {o: result.pooled_forest_rows(o) for o in comparison.OUTCOMES}
    fig = plots.pooled_forest_panels(rows)
    assert len(fig.axes) == len(comparison.OUTCOMES)
    assert fig.axes[0].get_title().startswith("Response")
    plt.close(fig)
