"""Disease-activity indices for inflammatory bowel disease (IBD).

Indices and their sources:

* :func:`cdai`, :func:`cdai_category` -- Crohn's Disease Activity Index.
  Best WR, Becktel JM, Singleton JW, Kern F. Gastroenterology 1976;70:439-444.
* :func:`harvey_bradshaw`, :func:`harvey_bradshaw_category` -- Harvey-Bradshaw index.
  Harvey RF, Bradshaw JM. A simple index of Crohn's-disease activity. Lancet 1980;1:514.
* :func:`truelove_witts` -- modified Truelove & Witts severity grading of ulcerative colitis.
  Truelove SC, Witts LJ. BMJ 1955;2:1041-1048, in the modified table of the ECCO consensus
  (Stange EF, Travis SPL, et al. J Crohns Colitis 2008;2:1-23).
* :func:`lichtiger` -- Lichtiger clinical activity index (0-21) for severe ulcerative colitis.
  Lichtiger S, Present DH, et al. N Engl J Med 1994;330:1841-1845.
* :func:`mpdai`, :func:`mpdai_category` -- modified Pouchitis Disease Activity Index.
  Shen B, Achkar JP, et al. Dis Colon Rectum 2003;46:748-753.

Each function's docstring says where its item wording and cut-offs were checked (the public
pages named there); published implementations disagree in places, and the docstrings say how.

Conventions shared by every function:

* Arguments are keyword-only and named for the clinical variable, with units in the name.
* Every argument accepts a scalar or an array-like (list, numpy array, pandas Series).
  Scalars broadcast against arrays; arrays must all have the same shape. A scalar-only call
  returns a Python scalar (``float`` for scores, ``str`` for categories); otherwise a numpy
  array, or a pandas Series carrying the index when any argument is a Series (every Series
  argument must then share that index, so rows can never be silently misaligned).
* Impossible input raises ``ValueError`` whose message starts with the argument's name:
  a value off the item's scale, a non-integer count, a missing (None/NaN) value, an unknown
  sex, or mismatched lengths. Laboratory and vital-sign arguments also carry wide
  physiological-plausibility limits (``_PLAUSIBLE``), chosen here to catch unit errors such as
  haemoglobin in g/L, temperature in Fahrenheit or haematocrit as a fraction.
* Computation is vectorised with numpy; there is no per-row Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

__all__ = [
    "cdai",
    "cdai_category",
    "cdai_components",
    "cdai_items",
    "cdai_bands",
    "index_cutoffs",
    "mpdai_stool_frequency_points",
    "CDAI_CUTOFFS",
    "CDAI_WEIGHTS",
    "CDAI_HEMATOCRIT",
    "HARVEY_BRADSHAW_CUTOFFS",
    "TRUELOVE_WITTS_SEVERE",
    "TRUELOVE_WITTS_MILD",
    "TRUELOVE_WITTS_NORMAL_STOOLS_PER_DAY",
    "MPDAI_POUCHITIS_FROM",
    "MPDAI_RANGE",
    "MPDAI_STOOL_EXCESS_POINTS_FROM",
    "MPDAI_ITEM_MAX",
    "MPDAI_ENDOSCOPIC_ITEMS",
    "LICHTIGER_RANGE",
    "harvey_bradshaw",
    "harvey_bradshaw_category",
    "truelove_witts",
    "lichtiger",
    "mpdai",
    "mpdai_category",
]

# Plausibility limits (inclusive) for measured quantities. They are not part of any index:
# they only reject values no living adult can have, which in practice are unit errors.
_PLAUSIBLE = {
    "hematocrit_pct": (10.0, 75.0),  # a fraction (0.42) instead of a percentage fails
    "weight_kg": (1.0, 500.0),
    "standard_weight_kg": (1.0, 500.0),
    "pulse_bpm": (20.0, 300.0),
    "temperature_c": (30.0, 45.0),  # Fahrenheit (98.6) fails
    "hemoglobin_g_dl": (2.0, 25.0),  # g/L (115) fails
    "esr_mm_h": (0.0, 200.0),  # a Westergren tube is 200 mm long
}

# --------------------------------------------------------------------------- weights and cut-offs
# Every weight and cut-off used by the functions below, in one place, so that notebooks and
# figures show the very numbers the functions use. Sources are in each function's docstring.

#: CDAI item weights (Best et al. 1976): points per unit of each item.
CDAI_WEIGHTS = {
    "liquid_stools_7d": 2.0,
    "abdominal_pain_7d": 5.0,
    "wellbeing_7d": 7.0,
    "complications": 20.0,
    "antidiarrheal": 30.0,
    "abdominal_mass": 10.0,
}
#: CDAI haematocrit term: ``points_per_pct`` x (sex's reference - haematocrit %).
CDAI_HEMATOCRIT = {"points_per_pct": 6.0, "reference_pct_male": 47.0, "reference_pct_female": 42.0}
#: CDAI weight term: ``CDAI_WEIGHT_TERM_SCALE`` x (1 - weight / standard weight).
CDAI_WEIGHT_TERM_SCALE = 100.0

#: CDAI bands (see :func:`cdai_category`): remission below ``remission_below``; mild up to
#: (not including) ``moderate_from``; moderate up to and including ``severe_above``; severe above.
CDAI_CUTOFFS = {"remission_below": 150.0, "moderate_from": 220.0, "severe_above": 450.0}

#: Harvey-Bradshaw bands (see :func:`harvey_bradshaw_category`): remission below
#: ``remission_below``; mild up to ``mild_up_to``; moderate up to ``moderate_up_to``; severe above.
HARVEY_BRADSHAW_CUTOFFS = {"remission_below": 5, "mild_up_to": 7, "moderate_up_to": 16}

#: Modified Truelove-Witts "severe": at least ``bloody_stools_per_day_from`` stools a day with
#: blood and at least one systemic sign beyond these strict limits (see :func:`truelove_witts`).
TRUELOVE_WITTS_SEVERE = {
    "bloody_stools_per_day_from": 6,
    "pulse_bpm_above": 90.0,
    "temperature_c_above": 37.8,
    "hemoglobin_g_dl_below": 10.5,
    "esr_mm_h_above": 30.0,
}
#: Modified Truelove-Witts "mild": fewer than ``stools_per_day_below`` stools a day and every
#: value inside these strict limits (see :func:`truelove_witts`).
TRUELOVE_WITTS_MILD = {
    "stools_per_day_below": 4,
    "pulse_bpm_below": 90.0,
    "temperature_c_below": 37.5,
    "hemoglobin_g_dl_above": 11.5,
    "esr_mm_h_below": 20.0,
}
#: Default highest stool frequency counted as normal for "inactive" (this library's choice,
#: not a published threshold; see :func:`truelove_witts`).
TRUELOVE_WITTS_NORMAL_STOOLS_PER_DAY = 2

#: Lichtiger index: best and worst possible totals (Lichtiger et al. 1994); it has no bands.
LICHTIGER_RANGE = (0, 21)

#: mPDAI stool-frequency item: 1 point from this many stools a day above the patient's usual
#: post-operative frequency, 2 points from the second (see :func:`mpdai_stool_frequency_points`).
MPDAI_STOOL_EXCESS_POINTS_FROM = (1, 3)
#: mPDAI items and their maximum points (see :func:`mpdai`): four clinical, then the six
#: endoscopic items listed in ``MPDAI_ENDOSCOPIC_ITEMS``.
MPDAI_ITEM_MAX = {
    "stool_frequency": 2,
    "rectal_bleeding": 1,
    "urgency_or_cramps": 2,
    "fever": 1,
    "edema": 1,
    "granularity": 1,
    "friability": 1,
    "loss_of_vascular_pattern": 1,
    "mucous_exudate": 1,
    "ulceration": 1,
}
MPDAI_ENDOSCOPIC_ITEMS = (
    "edema",
    "granularity",
    "friability",
    "loss_of_vascular_pattern",
    "mucous_exudate",
    "ulceration",
)
#: mPDAI: pouchitis at or above this score (Shen et al. 2003).
MPDAI_POUCHITIS_FROM = 5
#: mPDAI scale: best and worst possible totals.
MPDAI_RANGE = (0, 12)


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class _Layout:
    """Common shape of the non-scalar arguments, and the index of any Series among them."""

    shape: tuple[int, ...]
    index: pd.Index | None


def _layout(**arguments: object) -> _Layout:
    shape: tuple[int, ...] = ()
    shape_owner = None
    index = None
    index_owner = None
    for name, values in arguments.items():
        if isinstance(values, pd.Series):
            if index is None:
                index, index_owner = values.index, name
            elif not values.index.equals(index):
                raise ValueError(f"{name} has a different index from {index_owner}")
        this_shape = np.shape(values)
        if this_shape == ():
            continue
        if shape_owner is None:
            shape, shape_owner = this_shape, name
        elif this_shape != shape:
            raise ValueError(f"{name} has shape {this_shape}, which does not match {shape_owner} {shape}")
    return _Layout(shape, index)


def _wrap(result: np.ndarray, layout: _Layout, name: str) -> object:
    """Give ``result`` the caller's form: Python scalar, numpy array or indexed Series."""
    result = np.broadcast_to(result, layout.shape)
    if layout.shape == ():
        return result.item()
    if layout.index is not None:
        return pd.Series(np.array(result), index=layout.index, name=name)
    return np.array(result)


