"""Tests for tacrolimus_ibd.scores.

Worked examples say where they come from. Only the CDAI has a published worked example here
(a calculator's component breakdown, and Merck's haematocrit illustration); examples for the
other indices were built by hand from the published item points, and their docstrings say so.
"""

import numpy as np
import pandas as pd
import pytest

from tacrolimus_ibd.scores import (
    cdai,
    cdai_category,
    harvey_bradshaw,
    harvey_bradshaw_category,
    lichtiger,
    mpdai,
    mpdai_category,
    truelove_witts,
)

# One valid patient per index; tests override single arguments.
CDAI_PATIENT = dict(
    liquid_stools_7d=4,
    abdominal_pain_7d=1,
    wellbeing_7d=1,
    complications=1,
    antidiarrheal=True,
    abdominal_mass=0,
    hematocrit_pct=40,
    sex="M",
    weight_kg=95,
    standard_weight_kg=100,
)
HBI_PATIENT = dict(wellbeing=2, abdominal_pain=1, liquid_stools=3, abdominal_mass=1, complications=2)
TW_PATIENT = dict(
    stools_per_day=3,
    blood_in_stool=True,
    pulse_bpm=72,
    temperature_c=36.8,
    hemoglobin_g_dl=13.5,
    esr_mm_h=10,
)
LICHTIGER_PATIENT = dict(
    stools_per_day=6,
    nocturnal_diarrhea=True,
    visible_blood_pct=30,
    fecal_incontinence=False,
    abdominal_pain=2,
    wellbeing=3,
    abdominal_tenderness=1,
    antidiarrheal=False,
)
MPDAI_PATIENT = dict(
    stool_frequency=1,
    rectal_bleeding=0,
    urgency_or_cramps=1,
    fever=0,
    edema=1,
    granularity=1,
    friability=0,
    loss_of_vascular_pattern=1,
    mucous_exudate=0,
    ulceration=1,
)
INDICES = {
    "cdai": (cdai, CDAI_PATIENT),
    "harvey_bradshaw": (harvey_bradshaw, HBI_PATIENT),
    "truelove_witts": (truelove_witts, TW_PATIENT),
    "lichtiger": (lichtiger, LICHTIGER_PATIENT),
    "mpdai": (mpdai, MPDAI_PATIENT),
}


def with_(patient, **changes):
    return {**patient, **changes}


def raises_for(argument):
    """The ValueError message must start with the offending argument's name."""
    return pytest.raises(ValueError, match=rf"^{argument}\b")


# --------------------------------------------------------------------------- item scales

# (index, argument, on-scale edge values, off-scale values)
SCALES = [
    ("cdai", "liquid_stools_7d", [0, 150], [-1, 2.5]),
    ("cdai", "abdominal_pain_7d", [0, 21], [-1, 22, 3.5]),
    ("cdai", "wellbeing_7d", [0, 28], [-1, 29]),
    ("cdai", "complications", [0, 6], [-1, 7]),
    ("cdai", "antidiarrheal", [False, True, 0, 1], [-1, 2, 0.5]),
    ("cdai", "abdominal_mass", [0, 2, 5], [-1, 1, 3, 4, 6]),
    ("cdai", "hematocrit_pct", [10, 75], [0.42, 9.9, 75.1]),
    ("cdai", "weight_kg", [1, 500], [0, -70, 501]),
    ("cdai", "standard_weight_kg", [1, 500], [0, 501]),
    ("harvey_bradshaw", "wellbeing", [0, 4], [-1, 5, 1.5]),
    ("harvey_bradshaw", "abdominal_pain", [0, 3], [-1, 4]),
    ("harvey_bradshaw", "liquid_stools", [0, 40], [-1, 2.5]),
    ("harvey_bradshaw", "abdominal_mass", [0, 3], [-1, 4]),
    ("harvey_bradshaw", "complications", [0, 8], [-1, 9]),
    ("truelove_witts", "stools_per_day", [0, 30], [-1, 4.5]),
    ("truelove_witts", "blood_in_stool", [False, True], [2, -1]),
    ("truelove_witts", "pulse_bpm", [20, 300], [0, 19, 301]),
    ("truelove_witts", "temperature_c", [30, 45], [98.6, 29.9]),
    ("truelove_witts", "hemoglobin_g_dl", [2, 25], [115, 1.9]),
    ("truelove_witts", "esr_mm_h", [0, 200], [-1, 201]),
    ("truelove_witts", "normal_stools_per_day", [0, 3], [-1, 4, 2.5]),
    ("lichtiger", "stools_per_day", [0, 25], [-1, 3.5]),
    ("lichtiger", "nocturnal_diarrhea", [0, 1], [2]),
    ("lichtiger", "visible_blood_pct", [0, 49.5, 100], [-0.1, 100.1]),
    ("lichtiger", "fecal_incontinence", [0, 1], [2]),
    ("lichtiger", "abdominal_pain", [0, 3], [4]),
    ("lichtiger", "wellbeing", [0, 5], [6, -1]),
    ("lichtiger", "abdominal_tenderness", [0, 3], [4]),
    ("lichtiger", "antidiarrheal", [0, 1], [2]),
    ("mpdai", "stool_frequency", [0, 2], [3, -1]),
    ("mpdai", "rectal_bleeding", [0, 1], [2]),
    ("mpdai", "urgency_or_cramps", [0, 2], [3]),
    ("mpdai", "fever", [0, 1], [2]),
    ("mpdai", "edema", [0, 1], [2]),
    ("mpdai", "granularity", [0, 1], [2]),
    ("mpdai", "friability", [0, 1], [2]),
    ("mpdai", "loss_of_vascular_pattern", [0, 1], [2]),
    ("mpdai", "mucous_exudate", [0, 1], [2, 0.5]),
    ("mpdai", "ulceration", [0, 1], [2]),
]


