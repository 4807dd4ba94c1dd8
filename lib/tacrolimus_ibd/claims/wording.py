"""The words of a check's note when a cohort is set beside the paper rather than audited.

A check (``claims.checks``) writes its note for the paper's audit: "reported 12, data give 128",
a reading marked "(discrepancy)" or "(reproduced)", "not computable: ...". On a cohort that is
not the paper's transcription those words would read as verdicts on the paper, which they are
not (issue #13 item 1): ``comparison_note`` says the same facts as a comparison.
"""

from __future__ import annotations

import re

from .ledger import STATUSES

_STATUS_WORDS = "|".join(re.escape(s.replace("_", " ")) for s in STATUSES)

#: (pattern, replacement), applied in order.
_COMPARISON_WORDING = (
    # "male: reported 7, data give 79" -> "male: the paper reported 7, this cohort gives 79"
    (re.compile(r"(?<![\w'])reported (\S+?), data give "), r"the paper reported \1, this cohort gives "),
    (re.compile(r"\b(?:the )?data give\b"), "this cohort gives"),
    # A reading's verdict in parentheses: "(discrepancy)", "(reproduced)".
    (re.compile(rf" ?\((?:{_STATUS_WORDS})\)"), ""),
    # "(tx-prev-aza, reproduced by Table 2's 17/19)": another claim's verdict.
    (re.compile(r"\breproduced by\b"), "as given by"),
    # "reading (b) all 200 patients: not computable: the 26 patients ..."
    (re.compile(r"\bnot computable\b"), "cannot be computed from this cohort"),
    # The week-4 checks say where the paper's responses come from; a cohort's come from its own facts.
    (re.compile(r"\bfrom the text \(Table 3 is lost\)"), "from the cohort's patient facts"),
    # Where the paper's per-patient facts come from its Results, a cohort's come from its facts table.
    (re.compile(r"\bthe Results' stop days\b"), "the stop days of the patient facts"),
    (re.compile(r"\bdays in the Results\b"), "days in the patient facts"),
    (re.compile(r"\(Results text\)"), "(patient facts)"),
    (re.compile(r"\bfrom the Results text\b"), "from the patient facts"),
    # A check's verdict phrases, as a side-by-side: "6/7 is not 2/3" -> "6/7 where the paper says 2/3".
    (re.compile(r"\b(\d+/\d+(?: = [\d.]+%)?) is not (?=[\w\d])"), r"\1 where the paper says "),
    (re.compile(r" at (\d+) decimals, not (\S+?)(?=;|$)"), r" at \1 decimals, where the paper prints \2"),
    (
        re.compile(r"(-?[\d.]+) prints as \S+ \(half-up\) or \S+ \(truncation\) at [^,;]*, where the paper prints "),
        r"this cohort gives \1, where the paper prints ",
    ),
    # A printing convention that makes the cohort's figure print as the paper's: both, side by side.
    (
        re.compile(r"\b(\w+): (-?[\d.]+) prints as (-?[\d.]+) (?:only by truncation )?\([^)]*\)"),
        r"\1: the paper reported \3, this cohort gives \2",
    ),
    (re.compile(r"\bnot (?:published|recorded) for no patient\b"), "recorded for every patient"),
    (re.compile(r"\bpatients none\b"), "no patient"),
    (
        re.compile(r"\bno summary of Table 5 gives the (\w+) (\S+) \("),
        r"the paper's \1 \2 beside Table 5's summaries (",
    ),
    (re.compile(r"\blies below the reported range\b"), "lies below the paper's range"),
    (re.compile(r"(?<=: )agrees(?=;|$)"), "gives the paper's figure"),
    (
        re.compile(r"\bimproved \+ unchanged = (\S+) exceeds the (\d+) CD patients\b"),
        r"the paper's improved + unchanged = \1, this cohort's \2 CD patients",
    ),
    # The paper's sentence, named as the paper's; a count of the cohort's facts in plain words.
    (re.compile(r"\(the sentence's scope: its counts add up to (\d+)\)"), r"(the paper's sentence counts \1)"),
    (re.compile(r"\ball (\d+) patients \(the sentence's denominator\) (\d+)"), r"all \1 patients: \2"),
    (re.compile(r"\bthe Results' list\b"), "the paper's Results' list"),
    (re.compile(r"\bTable 4 plus the text\b"), "Table 4 plus the patient facts"),
    (re.compile(r"(?<=from the cohort's patient facts: )(\d+) stated\b"), r"\1 recorded"),
    # What the paper does not publish, a cohort's data do not record.
    (re.compile(r"\bnot published\b"), "not recorded"),
    (re.compile(r"\bwithout published levels\b"), "without recorded levels"),
    (re.compile(r"\bfollow-up is published for\b"), "follow-up is recorded for"),
    (re.compile(r"\bno mPDAI published\b"), "no mPDAI recorded"),
)


def comparison_note(note: str) -> str:
    """A check's note worded as a comparison of this cohort with the paper: no verdict words."""
    for pattern, replacement in _COMPARISON_WORDING:
        note = pattern.sub(replacement, note)
    return note