def _to_float(name: str, values: object) -> np.ndarray:
    try:
        if isinstance(values, pd.Series):
            # nullable pandas dtypes hold pd.NA, which numpy cannot cast without na_value
            return values.to_numpy(dtype=float, na_value=np.nan)
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric; got {values!r}") from error


def _check_scale(name: str, values: object, lo: float, hi: float, *, integer: bool = True) -> np.ndarray:
    """Return ``values`` as floats after checking every one is present and in [lo, hi]."""
    array = _to_float(name, values)
    if np.isnan(array).any():
        raise ValueError(f"{name} has a missing (NaN/None) value; every value is required")
    outside = (array < lo) | (array > hi)
    if outside.any():
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {kind} in [{lo:g}, {hi:g}]; got {array[outside][0]:g}")
    if integer:
        fractional = array != np.floor(array)
        if fractional.any():
            raise ValueError(f"{name} must be a whole number; got {array[fractional][0]:g}")
    return array


def _check_choices(name: str, values: object, allowed: tuple[float, ...]) -> np.ndarray:
    array = _check_scale(name, values, min(allowed), max(allowed))
    unknown = ~np.isin(array, allowed)
    if unknown.any():
        raise ValueError(f"{name} must be one of {allowed}; got {array[unknown][0]:g}")
    return array


def _check_plausible(name: str, values: object) -> np.ndarray:
    lo, hi = _PLAUSIBLE[name]
    return _check_scale(name, values, lo, hi, integer=False)