@pytest.mark.parametrize(("index", "argument", "edges", "_"), SCALES)
def test_on_scale_edges_are_accepted(index, argument, edges, _):
    function, patient = INDICES[index]
    for value in edges:
        function(**with_(patient, **{argument: value}))


@pytest.mark.parametrize(("index", "argument", "_", "off_scale"), SCALES)
def test_off_scale_values_are_rejected_naming_the_argument(index, argument, _, off_scale):
    function, patient = INDICES[index]
    for value in off_scale:
        with raises_for(argument):
            function(**with_(patient, **{argument: value}))


@pytest.mark.parametrize(
    ("index", "argument"),
    [(index, argument) for index, (_, patient) in INDICES.items() for argument in patient],
)
@pytest.mark.parametrize("missing", [None, np.nan])
def test_a_missing_value_is_rejected_naming_the_argument(index, argument, missing):
    function, patient = INDICES[index]
    with raises_for(argument):
        function(**with_(patient, **{argument: missing}))
    with raises_for(argument):  # one missing row among valid ones
        value = patient[argument]
        function(**with_(patient, **{argument: [value, missing, value]}))


@pytest.mark.parametrize("sex", ["X", "m", "male", "", 1, 0])
def test_cdai_rejects_an_unknown_sex(sex):
    with raises_for("sex"):
        cdai(**with_(CDAI_PATIENT, sex=sex))
    with raises_for("sex"):
        cdai(**with_(CDAI_PATIENT, sex=pd.Series(["M", sex])))


def test_cdai_rejects_a_missing_sex_in_a_nullable_series():
    with raises_for("sex"):
        cdai(**with_(CDAI_PATIENT, sex=pd.Series(["M", pd.NA], dtype="string")))


def test_non_numeric_input_is_rejected_naming_the_argument():
    with raises_for("abdominal_pain"):
        harvey_bradshaw(**with_(HBI_PATIENT, abdominal_pain="severe"))


# --------------------------------------------------------------------------- vectorisation

