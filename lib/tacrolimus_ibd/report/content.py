"""What the reader's pages say in words: glossary, discussion questions, timetable, bottom lines.

Nothing here is a number of the paper or of the data. Definitions cite their source; the bottom
lines and the appraisal are sentences with slots that ``site`` fills from the run's key results
(``outputs/key_results/*.json``), so a run on other data or parameters says what that run found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The article this compendium re-derives (as in CITATION.cff's preferred-citation).
PAPER_CITATION = {
    "authors": "Ng SC, Arebi N, Kamm MA",
    "title": "Medium-term results of oral tacrolimus treatment in refractory inflammatory bowel disease",
    "journal": "Inflamm Bowel Dis",
    "issue": "2007;13(2):129-134",
    "doi": "10.1002/ibd.20052",
}


def confidence_level(parameters: dict) -> str:
    """The confidence level of the notebooks' intervals ("95%"), from their ``alpha`` parameter."""
    alpha = parameters.get("alpha", 0.05)  # the notebooks' default
    return f"{100 * (1 - float(alpha)):g}%"


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``forms`` are the spellings linked on first use in the reader's pages."""

    id: str
    term: str
    definition: str
    source: str
    forms: tuple[str, ...] = ()


GLOSSARY = (
    Term(
        "cdai",
        "CDAI (Crohn's Disease Activity Index)",
        "A weighted sum of eight items, most of them recorded in a 7-day patient diary (liquid stools, abdominal pain, "
        "general well-being), plus complications, antidiarrhoeal use, an abdominal mass, haematocrit and body weight. "
        "Below 150 is remission, 150-219 mild, 220-450 moderate, above 450 severe activity; a fall of 70 or 100 points "
        "is the usual definition of response.",
        "Best WR, Becktel JM, Singleton JW, Kern F. Development of a Crohn's disease activity index. "
        "Gastroenterology 1976;70:439-444.",
        ("CDAI",),
    ),
    Term(
        "hbi",
        "Harvey-Bradshaw index",
        "A simpler Crohn's disease index of five items scored for one day (well-being, pain, liquid stools, mass, "
        "complications); no diary is needed.",
        "Harvey RF, Bradshaw JM. A simple index of Crohn's-disease activity. Lancet 1980;1:514.",
        ("Harvey-Bradshaw",),
    ),
    Term(
        "truelove-witts",
        "Truelove-Witts grade",
        "A classification of ulcerative colitis as mild, moderate or severe from bloody stool frequency, pulse, "
        "temperature, haemoglobin and ESR. It is a grade, not a score: it cannot express a partial improvement.",
        "Truelove SC, Witts LJ. Cortisone in ulcerative colitis; final report on a therapeutic trial. "
        "BMJ 1955;2:1041-1048.",
        ("Truelove-Witts",),
    ),
    Term(
        "lichtiger",
        "Lichtiger index",
        "A 0-21 clinical activity score for severe ulcerative colitis (stool frequency, nocturnal stools, blood, "
        "incontinence, pain, well-being, tenderness, antidiarrhoeal use); used in the ciclosporin trials, and the "
        "usual scale for response in refractory colitis.",
        "Lichtiger S, Present DH, Kornbluth A, et al. Cyclosporine in severe ulcerative colitis refractory to "
        "steroid therapy. N Engl J Med 1994;330:1841-1845.",
        ("Lichtiger",),
    ),
    Term(
        "mpdai",
        "mPDAI (modified Pouchitis Disease Activity Index)",
        "The Pouchitis Disease Activity Index without its histology items: clinical symptoms (0-6) and endoscopic "
        "findings (0-6); 5 or more means pouchitis.",
        "Shen B, Achkar JP, Connor JT, et al. Modified pouchitis disease activity index: a simplified approach to "
        "the diagnosis of pouchitis. Dis Colon Rectum 2003;46:748-753; the PDAI: Sandborn WJ et al. "
        "Mayo Clin Proc 1994;69:409-415.",
        ("mPDAI",),
    ),
    Term(
        "trough",
        "Trough level",
        "The whole-blood concentration of tacrolimus just before the next dose, used to adjust the dose.",
        "Ng SC, Arebi N, Kamm MA. Inflamm Bowel Dis 2007;13:129-134 (Methods), as used by this compendium.",
        ("trough",),
    ),
    Term(
        "confidence-interval",
        "Confidence interval (95%)",
        "A range computed from the data by a method that, over repeated samples, contains the true value 95% of the "
        "time. With a dozen patients or fewer it is wide: it says how little a small group pins down a rate.",
        "Altman DG, Machin D, Bryant TN, Gardner MJ. Statistics with Confidence, 2nd ed. BMJ Books 2000.",
        ("confidence interval", "confidence intervals"),
    ),
    Term(
        "clopper-pearson",
        "Exact (Clopper-Pearson) interval",
        "The confidence interval for a proportion built from the binomial distribution itself. It never covers the "
        "truth less often than stated, so it is often wider than needed. The compendium's figures use it.",
        "Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the binomial. "
        "Biometrika 1934;26:404-413.",
        ("Clopper-Pearson",),
    ),
    Term(
        "wilson",
        "Wilson score interval",
        "An approximate confidence interval for a proportion whose coverage is close to the stated level on average; "
        "narrower than the exact interval.",
        "Wilson EB. Probable inference, the law of succession, and statistical inference. "
        "J Am Stat Assoc 1927;22:209-212.",
        ("Wilson",),
    ),
    Term(
        "p-value",
        "P-value",
        "The probability, if there were no real change, of data at least as extreme as those seen. It depends on the "
        "test chosen, on one- or two-sided testing and on who is counted; it is not the probability that the "
        "treatment works.",
        "Wasserstein RL, Lazar NA. The ASA statement on p-values. Am Stat 2016;70:129-133.",
        ("P-value", "p-value"),
    ),
    Term(
        "wilcoxon",
        "Wilcoxon signed-rank test",
        "A test of paired before-and-after values that uses the ranks of the changes, not their size; exact for "
        "small samples, or by a normal approximation.",
        "Wilcoxon F. Individual comparisons by ranking methods. Biometrics Bulletin 1945;1:80-83.",
        ("Wilcoxon",),
    ),
    Term(
        "sign-test",
        "Sign test",
        "A test of paired values that counts only how many went down and how many went up (a binomial test).",
        "Conover WJ. Practical Nonparametric Statistics, 3rd ed. Wiley 1999, section 3.4.",
        ("sign test",),
    ),
    Term(
        "mann-whitney",
        "Mann-Whitney U test",
        "A rank test comparing the values of two independent groups, for example trough levels of patients with and "
        "without side effects.",
        "Mann HB, Whitney DR. On a test of whether one of two random variables is stochastically larger than the "
        "other. Ann Math Stat 1947;18:50-60.",
        ("Mann-Whitney",),
    ),
    Term(
        "fisher",
        "Fisher's exact test",
        "A test of association in a 2x2 table computed exactly from the table's margins; suited to small counts.",
        "Fisher RA. The Design of Experiments. Oliver and Boyd 1935.",
        ("Fisher's exact test", "Fisher"),
    ),
    Term(
        "kaplan-meier",
        "Kaplan-Meier estimate",
        "The proportion still free of an event (here: still on tacrolimus) over time, using every patient for as "
        "long as they were followed.",
        "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc 1958;53:457-481.",
        ("Kaplan-Meier",),
    ),
    Term(
        "censoring",
        "Censoring",
        "A patient's follow-up ends without the event being seen (still on treatment, or lost to follow-up). "
        "Censored patients count as event-free until they leave; how patients of unknown status are treated "
        "changes the curve.",
        "Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457-481; Altman DG. Practical Statistics for Medical Research. "
        "Chapman and Hall 1991, chapter 13.",
        ("censored", "censoring"),
    ),
    Term(
        "intention-to-treat",
        "Intention to treat (denominator)",
        "Every patient who started treatment stays in the denominator, including those who stopped early or whose "
        "outcome is unknown. A rate over only those who stayed on treatment is higher and answers another question.",
        "Hollis S, Campbell F. What is meant by intention to treat analysis? BMJ 1999;319:670-674.",
        ("intention to treat", "intention-to-treat"),
    ),
    Term(
        "random-effects",
        "Random-effects pooling (DerSimonian-Laird)",
        "Combining proportions of several studies while allowing each study its own true value; the pooled estimate "
        "is an average over studies, not a prediction for one.",
        "DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials 1986;7:177-188.",
        ("random-effects", "DerSimonian"),
    ),
    Term(
        "i2",
        "I\u00b2 (heterogeneity)",
        "The share of the spread between study results beyond what chance alone would give (from Cochran's Q). "
        "Above about 75% the studies disagree too much for one pooled number to mean much.",
        "Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med 2002;21:1539-1558.",
        ("I\u00b2", "I2"),
    ),
    Term(
        "regression-to-the-mean",
        "Regression to the mean",
        "Patients are treated when their disease is at its worst; on average, extreme values move back towards the "
        "usual level at the next measurement whatever is done. An uncontrolled before-and-after fall includes it.",
        "Barnett AG, van der Pols JC, Dobson AJ. Regression to the mean: what it is and how to deal with it. "
        "Int J Epidemiol 2005;34:215-220.",
        ("regression to the mean",),
    ),
    Term(
        "case-series",
        "Retrospective case series",
        "A description of treated patients, assembled from records after the fact, without a comparison group. It "
        "can show what happened to these patients, not what tacrolimus caused.",
        "Grimes DA, Schulz KF. Descriptive studies: what they can and cannot do. Lancet 2002;359:145-149.",
        ("case series",),
    ),
)


