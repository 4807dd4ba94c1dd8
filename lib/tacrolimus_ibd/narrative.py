"""What notebooks 01-07 say in words about one cohort's own patients (issue #13 item 3).

The notebooks' markdown is true of any cohort. The sentences that are true only of the paper's
transcription (Ng, Arebi & Kamm, Inflamm Bowel Dis 2007;13:129-134: its patients by number, its
lost Table 3, the discrepancies between its text and its tables) are here, moved from the
notebooks' markdown, and are rendered only when the cohort declares itself the paper's
transcription (``study.is_transcription``); any other cohort gets a neutral version of each.
Every number and patient in them is computed from the cohort (never typed), so the paper's own
run reads as before and another cohort is never told the paper's facts as its own.

``passage(name, study, result)`` returns the passage as IPython Markdown (a notebook displays it
as the last expression of a cell); ``text(name, study, result)`` returns the markdown string.
``result`` is the notebook's analysis result where the passage needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd


def _ids(ids: Iterable) -> str:
    """Patient identifiers in words: "7", "15 and 16", "1-4" (three or more consecutive integers)."""
    ids = list(ids)
    if len(ids) >= 3 and all(isinstance(i, int) for i in ids) and ids == list(range(ids[0], ids[0] + len(ids))):
        return f"{ids[0]}-{ids[-1]}"
    return " and ".join([", ".join(str(i) for i in ids[:-1]), str(ids[-1])] if len(ids) > 1 else [str(i) for i in ids])


def _patients(ids: Iterable) -> str:
    """The word and the identifiers (``_ids``): "Patient" before one, "Patients" before more."""
    ids = [int(i) if isinstance(i, int) or hasattr(i, "__index__") else i for i in ids]
    return ("Patients " if len(ids) > 1 else "Patient ") + _ids(ids)


def _share(part: int, whole: int) -> str:
    """How much of ``whole`` ``part`` is: "all", "none", "more" (than half), "half" or "fewer"."""
    if whole and part == whole:
        return "all"
    if part == 0:
        return "none"
    if 2 * part > whole:
        return "more"
    return "half" if 2 * part == whole else "fewer"


_MOST_WORDS = {
    "all": "All ",
    "none": "None of the ",
    "more": "Most ",
    "half": "Half of the ",
    "fewer": "Fewer than half of the ",
}
_MORE_THAN_HALF_WORDS = {
    "all": "All",
    "none": "None",
    "more": "More than half",
    "half": "Half",
    "fewer": "Fewer than half",
}


def _most(part: int, whole: int) -> str:
    """How many of ``whole`` patients ``part`` is, in words, before "patients": "Most ", "All ", ..."""
    return _MOST_WORDS[_share(part, whole)]


def _more_than_half(part: int, whole: int) -> str:
    """ "More than half", "Half", "Fewer than half", "All" or "None" (of ``whole``)."""
    return _MORE_THAN_HALF_WORDS[_share(part, whole)]


def _bullets(items: Iterable[str]) -> str:
    """A notebook's "For discussion" box: its heading and the questions as markdown bullets, one block."""
    from .claims.narrative import discussion_box

    return discussion_box("\n".join("* " + item.replace("\n", "\n  ") for item in items if item))


# --- 01 cohort -----------------------------------------------------------------------------------


def _printed_otherwise(study) -> pd.DataFrame:
    """Patients whose diagnosis as printed in Table 1 is not the group they are analysed in."""
    cohort = study.cohort
    return cohort[cohort["diagnosis_as_printed"].astype(str) != cohort["diagnosis"].astype(str)]


def _cohort_table1(study, result=None) -> str:
    printed = _printed_otherwise(study)
    if study.is_transcription and len(printed):
        return "\n".join(
            f'{_patients([pid])}, the {row.diagnosis} patient, is printed as "{row.diagnosis_as_printed}" with site '
            f'"{str(row.disease_site).capitalize()}" in Table 1; the paper analyses {"her" if row.sex == "F" else "him"} '
            "separately, and so do we."
            for pid, row in printed.iterrows()
        )
    if len(printed):
        return "Patients whose diagnosis as printed in Table 1 is not the group they are analysed in: " + "; ".join(
            f'{_patients([pid])}, printed "{row.diagnosis_as_printed}", analysed as {row.diagnosis}'
            for pid, row in printed.iterrows()
        )
    return "Every patient is analysed in the diagnosis group Table 1 prints."


