"""Coverage of the paper's numbers: every numeral and number word of the Abstract, Methods,
Results and Discussion is covered by a claim of the ledger or by a stated reason it is not one.

The paper's extracted text is not part of the compendium (it lives beside it, in
``../shared/paper/``); these functions take the text as an argument. Sections are found by
the first words of their first paragraph, tables and their footnotes are left out (their cells
are data, transcribed into data/), and a number is covered when it lies inside the span of a
claim's quote (each part between ' ... ' found in the text) or of a NOT_CLAIMS passage.
"""

from __future__ import annotations

import re

import pandas as pd

#: Where each section starts: (section, the first words of its first paragraph). Each ends
#: where the next begins; the Discussion runs to the end.
SECTION_STARTS = [
    ("Abstract", "Background: This study aimed"),
    ("Introduction", "The medical management of patients with refractory"),
    ("Methods", "Patients and Design"),
    ("Results", "Seven male and 12 female patients"),
    ("Discussion", "The clinical management of IBD involves"),
]
#: The sections whose every number must be covered (issue #12).
COVERED_SECTIONS = ("Abstract", "Methods", "Results", "Discussion")

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred half halves third thirds "
    "quarter quarters fifth fifths once twice"
).split()
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(\d+(?:\.\d+)?|(?:"
    + "|".join(NUMBER_WORDS)
    + r")(?:-(?:"
    + "|".join(NUMBER_WORDS)
    + r"))?)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
#: Lines of a table (title, header, footnotes, rows) rather than prose.
_TABLE_LINE = re.compile(r"^(Table\s\d\.|Patient[A-Z]|\s+\d\. |\s+•|\s+\*|\s*$|\d{1,2}(?:[A-Z]|\d|\s[FM]))")

#: Numbers that are not claims: (section, a passage of the text, the token in it, the reason).
NOT_CLAIMS = [
    (
        "Abstract",
        "including azathioprine, 6-mercaptopurine, and infliximab",
        "6",
        "a drug's name (6-mercaptopurine), not a quantity",
    ),
    ("Abstract", "(Inflamm Bowel Dis 2007)", "2007", "the journal and year of publication"),
    ("Methods", "Crohn's disease activity index (CDAI)13", "13", "a reference number"),
    ("Methods", "modified Truelove-Witts score14", "14", "a reference number"),
    ("Methods", "(mPDAI)15 for the pouchitis patient", "15", "a reference number"),
    ("Methods", "no response.16", "16", "a reference number"),
    (
        "Methods",
        "at one specialist gastroenterological institution",
        "one",
        "the design (a single centre), not a quantity the data could check",
    ),
    (
        "Methods",
        "defined as one of: clinical remission",
        "one",
        "'one of' the categories of a definition, not a quantity",
    ),
    ("Methods", "failed therapy with azathioprine, 6-mercaptopurine", "6", "a drug's name (6-mercaptopurine)"),
    ("Results", "Patient details are shown in Table 1", "1", "a table label"),
    (
        "Results",
        "immunomodulators including azathioprine, 6-mercaptopurine (6-MP)",
        "6",
        "a drug's name (6-mercaptopurine, 6-MP)",
    ),
    ("Results", "as shown in Table 2", "2", "a table label"),
    ("Results", "(azathioprine or 6-mercaptopurine)", "6", "a drug's name (6-mercaptopurine)"),
    ("Results", "had failed 6-MP", "6", "a drug's name (6-MP); the count is claim tx-prev-6mp"),
    ("Results", "are shown in Table 3 and 4", "3", "a table label"),
    ("Results", "are shown in Table 3 and 4", "4", "a table label"),
    ("Results", "Individualized data are shown in Table 5", "5", "a table label"),
    (
        "Results",
        "Patient 15 had a colectomy for enterocutaneous fistula",
        "15",
        "a patient's number: the sentence names an operation and a fistula, no quantity",
    ),
    (
        "Results",
        "Patient 18 had a complex ileocolic fistula",
        "18",
        "a patient's number: the sentence names a fistula, no quantity",
    ),
    (
        "Results",
        "One patient had a temporary rise",
        "One",
        "the patient of the renal episode (Patient 11); the episode's numbers are claims renal-creatinine, renal-trough-high and renal-trough-after",
    ),
    ("Discussion", "primary sclerosing cholangitis.17, 18", "17", "a reference number"),
    ("Discussion", "primary sclerosing cholangitis.17, 18", "18", "a reference number"),
    ("Discussion", "Interleukin-2.19", "2.19", "a molecule's name (interleukin-2) run into a reference number (19)"),
    ("Discussion", "gingival hyperplasia.20", "20", "a reference number"),
    ("Discussion", "supported by earlier experience.8", "8", "a reference number"),
    ("Discussion", "by Fellerman et al,8", "8", "a reference number"),
    ("Discussion", "Baumgart et al10", "10", "a reference number"),
    ("Discussion", "73.6%).21", "21", "a reference number"),
    ("Discussion", "5-year treatment period.22", "22", "a reference number"),
    ("Discussion", "treated for 10 weeks.11", "11", "a reference number"),
    ("Discussion", "Gonzalez-Lama et al23", "23", "a reference number"),
    ("Discussion", "Lowry et al24", "24", "a reference number"),
    ("Discussion", "in the placebo group.12", "12", "a reference number"),
    ("Discussion", "This study was a retrospective one", "one", "a pronoun ('a retrospective one'), not a quantity"),
    (
        "Discussion",
        "between the two groups (tacrolimus versus azathioprine",
        "two",
        "the two arms of the cited trial, named by the claim lit-tac-vs-aza",
    ),
]

#: The values of number words (a compound such as "two-thirds" has the values of its parts).
WORD_VALUES = {
    **{
        w: float(i)
        for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
        )
    },
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "seventy": 70.0,
    "eighty": 80.0,
    "ninety": 90.0,
    "hundred": 100.0,
    "half": 50.0,
    "halves": 2.0,
    "third": 3.0,
    "thirds": 3.0,
    "quarter": 4.0,
    "quarters": 4.0,
    "fifth": 5.0,
    "fifths": 5.0,
    "once": 1.0,
    "twice": 2.0,
}
#: A patient's number in the text ("Patient 7", "Patients 13 and 19", "patients 15 and 16"): an identifier, not a quantity.
_PATIENT_LIST = re.compile(r"[Pp]atients?\s+(?:\d+,?\s+(?:and\s+)?)*$")


def token_values(token: str) -> set[float]:
    """The numbers a token can stand for: ``"10"`` -> {10}, ``"Twenty-eight"`` -> {28}, ``"two-thirds"`` -> {2, 3}."""
    token = token.lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return {float(token)}
    parts = token.split("-")
    if len(parts) == 2 and parts[1] in ("thirds", "third", "fifth", "fifths", "quarter", "quarters", "half"):
        return {WORD_VALUES[parts[0]], WORD_VALUES[parts[1]]}
    if len(parts) == 2:
        return {WORD_VALUES[parts[0]] + WORD_VALUES[parts[1]]}
    return {WORD_VALUES[token]}


def claim_values(reported_values: dict) -> set[float]:
    """The values a claim reports, and the patient numbers its keys name (``p15_days`` -> 15)."""
    values = {float(v) for v in reported_values.values()}
    values |= {float(m.group(1)) for k in reported_values if (m := re.match(r"^p(\d+)", k))}
    return values


def sections(text: str) -> dict[str, tuple[int, int]]:
    """The character span ``[start, end)`` of each section of the paper's text."""
    starts = []
    for name, first_words in SECTION_STARTS:
        at = text.find(first_words)
        if at < 0:
            raise ValueError(f"the paper's text has no {name} starting {first_words!r}")
        starts.append((name, at))
    return {name: (at, starts[i + 1][1] if i + 1 < len(starts) else len(text)) for i, (name, at) in enumerate(starts)}


def _prose_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, at = [], start
    for line in text[start:end].split("\n"):
        if not _TABLE_LINE.match(line):
            spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def numbers(text: str, section_names=COVERED_SECTIONS) -> pd.DataFrame:
    """Every numeral and number word of the prose of ``section_names``: section, token, start, end, context."""
    rows = []
    for name, (start, end) in sections(text).items():
        if name not in section_names:
            continue
        for s, e in _prose_spans(text, start, end):
            for m in _TOKEN.finditer(text, s, e):
                rows.append(
                    {
                        "section": name,
                        "token": m.group(0),
                        "start": m.start(),
                        "end": m.end(),
                        "context": text[max(s, m.start() - 50) : min(e, m.end() + 50)],
                    }
                )
    return pd.DataFrame(rows, columns=["section", "token", "start", "end", "context"])


def _normalise(text: str) -> str:
    return text.replace("–", "-").replace("µ", "μ").replace("\u00a0", " ")


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where each part of ``quote`` (split at ' ... ') stands in ``text`` (every occurrence)."""
    plain = _normalise(text)
    spans = []
    for part in (p.strip() for p in _normalise(quote).split("...")):
        if not part:
            continue
        spans += [(m.start(), m.start() + len(part)) for m in re.finditer(re.escape(part), plain)]
    return spans


def coverage(text: str, ledger: pd.DataFrame, *, not_claims=NOT_CLAIMS) -> pd.DataFrame:
    """Each number of the covered sections with what covers it (``covered_by``; '' when nothing does).

    A claim covers a number that stands inside its quote and whose value the claim reports
    (a number quoted but not reported is not covered). A patient's number ("Patients 13 and
    19") is an identifier, covered by the quote alone. NOT_CLAIMS covers its token inside its
    passage.
    """
    found = numbers(text)
    plain = _normalise(text)
    spans = []
    for claim_id, quote, reported_values in zip(
        ledger["claim_id"], ledger["quote"], ledger["reported_values"], strict=True
    ):
        spans += [(s, e, claim_id, claim_values(reported_values)) for s, e in quote_spans(text, quote)]
    exceptions = [
        (s, e, token.lower(), f"not a claim: {reason}")
        for _, passage, token, reason in not_claims
        for s, e in quote_spans(text, passage)
    ]
    covered = []
    for row in found.itertuples():
        identifier = bool(_PATIENT_LIST.search(plain[max(0, row.start - 40) : row.start]))
        values = token_values(row.token)
        labels = {c for s, e, c, vals in spans if s <= row.start and row.end <= e and (identifier or values & vals)}
        labels |= {
            label for s, e, token, label in exceptions if s <= row.start and row.end <= e and token == row.token.lower()
        }
        covered.append("; ".join(sorted(labels)))
    found["covered_by"] = covered
    return found
