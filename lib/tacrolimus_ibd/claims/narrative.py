"""What notebook 07 says in words at its close: on the paper's own data, what the audit means for
the paper's conclusions and the questions it raises; on any other cohort, what the comparison with
the paper can and cannot say (issue #13 item 1). The audit's wording is the paper's and names its
patients; it is shown only on the paper's transcription (``ClaimsAudit``).
"""

from __future__ import annotations

#: What the audit's verdicts mean for the paper's conclusions (markdown; the paper's own data only).
AUDIT_CLOSING = """Read with the tables and the notes above:

* **The headline rates** at the short-term assessment are circular for the CD and UC groups: Table 3 is lost, and
  the per-patient responses that decide them were inferred from the paper's own sentences (the Discussion's "all
  patients with CD benefited ... except for two", the Results' three remissions and one response in UC). The CD
  remission at the end of follow-up rests on Patient 9, who is not in Table 4 and whose remission is inferred from
  "of the 12 patients five achieved remission". The UC remission at the end is reproduced from Table 4, and the
  pouchitis response from the mPDAI scores the Results give. The CDAI medians and ranges cannot be checked at all.
* **"A decrease in the estimated CDAI for all patients"** cannot be checked. It reads as all CD patients, including
  the two who stopped before the assessment and whom the Discussion leaves out, or as those still treated. The
  reported P value fits either number of patients.
* **The steroid-sparing conclusion**: the count of patients whose tapering Table 4 records as complete is the
  paper's, but Table 2 records concurrent prednisolone at the start for few of them. The tables do not say which
  steroid was tapered.
* **The trough argument** (levels at the lower end of the target, room for a higher dose) is ambiguous. Over the
  patients Table 5 lists, no summary gives the reported mean, and the range pairs a single level with a patient
  mean. Over all patients it cannot be computed, because five have no published levels.
* **Tolerability** holds in its counts: the abstract's list says "included", so an adverse effect it leaves out is
  not a contradiction. The renal episode's values come only from its own sentence.
* **Other studies**: the arm sizes of the dose-finding trial, the subgroup rates and colectomy count of two series,
  and the span of one series differ from those studies' own reports. Time windows the sources do not state are
  ambiguous.

The grade table above shows how much each discrepancy matters. The notes of the ambiguous and circular claims show
which statements a reader should take from the tables, and which from the text alone.
"""

#: The questions the audit raises (markdown bullets; the paper's own data only).
AUDIT_QUESTIONS = """* Which of the discrepancies above would you expect a reviewer to catch, and which only appear when the tables are
  re-added? What does that say about checking a paper's text against its own tables?
* Several verdicts are *circular*: the text agrees with itself because a table was lost. How much weight should a
  reader put on such claims, and on the headline rates they include?
* Some verdicts depend on how a run-together cell is read. When would you trust a transcription, and what would
  you ask the authors for?
* The paper's account of other studies differs from those studies' own figures in several places. How would you
  check the citations of a paper you rely on?
"""

#: What a comparison can say: filled with the comparison's own counts (``ClaimsComparison.closing``).
COMPARISON_CLOSING = """This cohort ({patients:,} patients) is not the paper's data, so nothing above is a verdict on the paper.
Read the comparison as a description of this cohort set beside the figures the paper reported:

* **{compared} of the paper's {total} claims** are set beside this cohort; {not_compared} are left out, each with its
  reason (the claims about other studies, the same on every cohort, and those about the paper's own patients).
* **A difference is not an error** of either: cohorts differ in how patients were selected, in case mix (groups,
  disease extent, previous treatments), in follow-up, in how response and remission were defined and recorded, and
  in size. The notes say how each figure of this cohort was computed.
* **An agreement is not a replication** either: the paper's figures come from a small series with wide intervals,
  and this cohort's figures are computed with the paper's definitions, not checked against its patients.
"""

#: The questions a comparison raises (markdown bullets).
COMPARISON_QUESTIONS = """* Where do this cohort's figures differ most from what the paper reported, and which differences would change how
  you treat patients?
* What could explain a difference: selection, case mix, follow-up, the definitions of response and remission, or
  chance? Which would you check first, and how?
* Which of the paper's claims could not be set beside this cohort (the claims left out above), and what would a
  centre need to record to compare them?
* If this cohort were your centre's, what would you report per patient so that another centre could set its figures
  beside yours?
"""


def discussion_box(bullets: str) -> str:
    """A notebook's "For discussion" box: the heading and markdown ``bullets``, quoted as one block."""
    lines = bullets.strip("\n").splitlines()
    return "> **For discussion**\n>\n" + "\n".join(f"> {line}" if line else ">" for line in lines)