def _fistula_share(study) -> str | None:
    cd = study.cohort[study.cohort["diagnosis"] == "CD"]
    if cd.empty:
        return None
    share = _more_than_half(int(cd["perianal_fistula"].fillna(False).astype(bool).sum()), len(cd))
    return (
        f"{share} of the Crohn's patients had fistulas (Table 1 above): is this cohort comparable with trials in\n"
        "luminal disease?"
    )


def _cohort_discussion(study, result) -> str:
    if study.is_transcription:
        printed = _printed_otherwise(study)
        disagree = (
            "The tables and the text disagree on the sex ratio and on previous 6-MP (the discrepancies printed above). Which\n"
            "would you trust, and what would you need to settle it?"
        )
        relabelled = [
            f'{_patients([pid])} is printed as "{row.diagnosis_as_printed}" but analysed as {row.diagnosis}. How should a '
            f'reader of a pooled "IBD" series count {"her" if row.sex == "F" else "him"}?'
            for pid, row in printed.iterrows()
        ]
        selection = (
            "A small series from one centre, selected because other treatments had failed: what does that mean for how far\n"
            "the results generalise?"
        )
    else:
        disagree = (
            "Where this cohort's tables and the paper's reported figures differ (the comparison printed above), what\n"
            "could explain each difference: case mix, selection, or how the data were recorded?"
        )
        relabelled = []
        selection = (
            "How were this cohort's patients selected, and what does that mean for how far the results generalise?"
        )
    return _bullets([disagree, *relabelled, _fistula_share(study), selection])


# --- 03 short-term outcomes ----------------------------------------------------------------------


def _short_basis(study, result) -> str:
    rows = result.table3_rows_with_values()
    kept = "none of its rows survived the extraction" if rows == 0 else f"{rows} of its rows hold a value"
    basis = result.basis.set_index("group").loc["all"]
    mostly = (
        "most of the response data are inferences, not observations"
        if basis["inferred"] > basis["stated"]
        else "most of the response data are stated, not inferred"
    )
    if study.is_transcription:
        return (
            "Table 3 held each patient's week-4 disease activity, stool frequency and bleeding; "
            f"{kept} (the count printed above). Who responded is therefore read from the Results text\n"
            "(`data/text_patient_facts.csv`): *stated* where a sentence names the patient, *inferred* where it follows "
            "from a\nstatement about a group (for example, that every CD patient benefited except those who stopped "
            f"early). The\ntable below counts each kind: {mostly}."
        )
    return (
        "Table 3 holds each patient's week-4 disease activity, stool frequency and bleeding "
        f"({rows} of its rows hold a value: the count printed above). Who responded is read from the cohort's patient "
        "facts (`text_patient_facts.csv`): *stated* where the record names the patient's response, *inferred* where "
        f"it follows from a statement about a group. The table below counts each kind: {mostly}."
    )


def _short_intervals(study, result) -> str:
    if study.is_transcription:
        return (
            "The reported counts agree with the data because the data were read from the same sentences: this is a "
            "check of\ntranscription, not an independent replication. The intervals are the point. Even in the largest "
            "group the interval\n(printed below) spans a wide range of plausible response rates, and the pouchitis "
            "interval shows how little a group of\nthat size says about a rate."
        )
    return (
        "The reported counts are the paper's and this cohort's are its own: side by side they are a comparison, not a "
        "check of either. The intervals (printed below) show how precisely each group's size lets its rate be "
        "estimated."
    )


def _short_which_n(study, result) -> str:
    if study.is_transcription:
        return (
            'Which n? The Results say the CDAI fell "for all patients" of the CD group. The Discussion says that all CD '
            "patients\nbenefited except those who had to discontinue treatment because of side effects, and the Results "
            f"say when {_patients(result.stopped_early)}\nstopped:"
        )
    return (
        'Which n? The Results say the CDAI fell "for all patients" of the CD group; the Discussion excepts the CD '
        "patients who had to discontinue treatment because of side effects. This cohort's stops for side effects, "
        "and whether each came before the week-4 assessment:"
    )