def _check_sex(name: str, values: object) -> np.ndarray:
    """Return a boolean array, True for "M"; every value must be "M" or "F"."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object, na_value=None)
    array = np.asarray(values)
    if array.dtype.kind not in "UO":
        raise ValueError(f'{name} must be "M" or "F"; got {values!r}')
    try:
        is_male = array == "M"
        is_female = array == "F"
    except TypeError as error:  # e.g. pd.NA inside a plain list
        raise ValueError(f'{name} must be "M" or "F" with no missing values') from error
    unknown = ~(is_male | is_female)
    if np.any(unknown):
        raise ValueError(f'{name} must be "M" or "F"; got {array[unknown].tolist()[0]!r}')
    return np.asarray(is_male)


# --------------------------------------------------------------------------- Crohn's disease


def _cdai_terms(
    *,
    liquid_stools_7d,
    abdominal_pain_7d,
    wellbeing_7d,
    complications,
    antidiarrheal,
    abdominal_mass,
    hematocrit_pct,
    sex,
    weight_kg,
    standard_weight_kg,
    floor_hematocrit_term,
    floor_weight_term,
) -> tuple[_Layout, dict[str, np.ndarray]]:
    """Validate the CDAI arguments and return each item's points (see :func:`cdai`)."""
    layout = _layout(
        liquid_stools_7d=liquid_stools_7d,
        abdominal_pain_7d=abdominal_pain_7d,
        wellbeing_7d=wellbeing_7d,
        complications=complications,
        antidiarrheal=antidiarrheal,
        abdominal_mass=abdominal_mass,
        hematocrit_pct=hematocrit_pct,
        sex=sex,
        weight_kg=weight_kg,
        standard_weight_kg=standard_weight_kg,
    )
    if not isinstance(floor_hematocrit_term, bool | np.bool_):
        raise ValueError(f"floor_hematocrit_term must be True or False; got {floor_hematocrit_term!r}")
    if floor_weight_term is not None and (
        isinstance(floor_weight_term, bool | np.bool_)
        or not isinstance(floor_weight_term, Real)
        or not -100 <= floor_weight_term <= 0
    ):
        raise ValueError(f"floor_weight_term must be None or a number in [-100, 0]; got {floor_weight_term!r}")

    stools = _check_scale("liquid_stools_7d", liquid_stools_7d, 0, np.inf)
    pain = _check_scale("abdominal_pain_7d", abdominal_pain_7d, 0, 21)
    wellbeing = _check_scale("wellbeing_7d", wellbeing_7d, 0, 28)
    n_complications = _check_scale("complications", complications, 0, 6)
    on_antidiarrheal = _check_scale("antidiarrheal", antidiarrheal, 0, 1)
    mass = _check_choices("abdominal_mass", abdominal_mass, (0, 2, 5))
    hematocrit = _check_plausible("hematocrit_pct", hematocrit_pct)
    is_male = _check_sex("sex", sex)
    weight = _check_plausible("weight_kg", weight_kg)
    standard_weight = _check_plausible("standard_weight_kg", standard_weight_kg)

    reference = np.where(is_male, CDAI_HEMATOCRIT["reference_pct_male"], CDAI_HEMATOCRIT["reference_pct_female"])
    hematocrit_term = CDAI_HEMATOCRIT["points_per_pct"] * (reference - hematocrit)
    if floor_hematocrit_term:
        hematocrit_term = np.maximum(hematocrit_term, 0.0)
    weight_term = CDAI_WEIGHT_TERM_SCALE * (1.0 - weight / standard_weight)
    if floor_weight_term is not None:
        weight_term = np.maximum(weight_term, float(floor_weight_term))

    terms = {
        "liquid_stools_7d": CDAI_WEIGHTS["liquid_stools_7d"] * stools,
        "abdominal_pain_7d": CDAI_WEIGHTS["abdominal_pain_7d"] * pain,
        "wellbeing_7d": CDAI_WEIGHTS["wellbeing_7d"] * wellbeing,
        "complications": CDAI_WEIGHTS["complications"] * n_complications,
        "antidiarrheal": CDAI_WEIGHTS["antidiarrheal"] * on_antidiarrheal,
        "abdominal_mass": CDAI_WEIGHTS["abdominal_mass"] * mass,
        "hematocrit_term": hematocrit_term,
        "weight_term": weight_term,
    }
    return layout, terms


def cdai(
    *,
    liquid_stools_7d,
    abdominal_pain_7d,
    wellbeing_7d,
    complications,
    antidiarrheal,
    abdominal_mass,
    hematocrit_pct,
    sex,
    weight_kg,
    standard_weight_kg,
    floor_hematocrit_term: bool = False,
    floor_weight_term: float | None = None,
):
    """Crohn's Disease Activity Index (CDAI), unrounded.

    Source: Best WR, Becktel JM, Singleton JW, Kern F. Development of a Crohn's disease
    activity index. Gastroenterology 1976;70:439-444. Item wording and weights checked against
    igibdscores.it/en/info-cdai.html, merckmanuals.com/medical-calculators/CDAI.htm and the
    CDAI table of Wang et al. (wjgnet.com, World J Gastrointest Pharmacol Ther 2016;7:5).

    Arguments (all required; scalars or array-likes):

    ``liquid_stools_7d``
        Number of liquid or very soft stools, summed over the 7 days before the visit.
        Integer >= 0. Weight x2.
    ``abdominal_pain_7d``
        Sum of 7 daily ratings, each 0 none, 1 mild, 2 moderate, 3 severe: integer 0-21. x5.
    ``wellbeing_7d``
        Sum of 7 daily ratings, each 0 generally well, 1 slightly under par, 2 poor,
        3 very poor, 4 terrible: integer 0-28. x7.
    ``complications``
        How many of these six categories are present, integer 0-6 (x20): arthritis or
        arthralgia; iritis or uveitis; erythema nodosum, pyoderma gangrenosum or aphthous
        stomatitis; anal fissure, fistula or abscess; other fistula; fever > 37.8 C (100 F)
        during the past week.
    ``antidiarrheal``
        Taking diphenoxylate (Lomotil) or opiates for diarrhoea (later forms, e.g. Merck's,
        add loperamide): bool or 0/1. x30.
    ``abdominal_mass``
        0 none, 2 questionable, 5 definite. x10.
    ``hematocrit_pct``, ``sex``
        Haematocrit in percent (plausibility limits 10-75) and sex "M" or "F". The term is
        6 x (47 - Hct) for men and 6 x (42 - Hct) for women.
    ``weight_kg``, ``standard_weight_kg``
        Body weight and standard (ideal) weight in kg (plausibility limits 1-500). The term
        is 100 x (1 - weight/standard weight), the percentage below standard weight, x1.
        The caller chooses the standard: Best et al. used standard-weight tables; the
        igibdscores.it calculator uses height(m)^2 x 22.1 (men) or x 20.8 (women).

    Floors (published implementations disagree):

    ``floor_hematocrit_term``
        Best's formula adds the haematocrit term with its sign, so a haematocrit above the
        reference lowers the score (the default, ``False``). Forms that ask only "haematocrit
        < 47% (men) / < 42% (women)?", e.g. globalrph.com/newcalcs/cdai.htm, in effect
        floor the term at 0: pass ``True`` for that.
    ``floor_weight_term``
        ``None`` (default) keeps Best's signed weight term: weight above standard subtracts,
        as globalrph.com states. A number (<= 0) floors the term there: readycalculator.com
        floors at 0 ("use 0 if weight >= ideal"); several trial worksheets floor at -10,
        and igibdscores.it caps an "excessive negative change" (its stated cap was not
        legible in the copy consulted).

    Returns the total as a float (not rounded), or an array/Series of them. Weights are the
    module constants ``CDAI_WEIGHTS``, ``CDAI_HEMATOCRIT`` and ``CDAI_WEIGHT_TERM_SCALE``;
    :func:`cdai_components` gives each item's points separately.
    """
    layout, terms = _cdai_terms(
        liquid_stools_7d=liquid_stools_7d,
        abdominal_pain_7d=abdominal_pain_7d,
        wellbeing_7d=wellbeing_7d,
        complications=complications,
        antidiarrheal=antidiarrheal,
        abdominal_mass=abdominal_mass,
        hematocrit_pct=hematocrit_pct,
        sex=sex,
        weight_kg=weight_kg,
        standard_weight_kg=standard_weight_kg,
        floor_hematocrit_term=floor_hematocrit_term,
        floor_weight_term=floor_weight_term,
    )
    total = sum(terms.values())  # added in the order above, the order of Best's table
    return _wrap(total, layout, "cdai")


