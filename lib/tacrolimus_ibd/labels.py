"""Words for the library's code names: one map, read by the figures and by the reader's tables.

A column, rate, denominator or index item is named in code as an identifier
(``clopper_pearson_low``, ``per_protocol``, ``liquid_stools_7d``); a clinician reads words.
``plots`` labels every axis, tick and legend entry that shows such a name through
:func:`readable`, and the reader's edition (``report.pages``) its tables' headers and values, so
the two never say the same thing differently.
"""

from __future__ import annotations

import re

#: Code name -> words. Names not listed fall back to :func:`readable`'s rule.
LABELS = {
    # proportions and their intervals (statistics.proportion_table; literature.pool_random_effects)
    "clopper_pearson": "exact (Clopper-Pearson) interval",
    "wilson": "Wilson score interval",
    "clopper_pearson_low": "exact CI, low",
    "clopper_pearson_high": "exact CI, high",
    "wilson_low": "Wilson CI, low",
    "wilson_high": "Wilson CI, high",
    "ci_low": "CI, low",
    "ci_high": "CI, high",
    "pooled_ci_low": "pooled CI, low",
    "pooled_ci_high": "pooled CI, high",
    "n": "patients",
    "p_value": "P-value",
    "i2": "I\u00b2",
    # denominators (outcomes.DENOMINATORS; definitions in outcomes.denominator_mask)
    "intention_to_treat": "intention to treat (everyone who started tacrolimus)",
    "per_protocol": "per protocol (without stops for side effects before week 4)",
    # medium-term rates (outcomes.outcome_rates)
    "remission_end": "remission at the end of follow-up",
    "relapse_table4": "relapse (month given in Table 4)",
    "relapse_text": "relapse (named in the Results text)",
    "steroid_tapering_complete": "steroids tapered off completely",
    "fistula_complete_healing": "perianal fistula healed completely",
    "fistula_any_response": "perianal fistula improved or healed",
    "tolerated": "no adverse effect (tolerated)",
    "stopped_for_side_effects": "stopped for side effects",
    "ongoing_end_of_follow_up": "still on tacrolimus at the end of follow-up",
    # CDAI items (scores.cdai_components; Best WR et al., Gastroenterology 1976;70:439-444)
    "liquid_stools_7d": "liquid or very soft stools, 7 days",
    "abdominal_pain_7d": "abdominal pain, 7 days",
    "wellbeing_7d": "general well-being, 7 days",
    "complications": "complications",
    "antidiarrheal": "antidiarrhoeal drug use",
    "abdominal_mass": "abdominal mass",
    "hematocrit_term": "haematocrit below standard",
    "weight_term": "weight below standard",
    # how an end-of-follow-up outcome is known (cohort column outcome_end_of_follow_up_basis)
    "table4": "from Table 4",
    "inferred": "inferred from the text",
    "stated": "stated in the text",
}

#: Abbreviations kept in capitals when a name falls back to the word rule.
_UPPER = {"cd": "CD", "uc": "UC", "cdai": "CDAI", "mpdai": "mPDAI", "ci": "CI", "itt": "ITT", "id": "ID", "ids": "IDs"}

#: What a code name looks like in figure or table text: words joined by underscores.
CODE_NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")


def readable(name: str) -> str:
    """Words for a code name: ``per_protocol`` -> its entry in ``LABELS``; otherwise underscores
    become spaces with the usual abbreviations in capitals (``cd_week4`` -> ``CD week4``)."""
    if name in LABELS:
        return LABELS[name]
    if "_" not in name:
        return name
    return " ".join(_UPPER.get(word, word) for word in name.split("_"))


def yes_no(value) -> str:
    """ "yes" or "no" for a truth value (a printed True/False is a programmer's view)."""
    return "yes" if bool(value) else "no"


def counts_in_words(counts) -> str:
    """Counts by code name in words, largest first as given: ``{"table4": 17, "inferred": 1}`` ->
    "17 from Table 4, 1 inferred from the text" (a printed dict is a programmer's view)."""
    return ", ".join(f"{int(n)} {readable(str(name))}" for name, n in dict(counts).items()) or "none"


def code_names(text: str) -> list[str]:
    """The code names (identifiers with underscores) a piece of figure or table text shows."""
    return CODE_NAME.findall(text)