RNG = np.random.default_rng(2007)
N_ROWS = 6
VECTORS = {
    "cdai": dict(
        liquid_stools_7d=RNG.integers(0, 60, N_ROWS),
        abdominal_pain_7d=RNG.integers(0, 22, N_ROWS),
        wellbeing_7d=RNG.integers(0, 29, N_ROWS),
        complications=RNG.integers(0, 7, N_ROWS),
        antidiarrheal=RNG.random(N_ROWS) < 0.5,
        abdominal_mass=RNG.choice([0, 2, 5], N_ROWS),
        hematocrit_pct=RNG.uniform(25, 55, N_ROWS),
        sex=RNG.choice(["M", "F"], N_ROWS),
        weight_kg=RNG.uniform(40, 110, N_ROWS),
        standard_weight_kg=RNG.uniform(50, 90, N_ROWS),
    ),
    "harvey_bradshaw": dict(
        wellbeing=RNG.integers(0, 5, N_ROWS),
        abdominal_pain=RNG.integers(0, 4, N_ROWS),
        liquid_stools=RNG.integers(0, 15, N_ROWS),
        abdominal_mass=RNG.integers(0, 4, N_ROWS),
        complications=RNG.integers(0, 9, N_ROWS),
    ),
    "truelove_witts": dict(
        stools_per_day=[1, 3, 5, 8, 8, 2],
        blood_in_stool=[False, True, True, True, False, False],
        pulse_bpm=[70, 70, 80, 100, 100, 95],
        temperature_c=[36.5, 37.0, 37.0, 37.0, 38.5, 36.5],
        hemoglobin_g_dl=[14.0, 13.0, 12.0, 11.0, 9.0, 14.0],
        esr_mm_h=[5, 10, 25, 40, 40, 5],
    ),
    "lichtiger": dict(
        stools_per_day=RNG.integers(0, 15, N_ROWS),
        nocturnal_diarrhea=RNG.integers(0, 2, N_ROWS),
        visible_blood_pct=RNG.choice([0, 20, 50, 75, 100], N_ROWS),
        fecal_incontinence=RNG.integers(0, 2, N_ROWS),
        abdominal_pain=RNG.integers(0, 4, N_ROWS),
        wellbeing=RNG.integers(0, 6, N_ROWS),
        abdominal_tenderness=RNG.integers(0, 4, N_ROWS),
        antidiarrheal=RNG.integers(0, 2, N_ROWS),
    ),
    "mpdai": {
        name: RNG.integers(0, top + 1, N_ROWS)
        for name, top in [
            ("stool_frequency", 2),
            ("rectal_bleeding", 1),
            ("urgency_or_cramps", 2),
            ("fever", 1),
            ("edema", 1),
            ("granularity", 1),
            ("friability", 1),
            ("loss_of_vascular_pattern", 1),
            ("mucous_exudate", 1),
            ("ulceration", 1),
        ]
    },
}


def row(arguments, i):
    return {name: np.asarray(values)[i].item() for name, values in arguments.items()}


@pytest.mark.parametrize("index", INDICES)
def test_vectorised_call_agrees_with_scalar_calls(index):
    function, _ = INDICES[index]
    arguments = VECTORS[index]
    vectorised = function(**arguments)
    scalars = [function(**row(arguments, i)) for i in range(N_ROWS)]
    assert isinstance(vectorised, np.ndarray)
    assert vectorised.shape == (N_ROWS,)
    assert all(isinstance(value, float | str) for value in scalars)
    assert list(vectorised) == scalars


@pytest.mark.parametrize("index", INDICES)
def test_series_input_returns_a_series_with_the_same_index(index):
    function, _ = INDICES[index]
    arguments = VECTORS[index]
    patient_ids = pd.Index([f"P{i:02d}" for i in range(N_ROWS)][::-1], name="patient")
    as_series = {name: pd.Series(values, index=patient_ids) for name, values in arguments.items()}
    result = function(**as_series)
    assert isinstance(result, pd.Series)
    assert result.index.equals(patient_ids)
    assert list(result) == list(function(**arguments))


def test_scalars_broadcast_against_a_series():
    stools = pd.Series([0, 10], index=["a", "b"])
    result = cdai(**with_(CDAI_PATIENT, liquid_stools_7d=stools))
    expected_a = cdai(**with_(CDAI_PATIENT, liquid_stools_7d=0))
    assert result.to_dict() == {"a": expected_a, "b": expected_a + 20}


def test_mismatched_lengths_are_rejected_naming_the_argument():
    with raises_for("wellbeing_7d"):
        cdai(**with_(CDAI_PATIENT, abdominal_pain_7d=[1, 2, 3], wellbeing_7d=[1, 2]))


def test_series_with_different_indexes_are_rejected_naming_the_argument():
    with raises_for("abdominal_pain"):
        harvey_bradshaw(
            **with_(
                HBI_PATIENT,
                wellbeing=pd.Series([1, 2], index=[1, 2]),
                abdominal_pain=pd.Series([1, 2], index=[2, 1]),
            )
        )