def cdai_category(score):
    """Activity band of a CDAI score: "remission", "mild", "moderate" or "severe".

    ``score``: a CDAI total (any finite number; weight gain and a high haematocrit can make
    it negative).

    Bands: remission < 150; mild 150 to < 220; moderate 220 to 450; severe > 450 (the
    module constant ``CDAI_CUTOFFS``; :func:`cdai_bands` tabulates them).
    The 150 and 450 cut-offs are Best et al. 1976, whose abstract reads "values of 150 and
    below are associated with quiescent disease ... values above 450 are seen with extremely
    severe disease" -- so Best counts exactly 150 as quiescent, whereas the convention used
    here (and by readycalculator.com, codingace.net and most trials) puts 150 in "mild".
    The 220 split is convention, not Best's: Merck's calculator instead uses 150-220 /
    221-450 / 451-1100. Unrounded scores between the integer bands (e.g. 219.5) fall in the
    lower band.
    """
    layout = _layout(score=score)
    value = _check_scale("score", score, -np.inf, np.inf, integer=False)
    if np.isinf(value).any():
        raise ValueError("score must be finite")
    band = np.select(
        [
            value < CDAI_CUTOFFS["remission_below"],
            value < CDAI_CUTOFFS["moderate_from"],
            value <= CDAI_CUTOFFS["severe_above"],
        ],
        ["remission", "mild", "moderate"],
        "severe",
    )
    return _wrap(band, layout, "cdai_category")


def cdai_components(
    *,
    liquid_stools_7d,
    abdominal_pain_7d,
    wellbeing_7d,
    complications,
    antidiarrheal,
    abdominal_mass,
    hematocrit_pct,
    sex,
    weight_kg,
    standard_weight_kg,
    floor_hematocrit_term: bool = False,
    floor_weight_term: float | None = None,
) -> pd.DataFrame:
    """Each CDAI item's points, one column per item, one row per patient.

    Same arguments, validation and floors as :func:`cdai` (Best et al. 1976), whose total is
    the row sum. Columns, in the order of Best's table: ``liquid_stools_7d``,
    ``abdominal_pain_7d``, ``wellbeing_7d``, ``complications``, ``antidiarrheal``,
    ``abdominal_mass`` (each item's value times its weight), ``hematocrit_term`` and
    ``weight_term`` (signed unless floored). :func:`cdai_items` describes each column.

    The index is the index of any Series argument, otherwise 0..n-1 (a single row for
    scalar arguments).
    """
    layout, terms = _cdai_terms(
        liquid_stools_7d=liquid_stools_7d,
        abdominal_pain_7d=abdominal_pain_7d,
        wellbeing_7d=wellbeing_7d,
        complications=complications,
        antidiarrheal=antidiarrheal,
        abdominal_mass=abdominal_mass,
        hematocrit_pct=hematocrit_pct,
        sex=sex,
        weight_kg=weight_kg,
        standard_weight_kg=standard_weight_kg,
        floor_hematocrit_term=floor_hematocrit_term,
        floor_weight_term=floor_weight_term,
    )
    if len(layout.shape) > 1:
        raise ValueError(f"liquid_stools_7d and the others must be 1-dimensional; got {layout.shape}")
    n_rows = layout.shape[0] if layout.shape else 1
    index = layout.index if layout.index is not None else pd.RangeIndex(n_rows)
    columns = {name: np.broadcast_to(points, (n_rows,)) for name, points in terms.items()}
    return pd.DataFrame(columns, index=index)


