"""Tests for tacrolimus_ibd.outcomes: small hand-made cohorts, and the transcribed data against
counts the paper's text states (worked out by hand from Tables 4 and 5 and the Results)."""

import math

import numpy as np
import pandas as pd
import pytest

from tacrolimus_ibd import data, outcomes


@pytest.fixture(scope="module")
def tables():
    return data.load_tables(data.default_data_dir())


@pytest.fixture(scope="module")
def cohort(tables):
    return data.cohort_from_tables(tables)


@pytest.fixture(scope="module")
def facts(tables):
    return tables["text_patient_facts"]


def _facts(rows):
    return pd.DataFrame(rows, columns=["patient_id", "fact", "value", "unit", "basis", "evidence"])


def _small_cohort():
    """Five patients: two CD, two UC, one pouchitis, with the columns the functions read."""
    index = pd.Index([1, 2, 3, 4, 5], name="patient_id")
    return pd.DataFrame(
        {
            "diagnosis": ["CD", "CD", "UC", "UC", "pouchitis"],
            "adverse_effects": [("tremor",), (), ("malaise",), ("tremor", "insomnia"), ()],
            "ongoing_tacrolimus": pd.array([False, True, None, True, None], dtype="boolean"),
            "treatment_months": [2.0, 6.0, 0.25, 12.0, np.nan],
            "tacrolimus_duration_months": [2.0, 6.0, np.nan, 12.0, np.nan],
            "outcome_end_of_follow_up": ["remission", "severe", "mild", "remission", None],
            "outcome_end_of_follow_up_basis": ["table4", "table4", "table4", "inferred", None],
            "perianal_fistula": [True, True, False, False, False],
            "fistula_outcome": ["complete_healing", None, None, None, None],
        },
        index=index,
    )


SMALL_FACTS = _facts([(3, "tacrolimus_stopped_for_side_effects_days", "10", "days", "stated", "x")])


# --- hand-made cohorts ---------------------------------------------------------------------


def test_fact_values_and_duplicates():
    facts = _facts(
        [(1, "a", "4", "", "stated", "x"), (2, "a", "6", "", "stated", "x"), (2, "b", "x", "", "stated", "x")]
    )
    assert outcomes.fact_values(facts, "a", numeric=True).to_dict() == {1: 4, 2: 6}
    with pytest.raises(ValueError):
        outcomes.fact_values(pd.concat([facts, facts]), "a")


def test_side_effect_stop_day_converts_weeks():
    facts = _facts(
        [
            (5, "tacrolimus_stopped_for_side_effects_week", "4", "weeks", "stated", "x"),
            (15, "tacrolimus_stopped_for_side_effects_days", "5", "days", "stated", "x"),
        ]
    )
    assert outcomes.side_effect_stop_day(facts).to_dict() == {5: 28, 15: 5}


def test_stopped_status_and_discontinuations_small():
    cohort = _small_cohort()
    status = outcomes.tacrolimus_stopped(cohort, SMALL_FACTS)
    assert status["stopped"].tolist()[:4] == [True, False, True, False]
    assert pd.isna(status.loc[5, "stopped"])
    assert status.loc[3, "stopped_basis"] == "Results text"
    table = outcomes.side_effect_discontinuations(cohort, SMALL_FACTS)
    # Patients with an adverse effect: 1 (stopped, Table 5), 3 (stopped, text), 4 (ongoing).
    assert table.index.tolist() == [1, 3, 4]
    assert table["stopped_for_side_effects"].tolist() == [True, True, False]
    assert outcomes.stopped_for_side_effects(cohort, SMALL_FACTS).tolist() == [True, False, True, False, False]


def test_denominators_small():
    cohort = _small_cohort()
    assert outcomes.denominator_mask(cohort, SMALL_FACTS, "intention_to_treat").all()
    assert outcomes.denominator_mask(cohort, SMALL_FACTS, "per_protocol").tolist() == [True, True, False, True, True]
    with pytest.raises(ValueError, match="definition"):
        outcomes.denominator_mask(cohort, SMALL_FACTS, "as_treated")