def test_nullable_integer_series_are_accepted():
    pain = pd.Series([1, 2], dtype="Int64")
    assert list(harvey_bradshaw(**with_(HBI_PATIENT, abdominal_pain=pain))) == [9.0, 10.0]


# --------------------------------------------------------------------------- CDAI


def test_cdai_readycalculator_worked_example():
    """readycalculator.com/health/cdai-calculator shows this component summary: stools x2 = 8,
    pain x5 = 5, well-being x7 = 7, complications x20 = 20, antidiarrheal 30, mass x10 = 0,
    6 x (47 - Hct) = 42, weight factor 5; total 117. Inputs reconstructed from the components
    (4 stools, 1, 1, 1 complication, male Hct 40, weight 5% below standard)."""
    assert cdai(**CDAI_PATIENT) == pytest.approx(117.0)


def test_cdai_merck_hematocrit_illustration():
    """merckmanuals.com/medical-calculators/CDAI.htm: "A male patient with a hematocrit of 40%
    has an absolute deviation of 7", at 6 points per percent deviation: 42 points."""
    at_reference = cdai(**with_(CDAI_PATIENT, hematocrit_pct=47))
    assert cdai(**with_(CDAI_PATIENT, hematocrit_pct=40)) - at_reference == pytest.approx(42.0)


def test_cdai_uses_42_percent_as_the_female_reference():
    """Hand-built from Best 1976's references (47% men, 42% women)."""
    male = cdai(**with_(CDAI_PATIENT, hematocrit_pct=42, sex="M"))
    female = cdai(**with_(CDAI_PATIENT, hematocrit_pct=42, sex="F"))
    assert male - female == pytest.approx(6 * 5)


def test_cdai_item_weights():
    """Hand-built: raising each item by one unit adds its published weight (Best 1976)."""
    base = cdai(**with_(CDAI_PATIENT, antidiarrheal=False, abdominal_mass=0))
    for argument, step, weight in [
        ("liquid_stools_7d", 1, 2),
        ("abdominal_pain_7d", 1, 5),
        ("wellbeing_7d", 1, 7),
        ("complications", 1, 20),
        ("antidiarrheal", 1, 30),
        ("abdominal_mass", 2, 20),
        ("abdominal_mass", 5, 50),
        ("hematocrit_pct", -1, 6),
    ]:
        changed = with_(CDAI_PATIENT, antidiarrheal=False, abdominal_mass=0)
        changed[argument] = changed[argument] + step
        assert cdai(**changed) - base == pytest.approx(weight), argument


def test_cdai_is_not_rounded():
    """Hand-built: weight 62 kg against 70 kg standard gives 100 x (1 - 62/70) = 11.43."""
    base = cdai(**with_(CDAI_PATIENT, weight_kg=70, standard_weight_kg=70))
    result = cdai(**with_(CDAI_PATIENT, weight_kg=62, standard_weight_kg=70))
    assert result - base == pytest.approx(100 * (1 - 62 / 70))
    assert result != round(result)


def test_cdai_negative_terms_are_kept_by_default_and_floored_on_request():
    """Hand-built: Hct 50% in a man gives 6 x (47 - 50) = -18; weight 130 kg against 100 kg
    standard gives 100 x (1 - 1.3) = -30."""
    zero_terms = cdai(**with_(CDAI_PATIENT, hematocrit_pct=47, weight_kg=100))
    heavy_polycythaemic = with_(CDAI_PATIENT, hematocrit_pct=50, weight_kg=130)
    assert cdai(**heavy_polycythaemic) == pytest.approx(zero_terms - 18 - 30)
    assert cdai(**heavy_polycythaemic, floor_hematocrit_term=True) == pytest.approx(zero_terms - 30)
    assert cdai(**heavy_polycythaemic, floor_weight_term=-10) == pytest.approx(zero_terms - 18 - 10)
    assert cdai(**heavy_polycythaemic, floor_weight_term=0) == pytest.approx(zero_terms - 18)
    assert cdai(**heavy_polycythaemic, floor_hematocrit_term=True, floor_weight_term=0) == pytest.approx(zero_terms)