def cdai_items() -> pd.DataFrame:
    """What each CDAI item (a column of :func:`cdai_components`) records, and where from.

    Best et al. (1976) built the CDAI on a patient diary: three items are sums of daily
    entries over the 7 days before the visit, the rest are taken at the visit. Columns:

    ``item``          what is recorded;
    ``arguments``     the :func:`cdai` arguments it uses;
    ``points``        how it scores (from ``CDAI_WEIGHTS``, ``CDAI_HEMATOCRIT`` and
                      ``CDAI_WEIGHT_TERM_SCALE``, so it always matches the computation);
    ``recorded``      when: daily for 7 days, or at the visit;
    ``source``        where a retrospective reviewer would have to find it;
    ``needs_diary``   True for the three 7-day diary sums.

    Indexed by component name (the columns of :func:`cdai_components`).
    """
    w, hct = CDAI_WEIGHTS, CDAI_HEMATOCRIT
    diary = "daily, for the 7 days before the visit"
    visit = "at the visit"
    rows = [
        (
            "liquid_stools_7d",
            "liquid or very soft stools",
            "liquid_stools_7d",
            f"{w['liquid_stools_7d']:g} per stool",
            diary,
            "patient diary",
            True,
        ),
        (
            "abdominal_pain_7d",
            "abdominal pain, rated none/mild/moderate/severe each day",
            "abdominal_pain_7d",
            f"{w['abdominal_pain_7d']:g} per rating point",
            diary,
            "patient diary",
            True,
        ),
        (
            "wellbeing_7d",
            "general well-being, rated generally well to terrible each day",
            "wellbeing_7d",
            f"{w['wellbeing_7d']:g} per rating point",
            diary,
            "patient diary",
            True,
        ),
        (
            "complications",
            "complications: joints, eyes, skin or mouth, perianal disease, other fistula, fever in the past week",
            "complications",
            f"{w['complications']:g} per category present",
            visit,
            "history and examination in the case notes",
            False,
        ),
        (
            "antidiarrheal",
            "opiate or diphenoxylate for diarrhoea",
            "antidiarrheal",
            f"{w['antidiarrheal']:g} if taken",
            visit,
            "drug chart or prescription",
            False,
        ),
        (
            "abdominal_mass",
            "abdominal mass: none, questionable or definite",
            "abdominal_mass",
            f"{w['abdominal_mass']:g} per point of the 0/2/5 rating",
            visit,
            "examination in the case notes",
            False,
        ),
        (
            "hematocrit_term",
            "haematocrit below the sex reference "
            f"({hct['reference_pct_male']:g}% men, {hct['reference_pct_female']:g}% women)",
            "hematocrit_pct, sex",
            f"{hct['points_per_pct']:g} per percentage point",
            visit,
            "full blood count",
            False,
        ),
        (
            "weight_term",
            "body weight below standard weight",
            "weight_kg, standard_weight_kg",
            f"{CDAI_WEIGHT_TERM_SCALE / 100:g} per percent below",
            visit,
            "weighing, and height for a standard-weight table",
            False,
        ),
    ]
    columns = ["component", "item", "arguments", "points", "recorded", "source", "needs_diary"]
    return pd.DataFrame(rows, columns=columns).set_index("component")


def cdai_bands() -> pd.DataFrame:
    """The CDAI activity bands of :func:`cdai_category` as a table, from ``CDAI_CUTOFFS``.

    Columns ``category``, ``lower``, ``upper`` (points; -inf and inf at the open ends),
    ``includes_upper`` (whether a score equal to ``upper`` belongs to the band) and ``rule``
    (the band as text). Sources and conventions: :func:`cdai_category`.
    """
    low, mid, high = (
        CDAI_CUTOFFS["remission_below"],
        CDAI_CUTOFFS["moderate_from"],
        CDAI_CUTOFFS["severe_above"],
    )
    rows = [
        ("remission", -np.inf, low, False, f"CDAI < {low:g}"),
        ("mild", low, mid, False, f"{low:g} \u2264 CDAI < {mid:g}"),
        ("moderate", mid, high, True, f"{mid:g} \u2264 CDAI \u2264 {high:g}"),
        ("severe", high, np.inf, False, f"CDAI > {high:g}"),
    ]
    return pd.DataFrame(rows, columns=["category", "lower", "upper", "includes_upper", "rule"])


def harvey_bradshaw(*, wellbeing, abdominal_pain, liquid_stools, abdominal_mass, complications):
    """Harvey-Bradshaw index (HBI): the unweighted sum of five items.

    Source: Harvey RF, Bradshaw JM. A simple index of Crohn's-disease activity. Lancet
    1980;1:514. Items checked against igibdscores.it/en/info-hbi.html, badgut.org
    ("Assessing IBD") and globalrph.com/newcalcs/HarveyBradshawIndex.htm. (Some online
    calculators, e.g. calculator.academy, double the pain and stool items; the Lancet index
    does not weight items, and neither do the three sources above.)

    ``wellbeing``
        General well-being on the previous day: 0 very well, 1 slightly below par, 2 poor,
        3 very poor, 4 terrible (integer 0-4).
    ``abdominal_pain``
        Previous day: 0 none, 1 mild, 2 moderate, 3 severe (integer 0-3).
    ``liquid_stools``
        Number of liquid or soft stools on the previous day, 1 point each (integer >= 0).
    ``abdominal_mass``
        0 none, 1 dubious, 2 definite, 3 definite and tender (integer 0-3).
    ``complications``
        How many of these eight are present, 1 point each (integer 0-8): arthralgia,
        uveitis, erythema nodosum, aphthous ulcers, pyoderma gangrenosum, anal fissure,
        new fistula, abscess.

    Returns the total as a float, or an array/Series of them.
    """
    layout = _layout(
        wellbeing=wellbeing,
        abdominal_pain=abdominal_pain,
        liquid_stools=liquid_stools,
        abdominal_mass=abdominal_mass,
        complications=complications,
    )
    total = (
        _check_scale("wellbeing", wellbeing, 0, 4)
        + _check_scale("abdominal_pain", abdominal_pain, 0, 3)
        + _check_scale("liquid_stools", liquid_stools, 0, np.inf)
        + _check_scale("abdominal_mass", abdominal_mass, 0, 3)
        + _check_scale("complications", complications, 0, 8)
    )
    return _wrap(total, layout, "harvey_bradshaw")


