"""The audit: run every claim's check under every admissible reading and assign its verdict.

Five statuses (``ledger.STATUSES``):

* ``reproduced``: the data (or, for another study, its own figures in ``data/paper/literature.csv``)
  give the reported value as printed (``agreement.agreement``: half-up or truncation, at the
  printed precision or the table's step);
* ``discrepancy``: the data or the arithmetic contradict the statement under the reading the
  note names, after the simpler explanations were tried (printing conventions, the subgroup
  of the paragraph, the denominators the paper uses elsewhere, what a referent points back
  to, non-exhaustive wording); each gets a ``grade`` (``ledger.GRADES``);
* ``ambiguous``: the sentence admits more than one reasonable reading and the readings give
  different verdicts; the note names each reading and its result;
* ``circular``: the value that decides the claim was inferred from this sentence, or from one
  it restates (the ledger's ``restates``), so the sentence agrees with itself, not with data;
* ``not_computable``: the data needed are not published; the note says what would be needed.

Cells whose transcription needed judgement have their admissible readings in
``data/readings.csv``. Each claim is evaluated under the default reading (the one the tables
hold) and under each alternative, one cell at a time; ``holds_under_all_readings`` is False
when an alternative changes the status, and the note names that reading. A discrepancy that
holds only under the default reading is graded ``transcription-dependent``.

The audit is a verdict on the paper, so it runs on the paper's own transcription only: the
cohort whose dictionary declares the name the paper's package gives it (``paper.Paper.transcribes``).
On any other cohort, ``compare`` sets the cohort's figures beside the paper's reported ones,
with no status: a comparison, not a verdict. It leaves out the claims about other studies
(the same on every cohort) and those that name the paper's own patients by number (a patient
of another cohort is not that patient).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..data import cohort_from_tables, cohort_name, load_tables
from ..paper import Paper, load_paper
from ..readme import read_block, rewrite_block
from .checks import CHECKS, Evidence, Verdict
from .checks.base import patient_key
from .ledger import AUDIT_COLUMNS, AUDIT_FILE, GRADES, README_MARKERS, STATUSES, THEMES, load_readings
from .wording import comparison_note

#: The comparison of another cohort with the paper (``compare``): what each column holds.
COMPARISON_COLUMNS = ["claim_id", "section", "theme", "quote", "the paper reported", "this cohort", "note"]
#: Columns of the claims a comparison leaves out, with the reason.
NOT_COMPARED_COLUMNS = ["claim_id", "section", "theme", "quote", "reason"]
COMPARISON_FILE = "claims_comparison.csv"
#: A claim about the paper's own patients by number ("Patient 7", "patients 15 and 16" in its
#: quote, or a reported key such as ``p15_days``): not comparable on another cohort.
NAMES_A_PATIENT = re.compile(r"[Pp]atients?\s+\d")
PATIENT_KEY = re.compile(r"^p\d+(?:_|$)")
#: The theme of the claims about other studies (checked against their own figures, whatever the cohort).
OTHER_STUDIES = "other studies"


class NotTheTranscription(ValueError):
    """The audit of the paper's claims was asked of a cohort that is not the paper's transcription."""


def _typed(value: str, column: pd.Series):
    if value == "":
        return None
    if pd.api.types.is_bool_dtype(column):
        return value == "true"
    if pd.api.types.is_numeric_dtype(column):
        return float(value)
    return value


def apply_reading(tables: dict[str, pd.DataFrame], rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A copy of ``tables`` with the cells of one reading (rows of ``data/readings.csv``) set.

    A wide table's ``field`` is a column, set in the patient's row. For ``table2_treatments``
    (one row per patient, timing and drug) the field is ``drug:<drug>`` and the value the
    timings, ';'-separated: that patient's rows of the drug are replaced.
    """
    tables = dict(tables)
    for row in rows.itertuples(index=False):
        table = tables[row.resource].copy()
        pid = int(row.patient_id)
        if row.field.startswith("drug:"):
            drug = row.field.removeprefix("drug:")
            mine = (table["patient_id"] == pid) & (table["drug"] == drug)
            if not mine.any():
                raise KeyError(
                    f"readings.csv: cell {row.cell_id} names {drug} for patient {pid}, which {row.resource} does not hold"
                )
            template = table[mine].iloc[0]
            new = [{**template.to_dict(), "timing": timing} for timing in row.value.split(";") if timing]
            table = pd.concat([table[~mine], pd.DataFrame(new, columns=table.columns)], ignore_index=True)
        else:
            if row.field not in table.columns:
                raise KeyError(f"readings.csv: {row.resource} has no column {row.field!r}")
            table.loc[table["patient_id"] == pid, row.field] = _typed(row.value, table[row.field])
        tables[row.resource] = table
    return tables