def test_cdai_floors_leave_positive_terms_alone():
    """The floors only raise negative terms: the 117-point example is unchanged."""
    assert cdai(**CDAI_PATIENT, floor_hematocrit_term=True, floor_weight_term=-10) == pytest.approx(117.0)


def test_cdai_floor_applies_per_row():
    weights = np.array([90.0, 100.0, 105.0, 130.0])
    result = cdai(**with_(CDAI_PATIENT, weight_kg=weights), floor_weight_term=-10)
    base = cdai(**with_(CDAI_PATIENT, weight_kg=100))
    np.testing.assert_allclose(result - base, [10, 0, -5, -10])


@pytest.mark.parametrize("floor", [5, True, "-10", np.nan])
def test_cdai_rejects_a_bad_weight_floor(floor):
    with raises_for("floor_weight_term"):
        cdai(**CDAI_PATIENT, floor_weight_term=floor)


def test_cdai_rejects_a_non_boolean_hematocrit_floor():
    with raises_for("floor_hematocrit_term"):
        cdai(**CDAI_PATIENT, floor_hematocrit_term="yes")


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (-20, "remission"),
        (149.99, "remission"),
        (150, "mild"),
        (219.99, "mild"),
        (220, "moderate"),
        (450, "moderate"),
        (450.01, "severe"),
        (600, "severe"),
    ],
)
def test_cdai_category_edges(score, band):
    assert cdai_category(score) == band


def test_cdai_category_is_vectorised_and_keeps_the_index():
    scores = pd.Series([100.0, 117.0, 300.0, 451.0], index=[4, 3, 2, 1])
    bands = cdai_category(scores)
    assert bands.index.equals(scores.index)
    assert list(bands) == ["remission", "remission", "moderate", "severe"]
    assert list(cdai_category(scores.to_numpy())) == list(bands)


@pytest.mark.parametrize("score", [np.nan, np.inf, None, "high"])
def test_cdai_category_rejects_missing_or_non_numeric_scores(score):
    with raises_for("score"):
        cdai_category(score)


# --------------------------------------------------------------------------- Harvey-Bradshaw


def test_harvey_bradshaw_hand_built_example():
    """Hand-built from the Lancet 1980 items (unweighted sum, as tabulated by
    igibdscores.it): well-being poor 2 + mild pain 1 + 3 liquid stools + dubious mass 1 +
    2 complications = 9, which is "moderate" (8-16). No published worked example was found."""
    score = harvey_bradshaw(**HBI_PATIENT)
    assert score == 9.0
    assert harvey_bradshaw_category(score) == "moderate"


def test_harvey_bradshaw_does_not_weight_pain_or_stools():
    """Some calculators (calculator.academy) double pain and stools; the index does not."""
    base = harvey_bradshaw(**HBI_PATIENT)
    assert harvey_bradshaw(**with_(HBI_PATIENT, abdominal_pain=2)) == base + 1
    assert harvey_bradshaw(**with_(HBI_PATIENT, liquid_stools=4)) == base + 1


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "remission"), (4, "remission"), (5, "mild"), (7, "mild"), (8, "moderate"), (16, "moderate"), (17, "severe")],
)
def test_harvey_bradshaw_category_edges(score, band):
    assert harvey_bradshaw_category(score) == band


@pytest.mark.parametrize("score", [-1, 4.5, np.nan])
def test_harvey_bradshaw_category_rejects_impossible_scores(score):
    with raises_for("score"):
        harvey_bradshaw_category(score)


# --------------------------------------------------------------------------- Truelove-Witts
# All examples are hand-built from the thresholds of the modified (ECCO) table; no published
# patient-level worked example was found.


def grade(**changes):
    return truelove_witts(**with_(TW_PATIENT, **changes))


def test_truelove_witts_severe_needs_six_bloody_stools_and_a_systemic_sign():
    assert grade(stools_per_day=6, pulse_bpm=91) == "severe"
    assert grade(stools_per_day=5, pulse_bpm=120) == "moderate"  # too few stools
    assert grade(stools_per_day=6, pulse_bpm=120, blood_in_stool=False) == "moderate"  # no blood
    assert grade(stools_per_day=12) == "moderate"  # no systemic sign