def harvey_bradshaw_category(score):
    """Activity band of an HBI score: "remission" (< 5), "mild" (5-7), "moderate" (8-16)
    or "severe" (> 16).

    ``score``: an HBI total, integer >= 0.

    Bands as tabulated by igibdscores.it/en/info-hbi.html (citing Sandborn WJ et al.,
    Gastroenterology 2002;122:512-530, and the British Columbia HBI worksheet) and by
    badgut.org; Harvey & Bradshaw's letter itself gave no bands.
    """
    layout = _layout(score=score)
    value = _check_scale("score", score, 0, np.inf)
    band = np.select(
        [
            value < HARVEY_BRADSHAW_CUTOFFS["remission_below"],
            value <= HARVEY_BRADSHAW_CUTOFFS["mild_up_to"],
            value <= HARVEY_BRADSHAW_CUTOFFS["moderate_up_to"],
        ],
        ["remission", "mild", "moderate"],
        "severe",
    )
    return _wrap(band, layout, "harvey_bradshaw_category")


# --------------------------------------------------------------------------- ulcerative colitis


def truelove_witts(
    *,
    stools_per_day,
    blood_in_stool,
    pulse_bpm,
    temperature_c,
    hemoglobin_g_dl,
    esr_mm_h,
    normal_stools_per_day: int = TRUELOVE_WITTS_NORMAL_STOOLS_PER_DAY,
):
    """Modified Truelove & Witts grading: "inactive", "mild", "moderate" or "severe".

    Source: Truelove SC, Witts LJ. Cortisone in ulcerative colitis; final report on a
    therapeutic trial. BMJ 1955;2:1041-1048, as modified in the ECCO consensus table (Stange
    EF, Travis SPL, et al. J Crohns Colitis 2008;2:1-23). Thresholds checked against that
    table as reproduced in Postgrad Med J ("Disease activity in ulcerative colitis, adapted
    from Truelove and Witts", pmj.bmj.com) and Clin Med (rcpjournals.org, Table 1).

    Arguments:

    ``stools_per_day``   number of stools in 24 h, integer >= 0.
    ``blood_in_stool``   visible blood in the stool, bool or 0/1. Graded bleeding is not
                         used: the modified criteria need only presence (severe requires
                         bloody stools; mild allows "small amounts of blood").
    ``pulse_bpm``        heart rate, beats/min (plausibility 20-300).
    ``temperature_c``    body temperature, degrees C (plausibility 30-45).
    ``hemoglobin_g_dl``  haemoglobin, g/dL (plausibility 2-25; g/L values are rejected).
    ``esr_mm_h``         erythrocyte sedimentation rate, mm/h (0-200).
    ``normal_stools_per_day``  the highest stool frequency counted as normal for "inactive"
                         (integer 0-3, default 2; see below).

    Grades, tested in this order:

    severe
        >= 6 stools a day with blood AND at least one systemic sign: pulse > 90,
        temperature > 37.8, haemoglobin < 10.5, ESR > 30.
    inactive
        no blood, stools <= ``normal_stools_per_day``, and the mild grade's normal vital
        signs and laboratory values (below).
    mild
        < 4 stools a day, with or without blood, and no systemic toxicity: pulse < 90,
        temperature < 37.5, haemoglobin > 11.5, ESR < 20 (the "mild" column of the ECCO table).
    moderate
        everything else ("in between mild and severe"), e.g. 4-5 stools, or < 4 stools with
        one value outside the mild limits, or >= 6 stools without blood or without a
        systemic sign.

    Where the sources are vague, and what is done here:

    * Neither Truelove & Witts' grading nor the ECCO table has an "inactive" row. The
      definition above is this library's, built from the Travis et al. remission criteria
      (no rectal bleeding, normal stool frequency; medicalalgorithms.com, "Criteria of
      Travis et al for clinical remission") and the ACG activity index's remission column
      (formed stools, no blood; medicalcriteria.com). "Normal frequency" is patient-specific;
      two a day is this library's default, not a published threshold.
    * Values exactly on a limit (pulse 90, temperature 37.5-37.8, haemoglobin 10.5-11.5,
      ESR 20-30) are neither mild nor severe, so they grade "moderate".
    * CRP (> 30 mg/L severe in the ECCO table) is not used. Haemoglobin limits are not
      sex-specific in the table. Published variants differ: e.g. the R package cliot uses
      temperature > 37.5 and haemoglobin <= 10.5 for severe.
    """
    layout = _layout(
        stools_per_day=stools_per_day,
        blood_in_stool=blood_in_stool,
        pulse_bpm=pulse_bpm,
        temperature_c=temperature_c,
        hemoglobin_g_dl=hemoglobin_g_dl,
        esr_mm_h=esr_mm_h,
    )
    normal = _check_scale("normal_stools_per_day", normal_stools_per_day, 0, 3)
    if normal.ndim:
        raise ValueError("normal_stools_per_day must be a single number")
    stools = _check_scale("stools_per_day", stools_per_day, 0, np.inf)
    bloody = _check_scale("blood_in_stool", blood_in_stool, 0, 1).astype(bool)
    pulse = _check_plausible("pulse_bpm", pulse_bpm)
    temperature = _check_plausible("temperature_c", temperature_c)
    hemoglobin = _check_plausible("hemoglobin_g_dl", hemoglobin_g_dl)
    esr = _check_plausible("esr_mm_h", esr_mm_h)

    sev, mil = TRUELOVE_WITTS_SEVERE, TRUELOVE_WITTS_MILD
    systemic_sign = (
        (pulse > sev["pulse_bpm_above"])
        | (temperature > sev["temperature_c_above"])
        | (hemoglobin < sev["hemoglobin_g_dl_below"])
        | (esr > sev["esr_mm_h_above"])
    )
    no_toxicity = (
        (pulse < mil["pulse_bpm_below"])
        & (temperature < mil["temperature_c_below"])
        & (hemoglobin > mil["hemoglobin_g_dl_above"])
        & (esr < mil["esr_mm_h_below"])
    )
    severe = (stools >= sev["bloody_stools_per_day_from"]) & bloody & systemic_sign
    mild = (stools < mil["stools_per_day_below"]) & no_toxicity
    inactive = mild & ~bloody & (stools <= normal)
    grade = np.select([severe, inactive, mild], ["severe", "inactive", "mild"], "moderate")
    return _wrap(grade, layout, "truelove_witts")