def _short_contradiction(study, result) -> str:
    if study.is_transcription:
        return (
            "The paper contradicts itself here. The Results count every CD patient at week 4; the Discussion and the "
            'stop dates\nleave fewer on treatment at week 4. Either the early stoppers had a "week-4" assessment '
            "after stopping (and are\ncounted among the patients whose CDAI fell), or the CDAI summary covers fewer "
            "patients than the Results say. Both\nreadings are computed below."
        )
    return (
        "The paper's Results and Discussion count different numbers of CD patients at week 4 (the reported rows "
        "above). Both numbers of this cohort's CD patients, all treated and those still on tacrolimus at the week-4 "
        "assessment, are computed below."
    )


def _short_p_reading(study, result) -> str:
    if study.is_transcription:
        return (
            "The readings that reproduce the reported P are the rows listed above, in the shaded band of the figure in "
            "the appendix at the end: the two-sided\nWilcoxon signed-rank test with the normal approximation and no "
            "continuity correction over all CD patients, or an\nexact two-sided test (signed-rank or sign test, which "
            "coincide here) over the CD patients still on tacrolimus at\nweek 4. The exact test over all CD patients "
            "gives a much smaller P. A paired t-test cannot be checked: it needs the\nspread of the differences, which "
            "only Table 3 had. The text therefore cannot settle which test was used, and the\nchoice of n is entangled "
            "with the contradiction above."
        )
    own = ""
    if "CD" in set(result.table3["group"]):
        cd = result.table3.set_index("group").loc["CD"]
        own = (
            f" This cohort's own CDAI reduction is tested in the Table 3 section above, on the {cd['patients']} CD "
            "patients it scores at both weeks; the P-values here assume instead, as the paper's range implies, that "
            "every CDAI fell, and depend on n alone."
        )
    return (
        "The rows listed above, in the shaded band of the figure in the appendix at the end, are the settings whose "
        "P-value prints as the reported P with this cohort's numbers of CD patients. This cohort is not the paper's, "
        "so they cannot say which test the paper used; they show how far the choice of test and of n moves the "
        f"P-value. A paired t-test cannot be checked: it needs the spread of the differences.{own}"
    )


def _short_uc(study, result) -> str:
    facts = result.uc_week4_facts()
    if study.is_transcription:
        unchanged = facts.loc[(facts["week4_response"].astype(str) == "false") & (facts["basis"] == "stated")]
        candidates = facts.loc[(facts["week4_response"].astype(str) == "true") & (facts["basis"] == "inferred")]
        return (
            "The Results give grades for the group, not per patient: how many were in remission and how many had a "
            "response\n(reported counts below); the grade was unchanged in "
            f"{_patients(unchanged['patient_id'])}, and the responder's grade went from severe\nto mild.\n"
            f"Which of {_patients(candidates['patient_id'])} changed from severe to mild is not said. Per patient, "
            "the data hold only\nwhat the text supports:"
        )
    return (
        "The Results give grades for the paper's UC group, not per patient: how many were in remission and how many "
        "had a response (reported counts below). Per patient, this cohort's facts hold:"
    )


def _short_pouch(study, result) -> str:
    if study.is_transcription:
        return (
            "The paper calls this a response. By its own definition, though, the week-4 mPDAI shown above falls in the "
            "remission\nrange; the text does not say why it is not counted as a remission (mPDAI remission is often "
            "also required to\nfall by a minimum number of points from baseline, which this change would meet). The "
            "values are the text's own\nand cannot be checked further."
        )
    return (
        "The paper counts its pouchitis patient's week-4 change as a response, although the week-4 mPDAI it reports "
        "falls in its own remission range (notebook 02). The table above classifies this cohort's pouchitis values, "
        "where it has any, by the same threshold."
    )


def _short_discussion(study, result) -> str:
    p_value = (
        "A P-value with no named test, for a change that every patient shows: does the choice of test matter for the\n"
        "conclusion, or only for the decimals? What would a reader need (the test, n, the per-patient differences)?"
    )
    retrospective = (
        "Estimated CDAI and Truelove-Witts scores were calculated retrospectively from case notes. How reliable is a\n"
        "diary-based index (CDAI) reconstructed after the fact, and how would that bias a before-after comparison?"
        if study.is_transcription
        else "The paper calculated estimated CDAI and Truelove-Witts scores retrospectively from case notes. How were\n"
        "this cohort's scores obtained, and how would an index reconstructed after the fact bias a before-after comparison?"
    )
    control = (
        "With no control group, how much of a week-4 improvement could be regression to the mean in patients who were\n"
        "started on a new drug because they were at their worst?"
    )
    if study.is_transcription:
        lost = (
            'Table 3 is lost here, but it was printed in the journal. Which of the week-4 "responses" above would you '
            "still\naccept if most of them rest on inferences from group statements? What would you look up in the "
            "printed table?"
        )
        early = (
            f"{_patients(result.stopped_early)} stopped within the first weeks, yet the text reports a week-4 fall "
            '"for all patients". How\nshould a retrospective series count patients who stop before the assessment '
            "visit?"
        )
    else:
        lost = (
            "Which of this cohort's week-4 responses above are stated and which inferred (the basis table)? What should "
            "a patient's record hold so that no response has to be inferred?"
        )
        early = (
            'The paper reports a week-4 fall "for all patients" although some of its patients stopped early. How should '
            "a series count patients who stop before the assessment visit (this cohort's are listed above)?"
        )
    return _bullets([lost, p_value, early, retrospective, control])


