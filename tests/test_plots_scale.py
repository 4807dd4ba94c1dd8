"""Per-patient figures switch to an aggregate view above outputs.PER_PATIENT_DISPLAY_LIMIT (#13 item 5)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from tacrolimus_ibd import outputs, plots  # noqa: E402


def _swimmer_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    months = rng.integers(1, 19, size=n).astype(float)
    months[0] = np.nan  # one patient without a duration
    return pd.DataFrame(
        {
            "diagnosis": np.array(["CD", "UC"])[rng.integers(0, 2, size=n)],
            "months": months,
            "duration_source": "Table 4",
            "follow_up_months": months + 1,
            "stopped": pd.array([False] * n, dtype="boolean"),
            "relapse_month": np.nan,
            "relapse_ambiguous": False,
            "stopped_for_side_effects": False,
            "outcome": "remission",
            "outcome_basis": "table4",
        },
        index=pd.Index([f"RFH-{i:04d}" for i in range(n)], name="patient_id"),
    )


def _troughs(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    mean = np.round(rng.lognormal(np.log(7), 0.5, size=n), 1)
    return pd.DataFrame(
        {"diagnosis": "CD", "mean_trough_ng_ml": mean, "trough_min_ng_ml": mean * 0.5, "trough_max_ng_ml": mean * 1.5},
        index=pd.RangeIndex(1, n + 1, name="patient_id"),
    )


@pytest.mark.parametrize("n", [outputs.PER_PATIENT_DISPLAY_LIMIT, outputs.PER_PATIENT_DISPLAY_LIMIT + 1])
def test_swimmer_draws_one_bar_per_patient_up_to_the_limit_then_one_curve_per_group(n):
    ax = plots.swimmer(_swimmer_frame(n))
    aggregate = n > outputs.PER_PATIENT_DISPLAY_LIMIT
    assert (f"more than {outputs.PER_PATIENT_DISPLAY_LIMIT}" in ax.get_title()) is aggregate
    if aggregate:
        assert len(ax.patches) == 0 and len(ax.get_lines()) == 2  # one step curve per group present
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert sum(int(label.split("(")[1].split()[0].replace(",", "")) for label in labels) == n - 1
        assert any("1 without a duration" in label for label in labels)
        curve = ax.get_lines()[0].get_ydata()
        assert curve[0] == 1.0 and curve[-1] == 0.0 and (np.diff(curve) <= 0).all()
    else:
        assert len(ax.get_yticks()) == n
    plt.close(ax.figure)


def test_trough_figure_becomes_a_histogram_of_patient_means_above_the_limit():
    n = outputs.PER_PATIENT_DISPLAY_LIMIT * 10
    troughs = _troughs(n)
    ax = plots.trough_ranges(troughs, target=(5, 10), lines=[(7.0, "reported mean", "--")], title="Troughs")
    assert "distribution of the patient means" in ax.get_title() and f"{n:,} patients" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == f"CD ({n:,} patients)"
    assert ax.figure.get_size_inches()[1] < 10  # a fixed size, not one row per patient
    plt.close(ax.figure)
    small = plots.trough_ranges(_troughs(5), target=(5, 10), title="Troughs")
    assert small.get_title() == "Troughs" and len(small.get_yticks()) == 5
    plt.close(small.figure)