def lichtiger(
    *,
    stools_per_day,
    nocturnal_diarrhea,
    visible_blood_pct,
    fecal_incontinence,
    abdominal_pain,
    wellbeing,
    abdominal_tenderness,
    antidiarrheal,
):
    """Lichtiger clinical activity index, 0 (no symptoms) to 21 (severe symptoms).

    Source: Lichtiger S, Present DH, Kornbluth A, et al. Cyclosporine in severe ulcerative
    colitis refractory to steroid therapy. N Engl J Med 1994;330:1841-1845 (the 0-21 range is
    stated in its abstract). Item points checked against a French reproduction of the table
    (9lib.net).

    Readers often call this index the "modified Truelove-Witts severity index" (MTWSI),
    e.g. the index list at abdominalkey.com. It is a different instrument from
    :func:`truelove_witts`: Lichtiger sums eight symptom and examination items into a 0-21
    score with no laboratory values or vital signs, whereas the (modified) Truelove-Witts
    criteria assign a grade (mild/moderate/severe) from bloody stool frequency plus pulse,
    temperature, haemoglobin and ESR.

    Raw clinical quantities are taken where natural; the other items are taken as points:

    ``stools_per_day``         stools in 24 h, integer >= 0: 0-2 -> 0, 3-4 -> 1, 5-6 -> 2,
                               7-9 -> 3, >= 10 -> 4 points.
    ``nocturnal_diarrhea``     bool or 0/1 point.
    ``visible_blood_pct``      percentage of bowel movements with visible blood, 0-100:
                               0 -> 0, under 50 -> 1, 50 up to under 100 -> 2, 100 -> 3 points.
                               (Reproductions print the middle bands as "<50%" and ">50%",
                               leaving exactly 50% unassigned; it scores 2 here.)
    ``fecal_incontinence``     bool or 0/1 point.
    ``abdominal_pain``         points 0 none, 1 mild, 2 moderate, 3 severe (integer 0-3).
    ``wellbeing``              general well-being points 0 perfect, 1 very good, 2 good,
                               3 average, 4 poor, 5 terrible (integer 0-5).
    ``abdominal_tenderness``   points 0 none, 1 mild and localised, 2 mild to moderate and
                               diffuse, 3 severe or rebound (integer 0-3).
    ``antidiarrheal``          need for antidiarrhoeal drugs, bool or 0/1 point.

    Returns the total as a float, or an array/Series of them.
    """
    layout = _layout(
        stools_per_day=stools_per_day,
        nocturnal_diarrhea=nocturnal_diarrhea,
        visible_blood_pct=visible_blood_pct,
        fecal_incontinence=fecal_incontinence,
        abdominal_pain=abdominal_pain,
        wellbeing=wellbeing,
        abdominal_tenderness=abdominal_tenderness,
        antidiarrheal=antidiarrheal,
    )
    stools = _check_scale("stools_per_day", stools_per_day, 0, np.inf)
    blood_pct = _check_scale("visible_blood_pct", visible_blood_pct, 0, 100, integer=False)
    # band lower edges 3, 5, 7, 10 stools -> 1, 2, 3, 4 points
    diarrhea_points = np.digitize(stools, [3, 5, 7, 10]).astype(float)
    blood_points = np.select([blood_pct == 0, blood_pct < 50, blood_pct < 100], [0.0, 1.0, 2.0], 3.0)
    total = (
        diarrhea_points
        + _check_scale("nocturnal_diarrhea", nocturnal_diarrhea, 0, 1)
        + blood_points
        + _check_scale("fecal_incontinence", fecal_incontinence, 0, 1)
        + _check_scale("abdominal_pain", abdominal_pain, 0, 3)
        + _check_scale("wellbeing", wellbeing, 0, 5)
        + _check_scale("abdominal_tenderness", abdominal_tenderness, 0, 3)
        + _check_scale("antidiarrheal", antidiarrheal, 0, 1)
    )
    return _wrap(total, layout, "lichtiger")


# --------------------------------------------------------------------------- pouchitis


def mpdai(
    *,
    stool_frequency,
    rectal_bleeding,
    urgency_or_cramps,
    fever,
    edema,
    granularity,
    friability,
    loss_of_vascular_pattern,
    mucous_exudate,
    ulceration,
):
    """Modified Pouchitis Disease Activity Index (mPDAI), 0-12.

    Source: Shen B, Achkar JP, Connor JT, et al. Modified pouchitis disease activity index:
    a simplified approach to the diagnosis of pouchitis. Dis Colon Rectum 2003;46:748-753.
    The mPDAI is the PDAI (Sandborn WJ et al. Mayo Clin Proc 1994;69:409-415) without its
    histology items. Item points checked against the PDAI table in the BSG guidelines
    (gut.bmj.com, "Pouchitis Disease Activity Index", Table 6).

    Each argument is the item's points:

    Clinical (0-6)
        ``stool_frequency``  0 usual post-operative frequency, 1 one to two stools a day more,
                             2 three or more a day more (integer 0-2).
        ``rectal_bleeding``  0 absent or rare, 1 present daily (0-1).
        ``urgency_or_cramps`` 0 absent, 1 occasional, 2 usual (integer 0-2).
        ``fever``            temperature > 37.8 C (100.5 F): 0 absent, 1 present (0-1).
    Endoscopic (0-6), 1 point each if present (bool or 0/1)
        ``edema``, ``granularity``, ``friability``, ``loss_of_vascular_pattern``,
        ``mucous_exudate``, ``ulceration``.

    Returns the total as a float, or an array/Series of them.
    """
    values_by_item = {
        "stool_frequency": stool_frequency,
        "rectal_bleeding": rectal_bleeding,
        "urgency_or_cramps": urgency_or_cramps,
        "fever": fever,
        "edema": edema,
        "granularity": granularity,
        "friability": friability,
        "loss_of_vascular_pattern": loss_of_vascular_pattern,
        "mucous_exudate": mucous_exudate,
        "ulceration": ulceration,
    }
    items = {name: (values, MPDAI_ITEM_MAX[name]) for name, values in values_by_item.items()}
    layout = _layout(**{name: values for name, (values, _) in items.items()})
    total = sum(_check_scale(name, values, 0, top) for name, (values, top) in items.items())
    return _wrap(total, layout, "mpdai")