def test_rates_by_group_counts_unknowns_in_the_denominator():
    cohort = _small_cohort()
    events = pd.Series(pd.array([True, None, True, False, None], dtype="boolean"), index=cohort.index)
    table = outcomes.rates_by_group(cohort, events).set_index("group")
    assert table.loc["CD", ["events", "total", "unknown"]].tolist() == [1, 2, 1]
    assert table.loc["pouchitis", ["events", "total", "unknown"]].tolist() == [0, 1, 1]
    assert table.loc["all", ["events", "total", "unknown"]].tolist() == [2, 5, 2]
    assert table.loc["all", "event_ids"] == "1 3"
    mask = pd.Series([True, True, False, True, True], index=cohort.index)
    restricted = outcomes.rates_by_group(cohort, events, denominator=mask, groups=[]).set_index("group")
    assert restricted.index.tolist() == ["all"]
    assert restricted.loc["all", ["events", "total"]].tolist() == [1, 4]


def test_end_of_follow_up_outcome_drops_inferred_on_request():
    cohort = _small_cohort()
    assert outcomes.end_of_follow_up_outcome(cohort).tolist()[3] == "remission"
    assert outcomes.end_of_follow_up_outcome(cohort, include_inferred=False).isna().tolist() == [
        False,
        False,
        False,
        True,
        True,
    ]


def test_outcome_counts_small():
    cohort = _small_cohort()
    counts = outcomes.outcome_counts(cohort, outcomes.end_of_follow_up_outcome(cohort)).set_index("group")
    assert counts.loc["CD", ["remission", "mild", "severe", "unknown", "total"]].tolist() == [1, 0, 1, 0, 2]
    assert counts.loc["all", ["remission", "mild", "severe", "unknown", "total"]].tolist() == [2, 1, 1, 1, 5]


def test_treatment_duration_and_time_on_tacrolimus_small():
    cohort = _small_cohort()
    duration = outcomes.treatment_duration(cohort)
    assert duration["duration_source"].tolist() == ["Table 4"] * 4 + ["none"]
    excluded = outcomes.time_on_tacrolimus(cohort, SMALL_FACTS)
    assert excluded["included"].tolist() == [True, True, True, True, False]  # 5 has no duration
    assert excluded["event"].tolist()[:4] == [1.0, 0.0, 1.0, 0.0]
    with pytest.raises(ValueError):
        outcomes.time_on_tacrolimus(cohort, SMALL_FACTS, unknown_status="drop")


def test_before_after_facts():
    facts = _facts([(7, "mpdai_week0", "8", "points", "stated", "x"), (7, "mpdai_week4", "4", "points", "stated", "x")])
    row = outcomes.before_after_facts(facts, 7, ["mpdai"]).iloc[0]
    assert (row["week0"], row["week4"], row["change"], row["basis"]) == (8.0, 4.0, -4.0, "stated")
    missing = outcomes.before_after_facts(facts, 7, ["stool_frequency"]).iloc[0]
    assert math.isnan(missing["change"])


def test_adverse_effect_counts_small():
    effects = pd.DataFrame({"patient_id": [1, 2, 2, 3], "adverse_effect": ["tremor", "tremor", "insomnia", "tremor"]})
    table = outcomes.adverse_effect_counts(effects, 10)
    assert table["adverse_effect"].tolist() == ["tremor", "insomnia"]
    assert table["patients"].tolist() == [3, 1]
    assert table.loc[0, "patient_ids"] == "1 2 3"


# --- the transcribed data against the paper's own counts ------------------------------------


def test_week4_responders_match_the_abstract(cohort):
    table = outcomes.rates_by_group(cohort, cohort["week4_response"]).set_index("group")
    # "10 CD (83%), four UC (67%) patients, and one pouchitis patient had a clinical response"
    assert table.loc[["CD", "UC", "pouchitis"], "events"].tolist() == [10, 4, 1]
    assert table.loc[["CD", "UC", "pouchitis"], "total"].tolist() == [12, 6, 1]
    basis = outcomes.week4_response_basis(cohort).set_index("group")
    assert basis.loc["all", ["stated", "inferred", "missing"]].tolist() == [3, 16, 0]  # 5, 6 and 7 are named


def test_discontinuations_for_side_effects(cohort, facts):
    # "Four patients stopped treatment due to side effects: three ... severe tremor ... and one ... malaise"
    table = outcomes.side_effect_discontinuations(cohort, facts)
    stopped = table[table["stopped_for_side_effects"]]
    assert stopped.index.tolist() == [5, 10, 15, 16]
    assert stopped["adverse_effects"].str.contains("tremor").sum() == 3
    assert stopped["adverse_effects"].str.contains("malaise").sum() == 1
    assert not table.loc[11, "stopped_for_side_effects"]  # renal impairment, tacrolimus continued


