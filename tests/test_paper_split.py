"""The paper apart from the cohort (issue #13 item 1): the paper's inputs are stored once in
data/paper/ and never read from a cohort folder; the audit runs on the paper's own transcription
only, recognised by the name its data dictionary declares; any other cohort gets a comparison."""

from __future__ import annotations

import json
import shutil

import pytest

from tacrolimus_ibd import claims, data, open_study
from tacrolimus_ibd.claims import audit
from tacrolimus_ibd.paper import default_paper_dir, load_paper

from .conftest import DATA_DIR, ROOT, run_synthetic_tool

SYNTHETIC = ROOT / "examples" / "synthetic_cohort"
PAPER_FILES = ("claims.csv", "literature.csv")


# Computed once for the module and only read by the tests (none mutates them): notebook 07's
# analysis on the synthetic example and on the paper's data, and the paper's audit itself.
@pytest.fixture(scope="module")
def synthetic_result() -> claims.ClaimsComparison:
    return claims.claims_audit(open_study(SYNTHETIC, style=False))


@pytest.fixture(scope="module")
def paper_result() -> claims.ClaimsAudit:
    return claims.claims_audit(open_study(DATA_DIR, style=False))


@pytest.fixture(scope="module")
def paper_audit():
    return claims.evaluate(DATA_DIR)


def test_the_paper_is_stored_once_and_in_no_cohort_folder():
    assert default_paper_dir() == DATA_DIR / "paper"
    assert all((DATA_DIR / "paper" / name).is_file() for name in PAPER_FILES)
    assert not any((DATA_DIR / name).exists() for name in PAPER_FILES)
    # The committed synthetic example holds only patient tables, their dictionary and README.
    assert not any((SYNTHETIC / name).exists() for name in (*PAPER_FILES, "readings.csv"))
    package = json.loads((SYNTHETIC / "datapackage.json").read_text(encoding="utf-8"))
    assert all("patient_id" in {f["name"] for f in res["schema"]["fields"]} for res in package["resources"])