@pytest.mark.parametrize(
    ("argument", "at_limit", "beyond"),
    [("pulse_bpm", 90, 91), ("temperature_c", 37.8, 37.9), ("hemoglobin_g_dl", 10.5, 10.4), ("esr_mm_h", 30, 31)],
)
def test_truelove_witts_systemic_sign_limits_are_strict(argument, at_limit, beyond):
    assert grade(stools_per_day=6, **{argument: at_limit}) == "moderate"
    assert grade(stools_per_day=6, **{argument: beyond}) == "severe"


def test_truelove_witts_mild_needs_fewer_than_four_stools():
    assert grade(stools_per_day=3) == "mild"
    assert grade(stools_per_day=4) == "moderate"


@pytest.mark.parametrize(
    ("argument", "normal", "at_limit"),
    [("pulse_bpm", 89, 90), ("temperature_c", 37.4, 37.5), ("hemoglobin_g_dl", 11.6, 11.5), ("esr_mm_h", 19, 20)],
)
def test_truelove_witts_mild_needs_every_mild_column_value(argument, normal, at_limit):
    assert grade(**{argument: normal}) == "mild"
    assert grade(**{argument: at_limit}) == "moderate"


def test_truelove_witts_inactive_needs_normal_frequency_and_no_blood():
    assert grade(stools_per_day=2, blood_in_stool=False) == "inactive"
    assert grade(stools_per_day=0, blood_in_stool=False) == "inactive"
    assert grade(stools_per_day=2, blood_in_stool=True) == "mild"
    assert grade(stools_per_day=3, blood_in_stool=False) == "mild"
    assert grade(stools_per_day=3, blood_in_stool=False, normal_stools_per_day=3) == "inactive"
    assert grade(stools_per_day=1, blood_in_stool=False, esr_mm_h=25) == "moderate"


def test_truelove_witts_rejects_array_normal_stool_frequency():
    with raises_for("normal_stools_per_day"):
        grade(normal_stools_per_day=[2, 3])


# --------------------------------------------------------------------------- Lichtiger


def lichtiger_points(**changes):
    """Total with every other item at 0, so the total is the changed items' points."""
    zero = dict(
        stools_per_day=0,
        nocturnal_diarrhea=0,
        visible_blood_pct=0,
        fecal_incontinence=0,
        abdominal_pain=0,
        wellbeing=0,
        abdominal_tenderness=0,
        antidiarrheal=0,
    )
    return lichtiger(**with_(zero, **changes))


@pytest.mark.parametrize(
    ("stools", "points"),
    [(0, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 2), (7, 3), (9, 3), (10, 4), (25, 4)],
)
def test_lichtiger_diarrhoea_bands(stools, points):
    """Bands from Lichtiger 1994: 0-2, 3-4, 5-6, 7-9, >= 10 stools a day."""
    assert lichtiger_points(stools_per_day=stools) == points


@pytest.mark.parametrize(
    ("percent", "points"),
    [(0, 0), (0.5, 1), (49.9, 1), (50, 2), (99.9, 2), (100, 3)],
)
def test_lichtiger_visible_blood_bands(percent, points):
    assert lichtiger_points(visible_blood_pct=percent) == points


def test_lichtiger_range_is_0_to_21():
    """Published anchor: the NEJM 1994 abstract says 0 indicates no symptoms and 21 severe."""
    assert lichtiger_points() == 0
    worst = dict(
        stools_per_day=14,
        nocturnal_diarrhea=True,
        visible_blood_pct=100,
        fecal_incontinence=True,
        abdominal_pain=3,
        wellbeing=5,
        abdominal_tenderness=3,
        antidiarrheal=True,
    )
    assert lichtiger(**worst) == 21


def test_lichtiger_hand_built_example():
    """Hand-built from the published item points: 6 stools 2 + nocturnal 1 + blood in 30% 1
    + no incontinence 0 + moderate pain 2 + average well-being 3 + mild localised
    tenderness 1 + no antidiarrhoeals 0 = 10."""
    assert lichtiger(**LICHTIGER_PATIENT) == 10


# --------------------------------------------------------------------------- mPDAI


def test_mpdai_range_is_0_to_12():
    """Published anchor: the PDAI table (gut.bmj.com, Table 6) gives clinical items worth
    0-6 and six endoscopic items worth 1 each; the mPDAI drops histology, so 0-12."""
    assert mpdai(**{name: 0 for name in MPDAI_PATIENT}) == 0
    worst = {name: 1 for name in MPDAI_PATIENT} | dict(stool_frequency=2, urgency_or_cramps=2)
    assert mpdai(**worst) == 12