#: Eight questions for the room, clinical ones first. None presumes its answer.
DISCUSSION_QUESTIONS = (
    "Would you offer oral tacrolimus now to a patient like these, and to whom: which disease, which previous "
    "treatments, which severity?",
    "What would you tell a patient about the chance of response and of stopping for side effects, using the "
    "intervals on this page rather than the point estimates?",
    "What monitoring (trough levels, renal function, tremor) would you put in place, and does this paper tell you "
    "which trough level to aim for?",
    "Without a control group, how much of the improvement at week 4 could be regression to the mean, concurrent "
    "treatment or the natural course of the disease?",
    "Which denominator should a rate of remission use here: everyone treated, or those who stayed on treatment? "
    "What changes in the conclusions?",
    "Which of the discrepancies on this handout would change your reading of the paper, and which are only wording?",
    "What would a study need (design, size, outcomes) to show that tacrolimus works in refractory IBD?",
    "How far do the other studies the paper cites support its conclusions, given how different they are?",
)


#: On a cohort that is not the paper's, the handout holds no discrepancies: its question asks about the comparison.
COMPARISON_QUESTION = (
    "This cohort is not the paper's: where do its figures differ from what the paper reported (notebook 07), "
    "and what could explain a difference (case mix, follow-up, definitions)?"
)


