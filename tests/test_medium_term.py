"""Tests for tacrolimus_ibd.medium_term (notebook 04's analysis as one result object)."""

import pandas as pd
import pytest

from tacrolimus_ibd import medium_term, open_study, outcomes, statistics


@pytest.fixture(scope="module")
def study():
    return open_study(style=False)


@pytest.fixture(scope="module")
def result(study):
    return medium_term.medium_term_outcomes(study)


def test_unknown_denominator_is_refused(study):
    with pytest.raises(ValueError, match="denominator must be one of"):
        medium_term.medium_term_outcomes(study, denominator="everyone")


def test_options_are_keyword_only(study):
    with pytest.raises(TypeError):
        medium_term.medium_term_outcomes(study, "per_protocol")


def test_summary_frame_is_the_chosen_denominator(study, result):
    per_protocol = medium_term.medium_term_outcomes(study, denominator="per_protocol")
    assert set(result.summary_frame()["denominator"]) == {"intention_to_treat"}
    assert set(per_protocol.summary_frame()["denominator"]) == {"per_protocol"}
    assert len(result.summary_frame()) + len(per_protocol.summary_frame()) == len(result.rates)


def test_key_results_follow_the_rates(result):
    key = result.key_results()
    row = result.summary_frame().query("rate == 'remission_end' and group == 'all'").iloc[0]
    assert key["remission_end_all_events"] == row["events"]
    assert key["remission_end_all_total"] == row["total"]
    assert key["denominator"] == "intention_to_treat"
    assert key["stopped_for_side_effects_ids"] == " ".join(map(str, result.stopped.index))


def test_km_summary_counts_every_included_patient(study):
    summary, fits = medium_term.time_on_tacrolimus_km(study.cohort, study.facts)
    assert list(summary["unknown status"]) == list(medium_term.KM_RULES)
    assert (summary["stopped"] + summary["censored"] == summary["patients"]).all()
    # Counting the unknown-status patients as stops can only shorten the time on tacrolimus.
    event, censored = (statistics.survival_table(fits[r])["survival"].iloc[-1] for r in ("event", "censored"))
    assert event <= censored


def test_km_on_a_small_made_up_cohort(monkeypatch):
    cohort = pd.DataFrame({"diagnosis": ["CD", "CD"]}, index=pd.Index(["a", "b"], name="patient_id"))
    timing = pd.DataFrame(
        {"months": [2.0, 4.0], "event": [1, 1], "stopped": [True, True], "included": [True, True]}, index=cohort.index
    )
    monkeypatch.setattr(outcomes, "time_on_tacrolimus", lambda cohort, facts, unknown_status: timing)
    summary, _ = medium_term.time_on_tacrolimus_km(cohort, None)
    # Two stops at 2 and 4 months: the curve is 0.5 from month 2, first strictly below one half at 4 (SAS/statsmodels).
    assert list(summary["KM median, months"]) == [4.0] * 3
    assert list(summary["excluded"]) == [""] * 3


def test_readings_are_text_for_every_section(result):
    for section in ["denominators", "remission", "relapses", "tapering", "discontinuations", "ongoing", "durations"]:
        assert isinstance(result.reading(section), str)
    assert result.reading("denominators").startswith(
        "patients per denominator: intention to treat (everyone who started tacrolimus): "
    )


def test_no_completed_taper_reads_as_no_patient(study, result):
    import dataclasses

    none = dataclasses.replace(result, tapering=result.tapering.iloc[0:0])
    assert none.reading("tapering") == "steroid tapering complete: no patient"
    assert "()" not in none.reading("tapering")