def test_mpdai_hand_built_example():
    """Hand-built: 1-2 extra stools 1 + occasional urgency 1 + oedema, granularity, loss of
    vascular pattern and ulceration 4 = 6, which meets the >= 5 pouchitis cut-off."""
    score = mpdai(**MPDAI_PATIENT)
    assert score == 6
    assert mpdai_category(score) == "pouchitis"


@pytest.mark.parametrize(("score", "label"), [(0, "remission"), (4, "remission"), (5, "pouchitis"), (12, "pouchitis")])
def test_mpdai_category_edges(score, label):
    assert mpdai_category(score) == label


@pytest.mark.parametrize("score", [-1, 13, 4.5, np.nan])
def test_mpdai_category_rejects_impossible_scores(score):
    with raises_for("score"):
        mpdai_category(score)


def test_categories_are_vectorised():
    assert list(mpdai_category([4, 5])) == ["remission", "pouchitis"]
    assert list(harvey_bradshaw_category(np.array([4, 8]))) == ["remission", "moderate"]


# --------------------------------------------------------------------------- module constants and
# the helpers that tabulate them (cdai_components, cdai_items, cdai_bands, index_cutoffs,
# mpdai_stool_frequency_points)

from tacrolimus_ibd import scores as scores_module  # noqa: E402


def test_published_cut_offs_are_the_constants_used():
    """The constants carry the published values (Best 1976; Shen 2003; ECCO modified
    Truelove-Witts table), typed here independently of the module."""
    assert scores_module.CDAI_CUTOFFS == {"remission_below": 150, "moderate_from": 220, "severe_above": 450}
    assert scores_module.MPDAI_POUCHITIS_FROM == 5
    assert scores_module.MPDAI_RANGE == (0, 12)
    assert scores_module.LICHTIGER_RANGE == (0, 21)
    assert scores_module.TRUELOVE_WITTS_SEVERE["bloody_stools_per_day_from"] == 6
    assert scores_module.TRUELOVE_WITTS_MILD["stools_per_day_below"] == 4


def test_category_functions_switch_exactly_at_the_constants():
    cut = scores_module.CDAI_CUTOFFS
    assert cdai_category(cut["remission_below"] - 0.01) == "remission"
    assert cdai_category(cut["remission_below"]) == "mild"
    assert cdai_category(cut["moderate_from"]) == "moderate"
    assert cdai_category(cut["severe_above"]) == "moderate"
    assert cdai_category(cut["severe_above"] + 0.01) == "severe"
    edge = scores_module.MPDAI_POUCHITIS_FROM
    assert list(mpdai_category([edge - 1, edge])) == ["remission", "pouchitis"]


def test_cdai_components_readycalculator_breakdown():
    """The component summary printed by readycalculator.com (see the worked example above):
    8, 5, 7, 20, 30, 0, 42, 5."""
    parts = scores_module.cdai_components(**CDAI_PATIENT)
    assert list(parts.columns) == [
        "liquid_stools_7d",
        "abdominal_pain_7d",
        "wellbeing_7d",
        "complications",
        "antidiarrheal",
        "abdominal_mass",
        "hematocrit_term",
        "weight_term",
    ]
    assert parts.iloc[0].tolist() == pytest.approx([8, 5, 7, 20, 30, 0, 42, 5])
    assert parts.index.tolist() == [0]


def test_cdai_components_sum_to_cdai_row_by_row_with_floors_and_series_index():
    arguments = {
        name: pd.Series(values, index=[f"p{i}" for i in range(N_ROWS)]) for name, values in VECTORS["cdai"].items()
    }
    for floors in [{}, {"floor_hematocrit_term": True, "floor_weight_term": -10}]:
        parts = scores_module.cdai_components(**arguments, **floors)
        assert parts.index.equals(arguments["sex"].index)
        np.testing.assert_allclose(parts.sum(axis=1), cdai(**arguments, **floors))


def test_cdai_components_validate_like_cdai():
    with raises_for("wellbeing_7d"):
        scores_module.cdai_components(**with_(CDAI_PATIENT, wellbeing_7d=29))


