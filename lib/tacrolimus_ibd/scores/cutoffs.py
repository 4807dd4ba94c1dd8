"""Every index's category rules as one table, built from the indices' constants."""

from __future__ import annotations

import pandas as pd

from .colitis import LICHTIGER_RANGE, TRUELOVE_WITTS_MILD, TRUELOVE_WITTS_NORMAL_STOOLS_PER_DAY, TRUELOVE_WITTS_SEVERE
from .crohns import HARVEY_BRADSHAW_CUTOFFS, cdai_bands
from .pouchitis import MPDAI_POUCHITIS_FROM, MPDAI_RANGE


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