#: How a note begins when the check could not run on the cohort it was given.
CHECK_FAILED = "this cohort lacks what the check reads"


#: What a check reads besides named tables: the joined cohort (``Evidence.cohort``).
_COHORT = "cohort"


class _ReadLog(dict):
    """The tables, noting in ``reads`` the name of every table read; listing them counts as
    reading every one."""

    def __init__(self, tables: dict[str, pd.DataFrame], reads: set[str]):
        super().__init__(tables)
        self.reads = reads

    def __getitem__(self, name):
        self.reads.add(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self.reads.add(name)
        return super().get(name, default)

    def __contains__(self, name):
        self.reads.add(name)
        return super().__contains__(name)

    def _all(self):
        self.reads.update(super().keys())

    def __iter__(self):
        self._all()
        return super().__iter__()

    def keys(self):
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def items(self):
        self._all()
        return super().items()

    def copy(self):
        self._all()
        return dict(super().items())


class _TracedEvidence(Evidence):
    """Evidence whose tables are a _ReadLog and whose reads of the cohort are noted there too."""

    def __getattribute__(self, name):
        if name == "cohort":
            object.__getattribute__(self, "tables").reads.add(_COHORT)
        return object.__getattribute__(self, name)


def _run_checks(
    ledger: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    literature: pd.DataFrame,
    *,
    cohort: pd.DataFrame | None = None,
    reads: dict[str, set[str]] | None = None,
    comparison: bool = False,
) -> dict[str, Verdict]:
    """Every claim's verdict on ``tables``; with ``reads`` given, each check's reads (the tables
    it read, and ``_COHORT``) are noted there by claim."""
    cohort = cohort_from_tables(tables) if cohort is None else cohort
    evidence = Evidence(tables, cohort, literature, comparison)
    verdicts = {}
    for claim in ledger.itertuples(index=False):
        if reads is not None:
            reads[claim.claim_id] = set()
            evidence = _TracedEvidence(_ReadLog(tables, reads[claim.claim_id]), cohort, literature, comparison)
        if claim.check:
            if claim.check not in CHECKS:
                raise KeyError(f"claims.csv: claim {claim.claim_id} names unknown check {claim.check!r}")
            try:
                verdicts[claim.claim_id] = CHECKS[claim.check](evidence, claim.reported_values)
            except (KeyError, LookupError, ValueError, TypeError, ZeroDivisionError) as err:
                # Another cohort than the paper's may lack what a check of the paper reads (a patient
                # the sentence names, a group, a listed row): the claim cannot be computed on it. On
                # the paper's own cohort no check fails (tests/test_claims.py checks that no note says so).
                verdicts[claim.claim_id] = Verdict(
                    "", "not_computable", f"{CHECK_FAILED} ({type(err).__name__}: {err})"
                )
        else:
            verdicts[claim.claim_id] = Verdict("", "not_computable", claim.not_computable_reason)
    return verdicts


def _segments(evidence: str) -> list[str]:
    parts = [p.strip(" .,;()") for chunk in str(evidence).split(";") for p in chunk.split("...")]
    return [p for p in parts if len(p) >= 15]


def _plain(text: str) -> str:
    return str(text).lower().replace("μ", "u")


def fact_sources(facts: pd.DataFrame, ledger: pd.DataFrame) -> dict[tuple[int, str], set[str]]:
    """For each text fact ``(patient_id, fact)`` (stated or inferred): the claims whose quote holds its evidence.

    A fact's evidence (``text_patient_facts.evidence``) is split at ';' and '...'; a claim is a
    source when its quote contains one of those passages.
    """
    quotes = [(c, _plain(q)) for c, q in zip(ledger["claim_id"], ledger["quote"], strict=True)]
    by_evidence: dict[str, set[str]] = {}  # each distinct evidence searched once, whatever the cohort's size
    sources = {}
    for pid, fact, evidence in zip(
        facts["patient_id"].tolist(), facts["fact"].tolist(), facts["evidence"].tolist(), strict=True
    ):
        if evidence not in by_evidence:
            passages = [_plain(p) for p in _segments(evidence)]
            by_evidence[evidence] = {c for c, q in quotes if any(p in q for p in passages)}
        sources[(patient_key(pid), fact)] = set(by_evidence[evidence])
    return sources


def _circular(claim, verdict: Verdict, sources: dict, quotes: dict) -> Verdict:
    """The verdict made ``circular`` when a deciding inferred fact comes from this claim's sentence."""
    if verdict.status not in ("reproduced", "discrepancy") or not verdict.inferred:
        return verdict
    own = {claim.claim_id, *[c for c in claim.restates.split(";") if c]}
    hits = [(pid, fact, sorted(sources.get((pid, fact), set()) & own)) for pid, fact in verdict.inferred]
    hits = [(pid, fact, found) for pid, fact, found in hits if found]
    if not hits:
        return verdict
    by_source = {}
    for pid, _fact, found in hits:
        for c in found:
            by_source.setdefault(c, []).append(f"{pid}")
    named = "; ".join(
        f"{'this sentence' if c == claim.claim_id else c + ' (' + quotes[c][:60] + ('...' if len(quotes[c]) > 60 else '') + ')'} for patients {', '.join(sorted(set(p), key=int))}"
        for c, p in sorted(by_source.items())
    )
    facts = ", ".join(sorted({fact for _, fact, _ in hits}))
    note = f"circular: the deciding values ({facts}) come from the text of {named}, not from a table"
    return Verdict(
        verdict.computed,
        "circular",
        f"{note}; as computed: {verdict.status.replace('_', ' ')}" + (f"; {verdict.note}" if verdict.note else ""),
        verdict.inferred,
    )


def _reading_label(cell: str, rows: pd.DataFrame) -> str:
    values = ", ".join(f"{r.field}={r.value or 'blank'}" for r in rows.itertuples())
    return f"cell {cell} read as {values} ('{rows['as_printed'].iloc[0]}')"


def is_transcription(data_dir: str | Path | None = None, *, paper: Paper | None = None) -> bool:
    """Whether the cohort of ``data_dir`` (None: data/) declares itself the paper's transcription
    (its dictionary's ``name`` is the one the paper's package names; ``paper.Paper.transcribes``)."""
    return (paper or load_paper()).transcribes(cohort_name(data_dir))


def evaluate(
    data_dir: str | Path | None = None,
    *,
    paper: Paper | None = None,
    ledger: pd.DataFrame | None = None,
    readings: pd.DataFrame | None = None,
    only_affected: bool = True,
    claim_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Every claim's verdict under every admissible reading: the audit table (AUDIT_COLUMNS).

    ``status`` is the verdict under the default readings; ``holds_under_all_readings`` says
    whether each alternative reading of each ambiguous cell (``data/readings.csv``) leaves it
    unchanged; the note names every reading that changes it. ``paper`` (None: ``load_paper()``)
    gives the ledger and the literature table. ``data_dir`` must be the paper's transcription
    (``is_transcription``); any other cohort raises ``NotTheTranscription`` (use ``compare``).

    Under an alternative reading only the checks that read what it changes run again
    (``only_affected``; False runs every check under every reading, with the same result).
    ``claim_ids`` evaluates those claims only (their rows are those of the whole audit).
    """
    paper = paper or load_paper()
    if not is_transcription(data_dir, paper=paper):
        raise NotTheTranscription(
            f"{data_dir}: this cohort is not the paper's transcription (its datapackage.json names it "
            f"{cohort_name(data_dir)!r}, the paper's is {paper.transcription!r}): the paper's claims are audited "
            "on the paper's own data only; compare(data_dir) sets this cohort beside the paper"
        )
    tables = load_tables(data_dir)
    ledger = paper.ledger if ledger is None else ledger
    readings = load_readings(data_dir) if readings is None else readings
    sources = fact_sources(tables["text_patient_facts"], ledger)
    quotes = dict(zip(ledger["claim_id"], ledger["quote"], strict=True))
    if claim_ids is not None:  # after the sources and quotes: a circular claim may restate any other
        unknown = sorted(set(claim_ids) - set(ledger["claim_id"]))
        if unknown:
            raise KeyError(f"claims.csv has no claim {', '.join(unknown)}")
        ledger = ledger[ledger["claim_id"].isin(claim_ids)]
    claims = list(ledger.itertuples(index=False))
    by_id = ledger.set_index("claim_id", drop=False)

    def run(part: pd.DataFrame, tables_read, **traced):
        raw = _run_checks(part, tables_read, paper.literature, **traced)
        return {c.claim_id: _circular(c, raw[c.claim_id], sources, quotes) for c in part.itertuples(index=False)}

    cohort_reads: set[str] = set()
    reads: dict[str, set[str]] = {}
    default = run(ledger, tables, cohort=cohort_from_tables(_ReadLog(tables, cohort_reads)), reads=reads)
    alternatives = []
    for (cell, _reading), rows in readings[~readings["default"]].groupby(["cell_id", "reading"], sort=True):
        # A check reads its data only through Evidence: a claim none of whose reads the reading
        # changes (its tables, or the cohort when the cohort is joined from a changed table) gets
        # the verdict it has under the default reading, without running its check again.
        changed = set(rows["resource"])
        if changed & cohort_reads:
            changed.add(_COHORT)
        affected = [c.claim_id for c in claims if reads[c.claim_id] & changed] if only_affected else list(by_id.index)
        verdicts = dict(default)
        if affected:
            verdicts.update(run(by_id.loc[affected], apply_reading(tables, rows)))
        alternatives.append((_reading_label(cell, rows), verdicts))
    rows = []
    for claim in claims:
        verdict = default[claim.claim_id]
        changed = [
            (label, alt[claim.claim_id]) for label, alt in alternatives if alt[claim.claim_id].status != verdict.status
        ]
        note = verdict.note or (
            "reading: the sentence as written; the data give every reported value exactly"
            if verdict.status == "reproduced"
            else ""
        )
        if changed:
            note += ("; " if note else "") + "; ".join(
                f"under the {label}: {v.status.replace('_', ' ')}" + (f" ({v.note})" if v.note else "")
                for label, v in changed
            )
        if claim.review:
            note += ("; " if note else "") + f"Independent review: {claim.review}"
        grade = ""
        if verdict.status == "discrepancy":
            grade = "transcription-dependent" if changed else claim.grade
        rows.append(
            {
                "claim_id": claim.claim_id,
                "section": claim.section,
                "quote": claim.quote,
                "reported": claim.reported,
                "computed": verdict.computed,
                "status": verdict.status,
                "grade": grade,
                "holds_under_all_readings": not changed,
                "theme": claim.theme,
                "conclusion": claim.conclusion,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


#: Why a claim whose check reads no table of the cohort is not set beside it.
READS_NO_COHORT = (
    "checks the paper's statements against each other or against an index's scale, reading nothing of a cohort: "
    "the same on every cohort (the paper's audit)"
)


def not_compared_reason(claim) -> str:
    """Why a claim of the ledger is not set beside another cohort ("" when it is)."""
    if claim.theme == OTHER_STUDIES:
        return "about another study, checked against that study's own figures: the same on every cohort (the paper's audit)"
    if NAMES_A_PATIENT.search(claim.quote) or any(PATIENT_KEY.match(k) for k in claim.reported_values):
        return "about the paper's own patients, named by number: a patient of this cohort is not that patient"
    if not claim.check:
        return f"not computable from what the paper publishes: {claim.not_computable_reason}"
    return ""


def compare(data_dir: str | Path | None = None, *, paper: Paper | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """This cohort beside the paper: ``(comparison, not_compared)``.

    ``comparison`` (COMPARISON_COLUMNS) holds, for each claim of the ledger that a cohort can
    be set beside, what the paper reported and what this cohort gives (the claim's check, run
    on this cohort's tables, under no alternative reading), with the check's note. It carries
    no status: on a cohort that is not the paper's transcription a difference is about the
    cohort, not the paper. ``not_compared`` (NOT_COMPARED_COLUMNS) lists the other claims and
    why (``not_compared_reason``).
    """
    paper = paper or load_paper()
    tables = load_tables(data_dir)
    reasons = [not_compared_reason(c) for c in paper.ledger.itertuples(index=False)]
    reads: dict[str, set[str]] = {}
    verdicts = _run_checks(
        paper.ledger[[not r for r in reasons]], tables, paper.literature, reads=reads, comparison=True
    )
    # A check that read nothing of the cohort weighs the paper's statements against each other or
    # against an index's scale: what it gives is the paper's, whatever the cohort.
    reasons = [
        r or (READS_NO_COHORT if not reads[c] else "") for r, c in zip(reasons, paper.ledger["claim_id"], strict=True)
    ]
    compared = paper.ledger[[not r for r in reasons]]
    comparison = pd.DataFrame(
        [
            {
                "claim_id": c.claim_id,
                "section": c.section,
                "theme": c.theme,
                "quote": c.quote,
                "the paper reported": c.reported,
                "this cohort": comparison_note(verdicts[c.claim_id].computed),
                "note": comparison_note(verdicts[c.claim_id].note),
            }
            for c in compared.itertuples(index=False)
        ],
        columns=COMPARISON_COLUMNS,
    )
    left_out = paper.ledger.assign(reason=reasons)[[bool(r) for r in reasons]]
    return comparison, left_out[NOT_COMPARED_COLUMNS].reset_index(drop=True)


def write_comparison(comparison: pd.DataFrame, output_dir: str | Path | None) -> Path | None:
    """Write a comparison to ``output_dir/claims_comparison.csv`` (UTF-8, '\\n' line ends); nothing when None."""
    if output_dir is None:
        return None
    path = Path(output_dir) / COMPARISON_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    comparison[COMPARISON_COLUMNS].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def theme(claim_id: str, paper: Paper | None = None) -> str:
    """The theme of a claim (the ledger's ``theme`` column)."""
    return (paper or load_paper()).ledger.set_index("claim_id").loc[claim_id, "theme"]


def discrepancies(audit: pd.DataFrame) -> pd.DataFrame:
    """The discrepancies, substantive first (GRADES order; an ungraded one, as against another
    cohort whose ledger grades nothing, last), then by theme (THEMES order)."""
    part = audit[audit["status"] == "discrepancy"]
    rank = {g: i for i, g in enumerate(GRADES)}
    order = part["grade"].map(lambda g: rank.get(g, len(GRADES))) * 100 + part["theme"].map(
        lambda t: THEMES.index(t) if t in THEMES else len(THEMES)
    )
    return part.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")


def grade_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """Discrepancies per grade, in GRADES order (zeros kept): columns grade, claims."""
    counts = audit.loc[audit["status"] == "discrepancy", "grade"].value_counts().reindex(list(GRADES), fill_value=0)
    return pd.DataFrame({"grade": list(GRADES), "claims": counts.to_numpy().astype(int)})


def theme_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """Claims per theme (rows, THEMES order) and status (columns, STATUSES order), with a total."""
    themes = audit["theme"]
    table = pd.crosstab(
        pd.Categorical(themes, categories=THEMES),
        pd.Categorical(audit["status"], categories=list(STATUSES)),
        dropna=False,
    )
    table.index.name, table.columns.name = "theme", None
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def status_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """Claims per status, in STATUSES order (zeros kept): columns status, claims."""
    counts = audit["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return pd.DataFrame({"status": list(STATUSES), "claims": counts.to_numpy().astype(int)})


def write_audit(audit: pd.DataFrame, output_dir: str | Path | None) -> Path | None:
    """Write the audit to ``output_dir/claims.csv`` (UTF-8, '\\n' line ends); nothing when None."""
    if output_dir is None:
        return None
    path = Path(output_dir) / AUDIT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    audit[AUDIT_COLUMNS].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def readme_summary(audit: pd.DataFrame) -> str:
    """A markdown table of claims per status, the discrepancies by grade (substantive first), and a
    line saying how it was generated."""
    counts = status_counts(audit)
    lines = ["| status | claims |", "| --- | ---: |"]
    lines += [f"| {s.replace('_', ' ')} | {n} |" for s, n in zip(counts["status"], counts["claims"], strict=True)]
    lines.append(f"| **total** | **{int(counts['claims'].sum())}** |")
    lines.append("")
    grades = grade_counts(audit)
    listed = ", ".join(f"{n} {g}" for g, n in zip(grades["grade"], grades["claims"], strict=True) if n)
    held = int((~audit["holds_under_all_readings"].astype(bool)).sum())
    lines.append(
        f"Discrepancies by grade (substantive first): {listed or 'none'}. Verdicts that an admissible reading of a garbled cell would change: {held}."
    )
    lines.append("")
    for row in discrepancies(audit).itertuples():
        lines.append(f"- `{row.claim_id}` ({row.grade}): {row.quote}")
    lines.append("")
    lines.append(
        "*Generated by `tacrolimus_ibd.claims.update_readme` from `claims.evaluate()` (data/paper/claims.csv checked against data/); do not edit by hand.*"
    )
    return "\n".join(lines)


def update_readme(readme_path: str | Path, data_dir: str | Path | None = None) -> bool:
    """Rewrite the README block between README_MARKERS with ``readme_summary``; True if it changed."""
    return rewrite_block(readme_path, *README_MARKERS, readme_summary(evaluate(data_dir)))


def readme_block(readme_text: str) -> str:
    """The text between README_MARKERS, without the surrounding newlines."""
    return read_block(readme_text, *README_MARKERS)