#: On a cohort that is not the paper's, notebook 07's part of the session: the comparison, not verdicts.
COMPARISON_TIMETABLE_ROW = (
    "This cohort beside the paper",
    "Where this cohort's figures differ from what the paper reported, and what could explain a difference.",
)


def discussion_questions(*, audited: bool) -> tuple[str, ...]:
    """The eight questions; on a run without the paper's audit, the question on its discrepancies
    becomes one on the comparison with the paper."""
    if audited:
        return DISCUSSION_QUESTIONS
    return tuple(COMPARISON_QUESTION if "discrepancies" in q else q for q in DISCUSSION_QUESTIONS)


#: A 75-minute session: an introduction, the notebooks, the audit, and a wrap-up.
TIMETABLE = (
    (5, "Introduction", "The question, the paper, and how the compendium re-derives it (index page).", ""),
    (8, "Cohort", "Who was treated; where the text and the tables disagree.", "01_cohort"),
    (7, "Scoring", "Which activity indices, and what response and remission meant.", "02_scoring"),
    (10, "Week 4", "Response, and how wide the intervals are for groups this small.", "03_short_term_outcomes"),
    (10, "End of follow-up", "Which denominator each rate uses; stops for side effects.", "04_medium_term_outcomes"),
    (7, "Trough levels", "Levels against the target band; what a dose-response claim needs.", "05_trough_levels"),
    (7, "The literature", "The other studies, read from their own reports.", "06_literature_comparison"),
    (8, "Claims audit", "Which verdicts matter, ordered by grade.", "07_claims_audit"),
    (13, "Wrap-up", "The eight discussion questions of the handout; would you use tacrolimus, and for whom?", ""),
)


#: The conventional two-sided significance level at which the report words a P value.
SIGNIFICANCE_LEVEL = 0.05


def p_value_reading(p_value: float, *, level: float = SIGNIFICANCE_LEVEL) -> str:
    """What a P value lets a reader say, in words that hold for any cohort (a small series and a
    registry alike): a P value at or above ``level`` shows no relation but does not exclude one;
    one below it shows a relation that an uncontrolled series cannot call causal."""
    shown = f"{level * 100:g}% level"
    if p_value >= level:
        return f"no relation shown at the {shown}, which does not exclude one"
    return f"a relation at the {shown}; an uncontrolled series cannot show that one causes the other"


def percent(value) -> str:
    """A proportion as a whole percentage ("83%"); one decimal below 10% ("2.5%")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not available"
    share = 100 * float(value)
    return f"{share:.1f}%" if 0 < share < 10 else f"{share:.0f}%"


def count_rate(results: dict, prefix: str, level: str) -> str | None:
    """ "10 of 12 (83%; 95% CI 52% to 98%)" from the key results ``<prefix>_events`` etc., or None."""
    needed = [f"{prefix}_{k}" for k in ("events", "total", "proportion", "clopper_pearson_low", "clopper_pearson_high")]
    if not all(results.get(k) is not None for k in needed):
        return None
    events, total, share, low, high = (results[k] for k in needed)
    return f"{events} of {total} ({percent(share)}; {level} CI {percent(low)} to {percent(high)})"


#: The key results the handout and the bottom lines show, with the reader's label:
#: (notebook, key-result prefix of an exact-interval proportion, label).
KEY_RATES = (
    ("03_short_term_outcomes", "all_week4_response", "Response at week 4, all patients"),
    ("03_short_term_outcomes", "cd_week4_response", "Response at week 4, Crohn's disease"),
    ("03_short_term_outcomes", "uc_week4_response", "Response at week 4, ulcerative colitis"),
    ("04_medium_term_outcomes", "remission_end_all", "Remission at the end of follow-up, all patients"),
    ("04_medium_term_outcomes", "ongoing_end_of_follow_up_all", "Still on tacrolimus at the end of follow-up"),
    ("04_medium_term_outcomes", "relapse_text_all", "Relapse, as the text counts it"),
    ("04_medium_term_outcomes", "steroid_tapering_complete_all", "Steroids stopped completely"),
    ("04_medium_term_outcomes", "stopped_for_side_effects_all", "Stopped tacrolimus for side effects"),
    ("04_medium_term_outcomes", "fistula_complete_healing_all", "Perianal fistula healed completely"),
)