def test_per_protocol_excludes_the_two_early_stops(cohort, facts):
    mask = outcomes.denominator_mask(cohort, facts, "per_protocol")
    assert cohort.index[~mask].tolist() == [15, 16]


def test_outcome_rates_against_the_text(cohort, facts):
    rates = outcomes.outcome_rates(cohort, facts).set_index(["rate", "group"])
    # Remission 5/12 CD and 3/6 UC; tolerated 14/19; fistula 1 healed, 2 partial, of 7.
    assert rates.loc[("remission_end", "CD"), ["events", "total"]].tolist() == [5, 12]
    assert rates.loc[("remission_end", "UC"), ["events", "total"]].tolist() == [3, 6]
    assert rates.loc[("tolerated", "all"), ["events", "total"]].tolist() == [14, 19]
    assert rates.loc[("fistula_complete_healing", "all"), ["events", "total"]].tolist() == [1, 7]
    assert rates.loc[("fistula_any_response", "all"), ["events", "total"]].tolist() == [3, 7]
    assert rates.loc[("relapse_text", "all"), "event_ids"] == "1 4 13 19"
    assert rates.loc[("relapse_table4", "all"), "event_ids"] == "1 4 8 11 13 16 19"
    no_inferred = outcomes.outcome_rates(cohort, facts, include_inferred=False).set_index(["rate", "group"])
    assert no_inferred.loc[("remission_end", "CD"), ["events", "total", "unknown"]].tolist() == [4, 12, 1]
    per_protocol = outcomes.outcome_rates(cohort, facts, denominator="per_protocol").set_index(["rate", "group"])
    assert per_protocol.loc[("remission_end", "CD"), ["events", "total"]].tolist() == [5, 10]


def test_relapse_table_flags_cells_read_by_position(cohort, tables, facts):
    table = outcomes.relapse_table(cohort, tables["table4_medium_term"], facts)
    assert table.index[table["sources"] == "Table 4 only"].tolist() == [8, 11, 16]
    assert table.loc[[8, 11, 16], "ambiguous_cell"].all()
    assert table.loc[[1, 4], "relapse_month_text"].tolist() == [4, 13]


def test_time_on_tacrolimus_rules(cohort, facts):
    counts = {
        rule: outcomes.time_on_tacrolimus(cohort, facts, unknown_status=rule) for rule in outcomes.UNKNOWN_STATUS_RULES
    }
    assert counts["exclude"]["included"].sum() == 16  # not 7 (no duration), 18 and 19 (status unknown)
    assert counts["exclude"]["event"].sum() == 5  # 1, 5, 10 (Table 5 "No"), 15, 16 (text)
    assert counts["event"]["event"].sum() == 7
    assert counts["censored"]["event"].sum() == 5
    assert counts["censored"]["included"].sum() == 18
    assert counts["exclude"].loc[9, "duration_source"] == "Table 5"


def test_fistula_counts_match_the_text(cohort):
    table = outcomes.fistula_outcome_counts(cohort).set_index("fistula_outcome")
    # "Of seven patients with fistulas, one achieved complete fistula healing. In two ... partial"
    assert table["patients"].tolist() == [1, 2, 4, 0]
    assert (table["of"] == 7).all()


def test_existing_patients_with(tables):
    treated = outcomes.patients_with(tables["table2_treatments"], timing="concurrent", drugs="thalidomide")
    assert len(treated) == 2  # "Two patients (11%) with perianal fistulas were taking thalidomide"


def test_fall_summary_counts_falls_as_improvement():
    import pandas as pd

    from tacrolimus_ibd.outcomes import fall_summary

    changes = pd.DataFrame({"week0": [6.0, 8.0, 4.0, 3.0], "week4": [3.0, 8.0, 5.0, 1.0]})
    changes["change"] = changes["week4"] - changes["week0"]
    summary = fall_summary(changes)
    assert summary == {
        "patients": 4,
        "mean_fall": 1.0,
        "median_fall": 1.0,
        "median_week0": 5.0,
        "median_week4": 4.0,
        "improved": 2,
        "unchanged": 1,
        "worse": 1,
    }