def mpdai_category(score):
    """ "pouchitis" for an mPDAI score >= 5, otherwise "remission".

    ``score``: an mPDAI total, integer 0-12. The >= 5 diagnostic cut-off is Shen et al.
    2003 (see :func:`mpdai`).
    """
    layout = _layout(score=score)
    value = _check_scale("score", score, *MPDAI_RANGE)
    label = np.where(value >= MPDAI_POUCHITIS_FROM, "pouchitis", "remission")
    return _wrap(label, layout, "mpdai_category")


def mpdai_stool_frequency_points(*, stools_per_day, usual_stools_per_day):
    """Points of the mPDAI stool-frequency item from stool counts (integer 0-2).

    Source: the PDAI (Sandborn WJ et al. Mayo Clin Proc 1994;69:409-415), kept unchanged in
    the mPDAI (Shen et al. 2003): 0 for the usual post-operative frequency, 1 for one to two
    stools a day more than usual, 2 for three or more a day more (``MPDAI_STOOL_EXCESS_POINTS_FROM``).
    Fewer stools than usual score 0.

    ``stools_per_day``        current stools in 24 h, integer >= 0.
    ``usual_stools_per_day``  the patient's usual post-operative frequency, integer >= 0.
    """
    layout = _layout(stools_per_day=stools_per_day, usual_stools_per_day=usual_stools_per_day)
    stools = _check_scale("stools_per_day", stools_per_day, 0, np.inf)
    usual = _check_scale("usual_stools_per_day", usual_stools_per_day, 0, np.inf)
    points = np.digitize(stools - usual, MPDAI_STOOL_EXCESS_POINTS_FROM).astype(float)
    return _wrap(points, layout, "mpdai_stool_frequency_points")


def index_cutoffs() -> pd.DataFrame:
    """Every category rule of this module's indices, as text built from the module constants.

    Columns ``index``, ``category`` and ``rule``; one row per category, in order of activity.
    The rules are those the category functions apply (:func:`cdai_category`,
    :func:`harvey_bradshaw_category`, :func:`truelove_witts`, :func:`mpdai_category`; their
    docstrings give the sources). The Lichtiger index has no bands: its row gives its range.
    """
    hbi, sev, mil = HARVEY_BRADSHAW_CUTOFFS, TRUELOVE_WITTS_SEVERE, TRUELOVE_WITTS_MILD
    mild_limits = (
        f"pulse < {mil['pulse_bpm_below']:g}/min, temperature < {mil['temperature_c_below']:g} \u00b0C, "
        f"haemoglobin > {mil['hemoglobin_g_dl_above']:g} g/dL, ESR < {mil['esr_mm_h_below']:g} mm/h"
    )
    tw = "modified Truelove-Witts"
    rows = [("CDAI", band.category, band.rule) for band in cdai_bands().itertuples()]
    rows += [
        ("Harvey-Bradshaw", "remission", f"HBI < {hbi['remission_below']}"),
        ("Harvey-Bradshaw", "mild", f"{hbi['remission_below']} \u2264 HBI \u2264 {hbi['mild_up_to']}"),
        ("Harvey-Bradshaw", "moderate", f"{hbi['mild_up_to']} < HBI \u2264 {hbi['moderate_up_to']}"),
        ("Harvey-Bradshaw", "severe", f"HBI > {hbi['moderate_up_to']}"),
        (
            tw,
            "inactive",
            f"no blood, \u2264 {TRUELOVE_WITTS_NORMAL_STOOLS_PER_DAY} stools a day (default 'normal'), "
            f"and every mild limit: {mild_limits}",
        ),
        (tw, "mild", f"< {mil['stools_per_day_below']} stools a day and all of: {mild_limits}"),
        (tw, "moderate", "neither mild nor severe"),
        (
            tw,
            "severe",
            f"\u2265 {sev['bloody_stools_per_day_from']} bloody stools a day and at least one of: "
            f"pulse > {sev['pulse_bpm_above']:g}/min, temperature > {sev['temperature_c_above']:g} \u00b0C, "
            f"haemoglobin < {sev['hemoglobin_g_dl_below']:g} g/dL, ESR > {sev['esr_mm_h_above']:g} mm/h",
        ),
        ("Lichtiger", "(no bands)", f"total from {LICHTIGER_RANGE[0]} (no symptoms) to {LICHTIGER_RANGE[1]} (severe)"),
        ("mPDAI", "remission", f"mPDAI < {MPDAI_POUCHITIS_FROM} (scale {MPDAI_RANGE[0]}-{MPDAI_RANGE[1]})"),
        ("mPDAI", "pouchitis", f"mPDAI \u2265 {MPDAI_POUCHITIS_FROM}"),
    ]
    return pd.DataFrame(rows, columns=["index", "category", "rule"])
