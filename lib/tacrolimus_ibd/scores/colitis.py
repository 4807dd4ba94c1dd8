"""Ulcerative colitis activity: modified Truelove-Witts grading (BMJ 1955; ECCO 2008) and the Lichtiger index (NEJM 1994)."""

from __future__ import annotations

import numpy as np

from .arguments import argument_layout, check_plausible, check_scale, wrap_result

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
    layout = argument_layout(
        stools_per_day=stools_per_day,
        blood_in_stool=blood_in_stool,
        pulse_bpm=pulse_bpm,
        temperature_c=temperature_c,
        hemoglobin_g_dl=hemoglobin_g_dl,
        esr_mm_h=esr_mm_h,
    )
    normal = check_scale("normal_stools_per_day", normal_stools_per_day, 0, 3)
    if normal.ndim:
        raise ValueError("normal_stools_per_day must be a single number")
    stools = check_scale("stools_per_day", stools_per_day, 0, np.inf)
    bloody = check_scale("blood_in_stool", blood_in_stool, 0, 1).astype(bool)
    pulse = check_plausible("pulse_bpm", pulse_bpm)
    temperature = check_plausible("temperature_c", temperature_c)
    hemoglobin = check_plausible("hemoglobin_g_dl", hemoglobin_g_dl)
    esr = check_plausible("esr_mm_h", esr_mm_h)

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
    return wrap_result(grade, layout, "truelove_witts")


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
    layout = argument_layout(
        stools_per_day=stools_per_day,
        nocturnal_diarrhea=nocturnal_diarrhea,
        visible_blood_pct=visible_blood_pct,
        fecal_incontinence=fecal_incontinence,
        abdominal_pain=abdominal_pain,
        wellbeing=wellbeing,
        abdominal_tenderness=abdominal_tenderness,
        antidiarrheal=antidiarrheal,
    )
    stools = check_scale("stools_per_day", stools_per_day, 0, np.inf)
    blood_pct = check_scale("visible_blood_pct", visible_blood_pct, 0, 100, integer=False)
    # band lower edges 3, 5, 7, 10 stools -> 1, 2, 3, 4 points
    diarrhea_points = np.digitize(stools, [3, 5, 7, 10]).astype(float)
    blood_points = np.select([blood_pct == 0, blood_pct < 50, blood_pct < 100], [0.0, 1.0, 2.0], 3.0)
    total = (
        diarrhea_points
        + check_scale("nocturnal_diarrhea", nocturnal_diarrhea, 0, 1)
        + blood_points
        + check_scale("fecal_incontinence", fecal_incontinence, 0, 1)
        + check_scale("abdominal_pain", abdominal_pain, 0, 3)
        + check_scale("wellbeing", wellbeing, 0, 5)
        + check_scale("abdominal_tenderness", abdominal_tenderness, 0, 3)
        + check_scale("antidiarrheal", antidiarrheal, 0, 1)
    )
    return wrap_result(total, layout, "lichtiger")