# --- 04 medium-term outcomes ---------------------------------------------------------------------


def _outcome_ids(study):
    cohort = study.cohort
    absent = cohort.index[~cohort["in_table4"].fillna(False).astype(bool)]
    inferred = cohort.index[cohort["outcome_end_of_follow_up_basis"] == "inferred"]
    unknown = cohort.index[cohort["outcome_end_of_follow_up"].isna()]
    return absent, inferred, unknown


def _medium_outcomes(study, result) -> str:
    absent, inferred, unknown = _outcome_ids(study)
    cohort = study.cohort
    if study.is_transcription:
        parts = [f"{_patients(absent)} are not in Table 4."] if len(absent) else []
        parts += [
            f"{_patients([pid])}'s {cohort.loc[pid, 'outcome_end_of_follow_up']} is inferred from the text (the "
            f"{cohort.loc[pid, 'diagnosis']} paragraph counts the remissions and names every other "
            f"{cohort.loc[pid, 'diagnosis']}\npatient's outcome); it is counted only when `include_inferred_outcomes` "
            "is true."
            for pid in inferred
        ]
        parts += [
            f"{_patients([pid])}, the {cohort.loc[pid, 'diagnosis']} patient,\nhas no outcome at the end of follow-up "
            "anywhere in the paper: *unknown*."
            for pid in unknown.intersection(absent)
        ]
        return " ".join(parts)
    return (
        f"{len(absent)} patients have no Table 4 row. A patient's outcome *inferred* from a statement about a group "
        f"(here {len(inferred)}) is counted only when `include_inferred_outcomes` is true; a patient with no outcome "
        f"anywhere (here {len(unknown)}) is *unknown*."
    )


def _medium_remission(study, result) -> str:
    _, inferred, _ = _outcome_ids(study)
    if study.is_transcription and len(inferred):
        who = _patients(inferred)
        groups = "/".join(sorted(set(study.cohort.loc[inferred, "diagnosis"])))
        return (
            f"The reported rates are intention-to-treat rates. Note that the {groups} figure depends on {who}, whose "
            "remission is\nan inference from the reported count itself: with `include_inferred_outcomes = False` "
            f"{who}'s outcome becomes\nunknown and the data alone give fewer remissions than reported."
        )
    return (
        "The reported rates are intention-to-treat rates. Outcomes inferred from the text (basis *inferred*) count "
        "only when `include_inferred_outcomes` is true."
    )


def _medium_relapses(study, result) -> str:
    if study.is_transcription:
        return (
            'Some of these readings are hard to believe as relapses: a patient in remission at the end with a "relapse" '
            "month\nand no relapse in the text, or a relapse month later than the end of a short treatment. The digits "
            "may belong to a\nneighbouring column (the fistula or prednisolone cell) that the extraction ran together. "
            "Both counts are shown in\nthe rates below; only the printed table can settle them."
        )
    return "Where Table 4's relapse months and the text's disagree, both counts are shown in the rates below."


def _medium_tapering(study, result) -> str:
    tapering = result.tapering
    complete = tapering["steroid_tapering_table4"] == "complete"
    without = int((complete & ~tapering["concurrent_prednisolone_at_start"].fillna(False).astype(bool)).sum())
    sentence = (
        f'{_most(without, int(complete.sum()))}patients with a "complete" taper were not on prednisolone at the start '
        "according to Table 2."
    )
    if not without:
        return sentence + " The paper does not define tapering or say when steroids were started."
    return (
        sentence + " The paper does\nnot define tapering or say when steroids were started, so this cannot be "
        "resolved: steroids may have been started\nor stopped around the start of tacrolimus without appearing in "
        "Table 2."
    )


