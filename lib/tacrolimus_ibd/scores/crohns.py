"""Crohn's disease activity: the CDAI (Best et al. 1976) and the Harvey-Bradshaw index (Lancet 1980)."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from .arguments import Layout, argument_layout, check_choices, check_plausible, check_scale, check_sex, wrap_result

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
) -> tuple[Layout, dict[str, np.ndarray]]:
    """Validate the CDAI arguments and return each item's points (see :func:`cdai`)."""
    layout = argument_layout(
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

    stools = check_scale("liquid_stools_7d", liquid_stools_7d, 0, np.inf)
    pain = check_scale("abdominal_pain_7d", abdominal_pain_7d, 0, 21)
    wellbeing = check_scale("wellbeing_7d", wellbeing_7d, 0, 28)
    n_complications = check_scale("complications", complications, 0, 6)
    on_antidiarrheal = check_scale("antidiarrheal", antidiarrheal, 0, 1)
    mass = check_choices("abdominal_mass", abdominal_mass, (0, 2, 5))
    hematocrit = check_plausible("hematocrit_pct", hematocrit_pct)
    is_male = check_sex("sex", sex)
    weight = check_plausible("weight_kg", weight_kg)
    standard_weight = check_plausible("standard_weight_kg", standard_weight_kg)

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
    return wrap_result(total, layout, "cdai")


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
    layout = argument_layout(score=score)
    value = check_scale("score", score, -np.inf, np.inf, integer=False)
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
    return wrap_result(band, layout, "cdai_category")


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
    layout = argument_layout(
        wellbeing=wellbeing,
        abdominal_pain=abdominal_pain,
        liquid_stools=liquid_stools,
        abdominal_mass=abdominal_mass,
        complications=complications,
    )
    total = (
        check_scale("wellbeing", wellbeing, 0, 4)
        + check_scale("abdominal_pain", abdominal_pain, 0, 3)
        + check_scale("liquid_stools", liquid_stools, 0, np.inf)
        + check_scale("abdominal_mass", abdominal_mass, 0, 3)
        + check_scale("complications", complications, 0, 8)
    )
    return wrap_result(total, layout, "harvey_bradshaw")


def harvey_bradshaw_category(score):
    """Activity band of an HBI score: "remission" (< 5), "mild" (5-7), "moderate" (8-16)
    or "severe" (> 16).

    ``score``: an HBI total, integer >= 0.

    Bands as tabulated by igibdscores.it/en/info-hbi.html (citing Sandborn WJ et al.,
    Gastroenterology 2002;122:512-530, and the British Columbia HBI worksheet) and by
    badgut.org; Harvey & Bradshaw's letter itself gave no bands.
    """
    layout = argument_layout(score=score)
    value = check_scale("score", score, 0, np.inf)
    band = np.select(
        [
            value < HARVEY_BRADSHAW_CUTOFFS["remission_below"],
            value <= HARVEY_BRADSHAW_CUTOFFS["mild_up_to"],
            value <= HARVEY_BRADSHAW_CUTOFFS["moderate_up_to"],
        ],
        ["remission", "mild", "moderate"],
        "severe",
    )
    return wrap_result(band, layout, "harvey_bradshaw_category")