def test_cdai_items_describe_every_component_and_flag_the_diary_sums():
    items = scores_module.cdai_items()
    parts = scores_module.cdai_components(**CDAI_PATIENT)
    assert items.index.tolist() == parts.columns.tolist()
    # Best 1976: stools, pain and well-being are the 7-day diary sums; nothing else is
    assert items.index[items["needs_diary"]].tolist() == ["liquid_stools_7d", "abdominal_pain_7d", "wellbeing_7d"]
    assert items.loc["liquid_stools_7d", "points"].startswith("2 ")
    assert items.loc["antidiarrheal", "points"].startswith("30 ")
    assert "47% men, 42% women" in items.loc["hematocrit_term", "item"]


def test_cdai_bands_match_cdai_category():
    bands = scores_module.cdai_bands()
    assert bands["category"].tolist() == ["remission", "mild", "moderate", "severe"]
    assert bands["rule"].tolist() == ["CDAI < 150", "150 \u2264 CDAI < 220", "220 \u2264 CDAI \u2264 450", "CDAI > 450"]
    # every band's interior and each finite edge fall where the band table says
    for band in bands.itertuples():
        lo = band.lower if np.isfinite(band.lower) else band.upper - 100
        hi = band.upper if np.isfinite(band.upper) else band.lower + 100
        assert cdai_category((lo + hi) / 2) == band.category
        if np.isfinite(band.lower):
            assert cdai_category(band.lower) in (band.category, bands["category"][band.Index - 1])
        if np.isfinite(band.upper):
            inside = cdai_category(band.upper) == band.category
            assert inside == band.includes_upper


def test_index_cutoffs_lists_each_index_in_order_of_activity():
    table = scores_module.index_cutoffs()
    by_index = table.groupby("index", sort=False)["category"].apply(list).to_dict()
    assert by_index == {
        "CDAI": ["remission", "mild", "moderate", "severe"],
        "Harvey-Bradshaw": ["remission", "mild", "moderate", "severe"],
        "modified Truelove-Witts": ["inactive", "mild", "moderate", "severe"],
        "Lichtiger": ["(no bands)"],
        "mPDAI": ["remission", "pouchitis"],
    }
    rule = table.set_index(["index", "category"])["rule"]
    assert rule["mPDAI", "pouchitis"] == "mPDAI \u2265 5"
    assert "> 90/min" in rule["modified Truelove-Witts", "severe"]
    assert "< 20 mm/h" in rule["modified Truelove-Witts", "mild"]


@pytest.mark.parametrize(
    ("stools", "usual", "points"),
    [(4, 4, 0), (2, 4, 0), (5, 4, 1), (6, 4, 1), (7, 4, 2), (25, 4, 2), (12, 10, 1), (12, 9, 2)],
)
def test_mpdai_stool_frequency_points(stools, usual, points):
    """Hand-built from the PDAI item: usual 0, one to two more 1, three or more more 2."""
    assert scores_module.mpdai_stool_frequency_points(stools_per_day=stools, usual_stools_per_day=usual) == points


def test_mpdai_stool_frequency_points_vectorised_and_validated():
    usual = pd.Series([0, 10, 11], index=["a", "b", "c"])
    result = scores_module.mpdai_stool_frequency_points(stools_per_day=12, usual_stools_per_day=usual)
    assert result.to_dict() == {"a": 2.0, "b": 1.0, "c": 1.0}
    with raises_for("usual_stools_per_day"):
        scores_module.mpdai_stool_frequency_points(stools_per_day=3, usual_stools_per_day=-1)


def test_mpdai_item_maxima_split_into_clinical_and_endoscopic_halves():
    """Shen 2003 / the PDAI table: clinical items worth up to 6, six endoscopic items 1 each."""
    item_max = scores_module.MPDAI_ITEM_MAX
    endoscopic = set(scores_module.MPDAI_ENDOSCOPIC_ITEMS)
    assert set(item_max) == set(MPDAI_PATIENT)
    assert sum(v for k, v in item_max.items() if k not in endoscopic) == 6
    assert sum(item_max[k] for k in endoscopic) == 6
    assert mpdai(**item_max) == scores_module.MPDAI_RANGE[1]
    with raises_for("stool_frequency"):
        mpdai(**with_(item_max, stool_frequency=item_max["stool_frequency"] + 1))