def _medium_discontinuations(study, result) -> str:
    rest = (
        "For the\npatients with both a stated stop time and a treatment duration (printed above), the two sources can be "
        "compared:\nwhere they differ by more than Table 4's rounding (flagged), "
    )
    if study.is_transcription:
        return (
            "The derivation agrees with the Results' description of who stopped (the tremor and malaise patients). "
            + rest
            + "the paper contradicts itself on how long that patient\nwas treated, and the swimmer plot below follows "
            "Table 4."
        )
    return (
        rest + "the sources disagree on how long that patient was treated, and the swimmer plot below follows Table 4."
    )


def _medium_durations(study, result) -> str:
    if study.is_transcription:
        return (
            "The reported median and mean agree with the plain summaries within rounding; the reported range starts "
            "above the\ndata's minimum, which comes from a patient who stopped after days (see the discontinuations "
            "above), as if that\npatient's duration had been rounded or left out."
        )
    return "The paper's reported median, mean and range are the table's last row, beside this cohort's plain summaries."


def _ongoing_share(study) -> str:
    ongoing = study.cohort["ongoing_tacrolimus"]
    return _most(int(ongoing.fillna(False).astype(bool).sum()), len(ongoing))


def _medium_discussion(study, result) -> str:
    _, inferred, _ = _outcome_ids(study)
    stopped = (
        "Who stopped tacrolimus, and why, had to be derived from separate tables and sentences. What should a case "
        "series\nreport per patient so that discontinuations and their reasons can be counted directly?"
    )
    duration = (
        f'{_ongoing_share(study)}patients were still on tacrolimus at the end of follow-up. What does a "median '
        'duration of treatment" mean\nthen, and what does the Kaplan-Meier curve add?'
    )
    if study.is_transcription:
        single = "a single inferred outcome" if len(inferred) == 1 else f"{len(inferred)} inferred outcomes"
        return _bullets(
            [
                f"The remission rates change with the denominator and with {single}. Which denominator answers\n"
                "the question a patient or prescriber would ask, and which one does the Abstract use?",
                '"Medium term" here means a few months, and follow-up differs from patient to patient. Is a rate at '
                "the end of\nunequal follow-ups interpretable, and what would a time-to-event analysis of remission need?",
                "Table 4's relapse cells, read from run-together text, disagree with the Results. What would you check "
                "in the\nprinted article before counting relapses?",
                stopped,
                duration,
            ]
        )
    return _bullets(
        [
            "The remission rates change with the denominator and with the outcomes inferred from the text. Which "
            "denominator answers the question a patient or prescriber would ask, and which one does the paper's "
            "Abstract use?",
            '"Medium term" means the end of follow-up, which differs from patient to patient. Is a rate at the end of '
            "unequal follow-ups interpretable, and what would a time-to-event analysis of remission need?",
            "Where Table 4's relapse months and the text disagree, what would you check before counting relapses?",
            stopped,
            duration,
        ]
    )


# --- 05 trough levels ----------------------------------------------------------------------------


def _trough_discussion(study, result) -> str:
    exposure = (
        "A patient mean inside the band can hide single levels far outside it. Is the mean, the time in range, or the\n"
        "highest level the better measure of exposure for efficacy? For toxicity?"
    )
    if study.is_transcription:
        items = [
            'The reported "mean (range)" does not follow in one way from Table 5 (see the readings above). Which '
            "summary would\nyou want a paper to give for drug levels measured repeatedly in each patient, and why?",
            exposure,
            "The patients who stopped early have no trough data. How might that bias any trough-outcome comparison, "
            "and in\nwhich direction?",
            "Ogata's high-trough arm did better than the low-trough arm over its short randomised phase in ulcerative "
            "colitis. What would you\nneed before applying that to this mixed, mostly Crohn's, cohort treated for "
            "months?",
            "With this few patients, what size of trough-outcome association could these exact tests have detected "
            "at all?",
        ]
    else:
        items = [
            "Which summary would you want a paper to give for drug levels measured repeatedly in each patient (set "
            'beside the paper\'s reported "mean (range)" above), and why?',
            exposure,
            "Patients who stop early often have no trough data. How might that bias any trough-outcome comparison, and "
            "in which direction?",
            "Ogata's high-trough arm did better than the low-trough arm over its short randomised phase in ulcerative "
            "colitis. What would you need before applying that to this cohort's diagnoses and durations of treatment?",
            "With this cohort's numbers of patients, what size of trough-outcome association could these tests have "
            "detected at all?",
        ]
    return _bullets(items)