def test_the_transcription_is_the_cohort_that_declares_the_papers_name(tmp_path):
    paper = load_paper()
    assert paper.transcription == data.cohort_name(DATA_DIR)
    assert open_study(DATA_DIR, style=False).is_transcription
    assert not open_study(SYNTHETIC, style=False).is_transcription
    # The same tables under another name are another cohort: compared, not audited.
    renamed = tmp_path / "renamed"
    shutil.copytree(DATA_DIR, renamed, ignore=shutil.ignore_patterns("paper"))
    package = json.loads((renamed / "datapackage.json").read_text(encoding="utf-8"))
    package["name"] = "another-centre"
    (renamed / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    assert not claims.is_transcription(renamed)
    with pytest.raises(claims.NotTheTranscription, match="not the paper's transcription"):
        claims.evaluate(renamed)


def test_a_stray_claims_csv_in_a_cohort_folder_is_not_read(tmp_path):
    cohort = tmp_path / "cohort"
    shutil.copytree(SYNTHETIC, cohort)
    (cohort / "claims.csv").write_text("claim_id,reported\ncohort-n,CD=999\n", encoding="utf-8")
    (cohort / "literature.csv").write_text("not,the,paper's\n", encoding="utf-8")
    assert data.validate_data_dir(cohort) == []
    study = open_study(cohort, style=False)
    assert study.reported("cohort-n") == {"CD": 12.0, "UC": 6.0, "pouchitis": 1.0}  # data/paper/'s, not the stray
    result = claims.claims_audit(study)
    beside = result.comparison.set_index("claim_id")
    assert beside.loc["cohort-n", "the paper reported"] == "CD=12;UC=6;pouchitis=1"


def test_a_cohort_dictionary_listing_the_papers_tables_is_refused(tmp_path):
    cohort = tmp_path / "cohort"
    shutil.copytree(SYNTHETIC, cohort)
    shutil.copyfile(DATA_DIR / "paper" / "claims.csv", cohort / "claims.csv")
    package = json.loads((cohort / "datapackage.json").read_text(encoding="utf-8"))
    paper_package = json.loads((DATA_DIR / "paper" / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"].append(next(r for r in paper_package["resources"] if r["name"] == "claims"))
    (cohort / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    problems = data.validate_data_dir(cohort)
    assert [(p.row, p.column) for p in problems] == [(0, "claims")]
    assert problems[0].file.endswith("datapackage.json") and "data/paper/" in problems[0].message


def test_on_another_cohort_notebook_07s_analysis_is_a_comparison_without_statuses(synthetic_result):
    result = synthetic_result
    assert isinstance(result, claims.ClaimsComparison) and not result.is_audit
    assert list(result.comparison.columns) == claims.COMPARISON_COLUMNS
    assert "status" not in result.comparison.columns and "grade" not in result.comparison.columns
    text = " ".join(result.comparison["this cohort"]) + result.describe()
    assert not any(status in text for status in ("reproduced", "discrepancy", "circular"))
    # Every claim is either compared or left out with a reason; none about other studies or named patients is compared.
    assert len(result.comparison) + len(result.not_compared) == len(load_paper().ledger)
    assert (result.not_compared["reason"] != "").all()
    assert "other studies" not in set(result.comparison["theme"])
    assert not result.comparison["quote"].str.contains(r"[Pp]atients?\s+\d").any()
    assert set(result.key_results()) == {"claims_total", "claims_compared", "claims_not_compared"}


def test_on_the_papers_data_the_audit_is_unchanged(paper_result, paper_audit):
    result = paper_result  # claims_audit(open_study(DATA_DIR)), against evaluate(DATA_DIR) run apart
    assert isinstance(result, claims.ClaimsAudit) and result.is_audit
    assert len(result.audit) == 98
    assert result.audit.equals(paper_audit)


def test_a_comparison_labels_its_per_patient_rows_only_on_the_paper(tmp_path):
    """The ledger's per-patient relapse months are the paper's patients: set beside a cohort's only on its transcription."""
    from tacrolimus_ibd.medium_term import medium_term_outcomes

    paper_rows = medium_term_outcomes(open_study(DATA_DIR, style=False)).relapses_vs_reported()["quantity"]
    other_rows = medium_term_outcomes(open_study(SYNTHETIC, style=False)).relapses_vs_reported()["quantity"]
    assert paper_rows.str.startswith("Patient ").any()
    assert not other_rows.str.startswith("Patient ").any()


# --- the words on another cohort: a comparison, never the audit's (brief cohort2 item 4) ---------

AUDIT_WORDS = (
    "data give",
    "(discrepancy)",
    "(reproduced)",
    "(ambiguous)",
    "(circular)",
    "not computable",
    "19 patients",
)


def test_the_comparisons_notes_are_worded_as_a_comparison(synthetic_result, paper_audit):
    from tacrolimus_ibd.claims.wording import comparison_note

    result = synthetic_result
    notes = " ".join(result.comparison["note"])
    assert [w for w in AUDIT_WORDS if w in notes] == []
    assert "this cohort gives" in notes and "the paper reported" in notes
    note = "count: reported 7, data give 79; reading (a): x (discrepancy); reading (b): not computable: y (reproduced)"
    assert comparison_note(note) == (
        "count: the paper reported 7, this cohort gives 79; reading (a): x; "
        "reading (b): cannot be computed from this cohort: y"
    )
    # The paper's own audit keeps its words.
    audit_notes = " ".join(paper_audit["note"])
    assert "data give" in audit_notes and "all 19 patients" in audit_notes


def test_notebook_07_closes_with_the_comparisons_words_on_another_cohort(synthetic_result, paper_result):
    comparison, audit = synthetic_result, paper_result
    closing, questions = comparison.closing(), comparison.discussion()
    assert f"{comparison.patients:,} patients" in closing and f"{len(comparison.comparison)} of the paper's" in closing
    for text in (closing, questions):
        assert not any(w in text for w in ("discrepanc", "circular", "Patient 9", "Table 3 is lost", "verdicts depend"))
    assert "discrepancies" in audit.discussion() and "Patient 9" in audit.closing()


def test_the_slides_and_the_journal_club_page_ask_about_the_comparison_on_another_cohort(tmp_path):
    from tacrolimus_ibd.report import content, teaching

    questions = content.discussion_questions(audited=False)
    assert content.COMPARISON_QUESTION in questions and not any("discrepancies" in q for q in questions)
    deck = teaching.presenter_notebook([], tmp_path, {}, audited=False)
    wrap_up = next(c.source for c in deck.cells if c.source.startswith("## Wrap-up"))
    assert content.COMPARISON_QUESTION in wrap_up and "discrepancies" not in wrap_up
    audited = teaching.presenter_notebook([], tmp_path, {})
    assert "discrepancies" in next(c.source for c in audited.cells if c.source.startswith("## Wrap-up"))
    rows, _ = teaching.timetable(audited=False)
    row07 = next(r for r in rows if r["stem"] == "07_claims_audit")
    assert "verdict" not in row07["what"] and row07["part"] == content.COMPARISON_TIMETABLE_ROW[0]


# --- every check on any cohort: string codes, a missing group, a Table 3 that is kept -------------


def _synthetic(folder, *args: str):
    """tools/make_synthetic_cohort.py into ``folder`` (in this process): the folder."""
    assert run_synthetic_tool(str(folder), *args)[0] == 0
    return folder


#: Words of a comparison note that say a check broke, or that print an empty list or a missing value.
BROKEN_NOTE = ("lacks what the check reads", "Error", "for :", ": ;", "n/a-n/a", "patients ;", "all 0 ")


@pytest.mark.parametrize(
    "args",
    [
        ("--patients", "40", "--ids", "SYN-", "--shuffle"),  # patient_id typed string: codes, in any order
        ("--patients", "12", "--groups", "UC"),  # no CD, no pouchitis, no fistula, no renal impairment
        ("--patients", "6", "--groups", "CD"),
    ],
    ids=["string-codes", "uc-only", "cd-only"],
)
def test_every_compared_check_runs_on_any_cohort_without_a_warning(tmp_path, args):
    """A check of the paper's sentence runs on any valid cohort: patient codes, a group the cohort
    lacks ("this cohort has no CD patients"), no warning; no note shows an exception or an empty list."""
    import warnings

    folder = _synthetic(tmp_path / "cohort", *args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comparison, _ = audit.compare(folder)
    broken = {r.claim_id: r.note for r in comparison.itertuples() if any(w in r.note for w in BROKEN_NOTE)}
    assert broken == {}
    if "--groups" in args and "UC" in args:
        notes = dict(zip(comparison["claim_id"], comparison["note"], strict=True))
        assert notes["cd-week4-response"] == "this cohort has no CD patients"
        assert notes["disc-pouch-benefit"] == "this cohort has no pouchitis patients"
    if "--ids" in args:
        assert comparison["note"].str.contains("SYN-0000").any()


def test_a_cohort_that_keeps_table_3_is_not_told_that_table_3_is_lost():
    """The paper's Table 3 rows were lost (its missing_reason says so); the synthetic example's
    Table 3 has values, which the checks do not read: its notes say that, not "lost"."""
    comparison, _ = audit.compare(SYNTHETIC)
    notes = " ".join(comparison["note"])
    quoted_from_paper = comparison.loc[comparison["claim_id"] == "pouch-mpdai", "note"]  # the sentence's own values
    assert "recorded, but not read by this check" in notes
    lost = [n for n in comparison["note"] if "lost" in n and n not in set(quoted_from_paper)]
    assert lost == []
    # The CDAI reduction, which the paper's Table 3 would have given, is computed from the cohort's.
    reduction = comparison.set_index("claim_id").loc["cdai-reduction"]
    assert reduction["this cohort"].startswith("median=") and "from Table 3's CDAI of" in reduction["note"]
    stool = comparison.set_index("claim_id").loc["cd-stool-improved"]
    assert stool["this cohort"] == "improved=5; unchanged=0" and "from Table 3's stool frequencies" in stool["note"]


def test_every_week4_figure_of_a_kept_table_3_is_set_beside_the_papers():
    """The sentences the paper's lost Table 3 would have decided (median CDAI at weeks 0 and 4,
    the stool-frequency summary, the abstract's fall of three a day, the Discussion's CD benefit
    and UC decline) are computed from a cohort's own Table 3: figures re-derived here from the
    example's CSV files, not from the library."""
    import pandas as pd

    groups = pd.read_csv(SYNTHETIC / "table1_baseline.csv").set_index("patient_id")["analysis_group"]
    table3 = pd.read_csv(SYNTHETIC / "table3_week4.csv").set_index("patient_id")
    cd, uc = (table3[groups.reindex(table3.index) == g] for g in ("CD", "UC"))
    cdai0, cdai4 = cd["disease_activity_week0"].dropna(), cd["disease_activity_week4"].dropna()
    stools = cd[["stool_frequency_week0_per_day", "stool_frequency_week4_per_day"]].dropna()
    fall = stools.iloc[:, 0] - stools.iloc[:, 1]
    cd_pairs = cd[["disease_activity_week0", "disease_activity_week4"]].dropna()
    uc_pairs = uc[["disease_activity_week0", "disease_activity_week4"]].dropna()

    def fmt(value):
        return f"{value:g}" if float(value).is_integer() else f"{value:.2f}".rstrip("0")

    comparison, left_out = audit.compare(SYNTHETIC)
    this = dict(zip(comparison["claim_id"], comparison["this cohort"], strict=True))
    assert this["cdai-week0"] == f"median={fmt(cdai0.median())}; min={fmt(cdai0.min())}; max={fmt(cdai0.max())}"
    assert this["cdai-week4"] == f"median={fmt(cdai4.median())}; min={fmt(cdai4.min())}; max={fmt(cdai4.max())}"
    assert this["cd-stool-frequency"] == (
        f"mean_reduction={fmt(fall.mean())}; median_week0={fmt(stools.iloc[:, 0].median())}; "
        f"median_week4={fmt(stools.iloc[:, 1].median())}"
    )
    assert this["abstract-stool-reduction"] == f"mean={fmt(fall.mean())}; median={fmt(fall.median())}"
    cd_fell = int((cd_pairs.iloc[:, 1] < cd_pairs.iloc[:, 0]).sum())
    assert this["disc-cd-benefit"].startswith(f"benefited={cd_fell};")
    uc_fell = int((uc_pairs.iloc[:, 1] < uc_pairs.iloc[:, 0]).sum())
    assert this["disc-uc-two-thirds"] == f"declined={uc_fell}; total={int((groups == 'UC').sum())}"
    assert not set(left_out["claim_id"]) & {
        "cdai-week0",
        "cdai-week4",
        "cd-stool-frequency",
        "abstract-stool-reduction",
    }


def test_a_table_3_left_empty_for_another_reason_is_not_recorded_not_lost(data_copy):
    """On a cohort whose Table 3 is empty for its own reason, the week-4 summaries say what they
    need and that this cohort does not record it; only the paper's transcription says "lost"."""
    import pandas as pd

    path = data_copy / "table3_week4.csv"
    table3 = pd.read_csv(path)
    table3["missing_reason"] = "not assessed at week 4"
    table3.to_csv(path, index=False)
    comparison, _ = audit.compare(data_copy)
    notes = dict(zip(comparison["claim_id"], comparison["note"], strict=True))
    assert notes["cdai-week0"] == "needs each CD patient's estimated CDAI before treatment from Table 3 (not recorded)"
    assert (
        notes["cd-stool-frequency"]
        == "needs the CD patients' stool frequencies at weeks 0 and 4 from Table 3 (not recorded)"
    )
    assert not any(
        "lost" in notes[c] for c in ("cdai-week0", "cdai-week4", "cd-stool-frequency", "abstract-stool-reduction")
    )


def test_patient_keys_print_numbers_by_value_and_codes_in_their_natural_order():
    import numpy as np

    from tacrolimus_ibd.claims.checks.base import _ids, _patients, patient_key

    assert [patient_key(v) for v in (np.int64(3), 4.0, "RFH-0042", "7")] == [3, 4, "RFH-0042", "7"]
    assert _ids([10, np.int64(2), 3.0]) == "2, 3, 10"
    assert _ids(["P10", "P2", "P1"]) == "P1, P2, P10"
    assert _patients(["RFH-0042"]) == "Patient RFH-0042" and _patients([]) == "no patient"


def test_the_shortest_course_is_read_from_the_cohorts_own_stop_days(paper_audit):
    """The paper's note names its one patient stopped after 5 days; another cohort's note gives its
    own stop days (3-21 in the example), in the words of a comparison, never the paper's 5 days."""
    comparison, _ = audit.compare(SYNTHETIC)
    note = comparison.set_index("claim_id").loc["duration-mean-range", "note"]
    assert "3-21 days in the patient facts" in note and "5 days" not in note and "Results" not in note
    paper_note = paper_audit.set_index("claim_id").loc["duration-mean-range", "note"]
    assert "5 days in the Results" in paper_note and "the text's 5 days (0.16 months) as 0.2 or 0.1" in paper_note


def test_a_comparison_says_recorded_where_the_audit_says_published(paper_audit):
    """What the paper does not publish, another cohort's data do not record: its notes say so, and
    name no patient as inferred from the paper's sentence when none was."""
    comparison, _ = audit.compare(SYNTHETIC)
    notes = " ".join(comparison["note"])
    assert "published" not in notes and "not recorded" in notes
    assert "no patient were inferred" not in notes
    assert "not published" in " ".join(paper_audit["note"])


def test_a_comparison_sets_figures_side_by_side_and_leaves_out_what_reads_no_cohort():
    """A fresh reviewer's findings on the synthetic example: verdict phrases of the audit ("6/7 is
    not 2/3", "no summary of Table 5 gives", "..., not 6") read as a side-by-side; a claim whose
    check reads nothing of the cohort (the paper's mPDAI sentence, its dose statements, index
    cut-offs) is left out with the reason, not shown with the paper's own values as this cohort's."""
    comparison, left_out = audit.compare(SYNTHETIC)
    notes = dict(zip(comparison["claim_id"], comparison["note"], strict=True))
    assert notes["disc-uc-two-thirds"].startswith("6/7 where the paper says 2/3")
    assert "no summary of Table 5 gives" not in notes["trough-mean"]
    reasons = dict(zip(left_out["claim_id"], left_out["reason"], strict=True))
    for claim_id in ("pouch-mpdai", "methods-initial-dose", "methods-cdai-remission"):
        assert claim_id not in notes and reasons[claim_id] == audit.READS_NO_COHORT
    # Sources and per-patient levels named as this cohort has them.
    assert "(5 from Table 4, 1 from Table 5)" in notes["disc-fistula-duration"]
    assert notes["renal-creatinine"].startswith("no creatinine value is recorded for Patient 3")
    assert "(the paper's sentence counts 19)" in notes["cohort-sex"] and "all 16 patients: 14;" in notes["tx-prev-aza"]
    assert "of these, patients 1, 16 continued" in notes["ae-tolerated"]
    # A second fresh review: conventions as a side by side, no "patients none", unknown outcomes named.
    # On a comparison the follow-up and trough checks do not solve for what the unlisted would need.
    assert notes["follow-up-overall"] == (
        "mean: the paper reported 6, this cohort gives 12.45; 11 patients with a follow-up in Table 5; "
        "not recorded for patients 2, 3, 5, 9, 10"
    )
    assert "would need" not in notes["trough-mean"] and "no levels for patients 2, 3, 5, 9, 10" in notes["trough-mean"]
    assert notes["duration-median"].endswith("recorded for every patient")
    assert "no outcome recorded for Patient 7: counted as not in remission" in notes["uc-remission-end"]
    this_cohort = dict(zip(comparison["claim_id"], comparison["this cohort"], strict=True))
    assert this_cohort["tx-prev-adacolumn"].endswith("(no patient)")