# --- 06 literature -------------------------------------------------------------------------------


def _literature_bands(study, result) -> str:
    timing = (
        "Note also\nthat the cohort's response at week 4 came before most of the months of levels that make up each "
        "patient's mean."
    )
    if study.is_transcription:
        return (
            "With so few patients per band the intervals are wide (see the\ntable): these data can neither confirm "
            "nor rule out the dose-response Ogata found, in either direction. " + timing
        )
    return (
        "Where a band holds few patients the intervals are wide (see the table), and such data can neither confirm "
        "nor rule out the dose-response Ogata found, in either direction. " + timing
    )


def _literature_discussion(study, result) -> str:
    if study.is_transcription:
        inferred = (
            "This cohort's week-4 response rests largely on inferences from the text (Table 3 is lost). How much weight "
            "can a\nforest plot give such a row?"
        )
    else:
        inferred = (
            "This cohort's week-4 responses are stated or inferred from its patient facts (the `note` column above). "
            "How much weight can a forest plot give a row whose responses are partly inferred?"
        )
    return _bullets(
        [
            "Which of the published rows in the forest plot is the fairest comparator for this cohort, and why? Which "
            "would\nyou refuse to set beside it?",
            inferred,
            "The pooled estimates mix diseases and time points and show marked heterogeneity. Would you report them at "
            "all? If\nso, how would you word them?",
            "The paper misstates the arm sizes of the one randomised trough trial it discusses, and some of the other "
            "studies'\nfigures (table above). Do these errors change any conclusion of the paper? How would a reader "
            "have found them?",
            "A later meta-analysis exists only for ulcerative colitis. What evidence would you want before using "
            "tacrolimus in\nrefractory Crohn's disease on the strength of series like this one?",
        ]
    )


# --- 07 claims audit -----------------------------------------------------------------------------


def _claims_circular(study, result=None) -> str:
    definition = (
        "A claim decided by a value taken from its own sentence, or from one it restates (the ledger's `restates` "
        "column), is circular. The sentence is not contradicted,\nbut it is not checked against data either."
    )
    if not study.is_transcription:
        return definition + " On the paper's own data this section lists such claims; on this cohort it stays empty."
    _, inferred, _ = _outcome_ids(study)
    table3 = study.tables["table3_week4"]
    lost = "is lost" if not table3.drop(columns=["patient_id", "missing_reason"]).notna().any(axis=None) else "is kept"
    return (
        f"Table 3 (the week-4 scores) {lost}, and {_patients(inferred)} is missing from Table 4, so some per-patient "
        "values could only be\ninferred from the paper's sentences (`data/text_patient_facts.csv`). " + definition
    )


PASSAGES: dict[str, Callable] = {
    "cohort_table1": _cohort_table1,
    "cohort_discussion": _cohort_discussion,
    "short_basis": _short_basis,
    "short_intervals": _short_intervals,
    "short_which_n": _short_which_n,
    "short_contradiction": _short_contradiction,
    "short_p_reading": _short_p_reading,
    "short_uc": _short_uc,
    "short_pouch": _short_pouch,
    "short_discussion": _short_discussion,
    "medium_outcomes": _medium_outcomes,
    "medium_remission": _medium_remission,
    "medium_relapses": _medium_relapses,
    "medium_tapering": _medium_tapering,
    "medium_discontinuations": _medium_discontinuations,
    "medium_durations": _medium_durations,
    "medium_discussion": _medium_discussion,
    "trough_discussion": _trough_discussion,
    "literature_bands": _literature_bands,
    "literature_discussion": _literature_discussion,
    "claims_circular": _claims_circular,
}


def text(name: str, study, result=None) -> str:
    """The markdown of passage ``name`` for this cohort: the paper's words on its transcription, a
    neutral version on any other cohort (``PASSAGES`` lists the names)."""
    if name not in PASSAGES:
        raise KeyError(f"no passage {name!r}; the passages are: {', '.join(PASSAGES)}")
    return PASSAGES[name](study, result)


def passage(name: str, study, result=None):
    """Passage ``name`` as IPython Markdown, for a notebook to display (``text`` gives the string)."""
    from IPython.display import Markdown

    return Markdown(text(name, study, result))
