"""The teaching pages' content: the handout, the appraisal and the slides (see ``site``).

Every number is read from the run's outputs (key results, claims.csv, figures); the words around
them are in ``content``.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import nbformat
import pandas as pd

from ..claims.ledger import GRADES
from . import content, pages
from .content import PAPER_CITATION, confidence_level

#: The handout's figures (clinical questions, one per part of the paper), in order.
HANDOUT_FIGURES = ("week4_response_intervals", "km_time_on_tacrolimus", "cdai_scale_reported")
#: Printed figure labels are at least this size (points) on the handout, and figures at least this wide.
HANDOUT_MIN_LABEL_PT, HANDOUT_MIN_FIGURE_MM = 7.0, 80.0
#: The smallest text the figures draw (the plots package's fontsize=8 labels), in points at natural size.
FIGURE_SMALLEST_LABEL_PT = 8.0
#: The width of the handout's text (A4 less its margins), in mm.
HANDOUT_TEXT_WIDTH_MM = 186.0
#: At most this many discrepancies are written out on the handout (every one is in claims.html).
HANDOUT_MAX_DISCREPANCIES = 6
#: Longer findings are cut at a word boundary on the handout (whole in claims.html).
HANDOUT_FINDING_CHARS = 200

# --- handout -----------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[16:24]
    return int.from_bytes(head[:4], "big"), int.from_bytes(head[4:], "big")


def handout_figure_width_mm(path: Path) -> tuple[float, float]:
    """(printed width in mm, size of its smallest labels in pt) of a figure on the handout.

    At its natural size (pixels / savefig dpi) a figure's smallest labels are
    ``FIGURE_SMALLEST_LABEL_PT``; printed narrower they shrink in proportion. The width is the
    narrowest that keeps them at ``HANDOUT_MIN_LABEL_PT``, never under 80 mm and never wider than
    the text (when capped, the labels print smaller, and the caption says so).
    """
    from ..plots import STYLE

    natural_mm = _png_size(path)[0] / STYLE["savefig.dpi"] * 25.4
    needed = natural_mm * HANDOUT_MIN_LABEL_PT / FIGURE_SMALLEST_LABEL_PT
    width = round(min(max(needed, HANDOUT_MIN_FIGURE_MM), HANDOUT_TEXT_WIDTH_MM), 1)
    return width, round(FIGURE_SMALLEST_LABEL_PT * width / natural_mm, 1)


def _clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most about ``limit`` characters, marked with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " \u2026"


def _plain_finding(record: dict) -> str:
    note, reported, computed = record.get("note", ""), record.get("reported", ""), record.get("computed", "")
    if note:
        return _clip(note.rstrip(".") + ".", HANDOUT_FINDING_CHARS)
    return _clip(
        f"The paper reports {reported.replace(';', '; ')}; the data give {computed or 'nothing computable'}.",
        HANDOUT_FINDING_CHARS,
    )


def handout(infos: list, figures_dir: Path, manifest: dict, claims: pd.DataFrame | None, data: dict) -> dict:
    results = {info.stem: info.key_results for info in infos}
    level = confidence_level(next((i.parameters for i in infos if "alpha" in i.parameters), {}))
    r3, r4 = results.get("03_short_term_outcomes", {}), results.get("04_medium_term_outcomes", {})
    design = []
    # The paper's design on its own data; another cohort's as its dictionary states it (cohortDescription).
    kind = "Retrospective case series from one centre" if claims is not None else (data.get("design") or "Case series")
    if r3.get("all_week4_response_total") is not None:
        design.append(
            f"{kind}: {r3['all_week4_response_total']} patients with refractory IBD "
            f"({r3.get('cd_week4_response_total')} Crohn's disease, {r3.get('uc_week4_response_total')} ulcerative colitis, "
            f"{r3.get('pouchitis_week4_response_total')} pouchitis) given oral tacrolimus; no control group."
        )
    else:
        design.append(f"{kind}, of patients with refractory IBD given oral tacrolimus; no control group.")
    design.append(
        "Outcomes: clinical response at week 4 (activity indices, some estimated from the records) and the outcome at the end of follow-up."
    )
    if r4.get("duration_months_median") is not None:
        design.append(
            f"Time on tacrolimus: median {r4['duration_months_median']:g} months (range {r4.get('duration_months_min'):g} "
            f"to {r4.get('duration_months_max'):g}; {r4.get('duration_months_n')} patients with a recorded duration)."
        )
    key_rates = []
    for notebook, prefix, label in content.KEY_RATES:
        text = content.count_rate(results.get(notebook, {}), prefix, level)
        if text:
            key_rates.append((label, text))
    lines = []
    if r3.get("all_week4_response_proportion") is not None and r4.get("remission_end_all_proportion") is not None:
        lines.append(
            f"Most patients improved at week 4 ({content.percent(r3['all_week4_response_proportion'])}), fewer were in remission "
            f"at the end of follow-up ({content.percent(r4['remission_end_all_proportion'])}), and "
            f"{r4.get('stopped_for_side_effects_all_events')} of {r4.get('stopped_for_side_effects_all_total')} stopped for side effects."
        )
    lines.append(
        "Without a control group and with groups this small, the series shows what happened to these patients; "
        "it cannot show that tacrolimus caused it, nor how often it would work elsewhere."
    )
    discrepancies, intro, more = None, "", 0
    if claims is not None:
        found = claims[claims["status"] == "discrepancy"].copy()
        graded = "grade" in found.columns
        if graded:
            order = {g: i for i, g in enumerate(GRADES)}
            found["_rank"] = found["grade"].map(lambda g: order.get(g, len(GRADES)))
            found = found.sort_values("_rank", kind="stable")
            intro = "Ordered by how much they matter, as graded by the claims audit (substantive first)."
        else:
            intro = "In the paper's order: this run's audit did not grade its discrepancies."
        discrepancies = [
            {
                "grade": (r.get("grade") or "not graded") if graded else "",
                "quote": r["quote"],
                "finding": _plain_finding(r),
            }
            for r in found.head(HANDOUT_MAX_DISCREPANCIES).to_dict("records")
        ]
        more = max(len(found) - HANDOUT_MAX_DISCREPANCIES, 0)
        if "holds_under_all_readings" in claims.columns:
            depends = int((claims["holds_under_all_readings"].str.lower().isin(["false", "no", "0"])).sum())
            intro += f" {depends} verdict{'' if depends == 1 else 's'} depend{'s' if depends == 1 else ''} on how a garbled table cell is read."
    figures = []
    for name in HANDOUT_FIGURES:
        path = figures_dir / f"{name}.png"
        if path.exists():
            record = manifest.get(name, {"alt": name, "caption": name})
            figures.append(
                {
                    "src": "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii"),
                    "alt": record["alt"],
                    "caption": record["caption"],
                    "width_mm": handout_figure_width_mm(path)[0],
                    "label_pt": handout_figure_width_mm(path)[1],
                }
            )
    transcription = (
        " The values were transcribed by hand from the paper's Tables 1-5 and Results text, as printed in an extraction "
        "whose table columns ran together; where a cell's reading needed judgement the data dictionary says so, and the "
        "verdicts that depend on it are marked in the claims audit. Table 3 (week 4) was lost: response is read from the text. "
        "Every number here is computed from those data; the paper's values appear only as quoted claims (long findings "
        "are cut, \u2026: claims.html has them whole)."
    )
    comparison = (
        " This cohort is not the paper's transcription: every number here is computed from its own tables, and the "
        "paper's values appear only beside them, as reported (notebook 07), never as verdicts."
    )
    provenance = [
        f"This run: {data['title'] or data['folder']}."
        + (" A synthetic cohort: its numbers say nothing about tacrolimus." if data["synthetic"] else "")
        + (transcription if claims is not None else comparison)
    ]
    return {
        "design": design[:3],
        "level": level,
        "key_rates": key_rates,
        "bottom_line": lines,
        "discrepancies": discrepancies,
        "discrepancy_intro": intro,
        "more": more,
        "figures": figures,
        "questions": content.discussion_questions(audited=claims is not None),
        "provenance": provenance,
    }


# --- appraisal ---------------------------------------------------------------------------------


def appraisal(infos: list, *, audited: bool = True) -> dict:
    """What the series can and cannot show, each point filled from the run's key results. On a
    cohort that is not the paper's (``audited`` False) nothing is said of the paper's patients, and
    the paper's conclusions are named as the paper's, not weighed against this cohort's rates."""
    results = {info.stem: info.key_results for info in infos}
    level = confidence_level(next((i.parameters for i in infos if "alpha" in i.parameters), {}))
    r3, r4, r5 = (results.get(s, {}) for s in ("03_short_term_outcomes", "04_medium_term_outcomes", "05_trough_levels"))
    n = r3.get("all_week4_response_total", r4.get("remission_end_all_total", "?"))
    points = []
    week4 = content.count_rate(r3, "all_week4_response", level)
    points.append(
        {
            "id": "no-control",
            "title": "No control group: response, not effect",
            "paragraphs": [
                f"Response at week 4 was {week4 or 'not computed in this run'}. Every patient was treated; none was "
                "followed without tacrolimus. The proportion who improved is therefore not the proportion who improved "
                "because of tacrolimus: spontaneous improvement, the other treatments and the way patients were chosen "
                "all contribute, and a case series cannot separate them.",
                (
                    'The paper concludes that oral tacrolimus is "well tolerated and effective"; what the series can '
                    "support is that these patients, on average, were better after treatment than before."
                    if audited
                    else 'The paper concluded from its own series that oral tacrolimus is "well tolerated and effective"; '
                    "what a series like this one can support is that its patients, on average, were better after "
                    "treatment than before."
                ),
            ],
            "source": "Grimes DA, Schulz KF. Descriptive studies: what they can and cannot do. Lancet 2002;359:145-149.",
        }
    )
    points.append(
        {
            "id": "regression-to-the-mean",
            "title": "Regression to the mean",
            "paragraphs": [
                "Patients start a new drug when their disease is at its worst. At the next measurement, activity tends "
                "to be lower whatever is done, so an uncontrolled fall in the CDAI overstates the drug's effect. The "
                "compendium cannot size this effect from these data: it needs untreated patients selected the same way."
            ],
            "source": "Barnett AG, van der Pols JC, Dobson AJ. Int J Epidemiol 2005;34:215-220.",
        }
    )
    points.append(
        {
            "id": "concurrent-treatment",
            "title": "Concurrent treatments",
            "paragraphs": [
                (
                    "Patients stayed on other treatments while on tacrolimus (Table 2 and the Results text: concurrent "
                    "thiopurines, steroids being tapered). Notebook 01 lists them. Any improvement belongs to the whole "
                    "regimen."
                    if audited
                    else "Patients in a series like this one often stay on other treatments while on tacrolimus; "
                    "notebook 01 lists the concurrent treatments this cohort's tables record. Where there are any, an "
                    "improvement belongs to the whole regimen."
                ),
                (
                    f"Steroids were stopped completely in {content.count_rate(r4, 'steroid_tapering_complete_all', level)}: "
                    "tapering is itself a change of treatment during follow-up."
                    if content.count_rate(r4, "steroid_tapering_complete_all", level)
                    else "Steroid tapering was not computed in this run."
                ),
            ],
            "source": "Ng SC, Arebi N, Kamm MA. Inflamm Bowel Dis 2007;13:129-134, Table 2." if audited else "",
        }
    )
    remission = content.count_rate(r4, "remission_end_all", level)
    ongoing = content.count_rate(r4, "ongoing_end_of_follow_up_all", level)
    points.append(
        {
            "id": "drop-outs",
            "title": "Drop-outs and the denominator",
            "paragraphs": [
                f"Counted over everyone treated (intention to treat), remission at the end of follow-up was "
                f"{remission or 'not computed'}, and {ongoing or 'an uncomputed number'} were still on tacrolimus. "
                f"{r4.get('remission_end_all_unknown', 'Some')} patient(s) had an unknown outcome. A rate over only "
                "those who stayed on treatment leaves out the patients for whom it failed, and is higher.",
            ],
            "source": "Hollis S, Campbell F. BMJ 1999;319:670-674.",
        }
    )
    stops = content.count_rate(r4, "stopped_for_side_effects_all", level)
    points.append(
        {
            "id": "side-effects",
            "title": "Side-effect stops, with their interval",
            "paragraphs": [
                f"Patients who stopped tacrolimus for side effects: {stops or 'not computed in this run'}. "
                f"The {level} interval is the range of true rates these patients are compatible with; the fewer the "
                "patients, the wider it is. "
                + (
                    'The paper\'s "well tolerated" and "adverse events were infrequent" should be read against this '
                    "rate, and against what a retrospective review can count: only what the records hold."
                    if audited
                    else "Whether treatment was well tolerated should be read against this rate, and against what the "
                    "records could count: only what they hold."
                ),
            ],
            "source": "Clopper CJ, Pearson ES. Biometrika 1934;26:404-413 (the exact interval).",
        }
    )
    if r5.get("n_patients_with_trough") is not None:
        p_remission = r5.get("p_mwu_trough_remission")
        # A cohort with no patient in one of the groups compared (one patient, say) gives no P value.
        compared = (
            f"gives P = {p_remission:.2f} ({r5.get('mwu_test_trough_remission', 'Mann-Whitney')})"
            if p_remission is not None
            else "gives no P value here (a group compared has no patient with a trough level)"
        )
        points.append(
            {
                "id": "dose-response",
                "title": "Trough levels and outcome",
                "paragraphs": [
                    f"Trough levels are given for {r5['n_patients_with_trough']} of {n} patients. Comparing levels with "
                    f"remission {compared}"
                    + (f": {content.p_value_reading(p_remission)}." if p_remission is not None else ".")
                ],
                "source": "Mann HB, Whitney DR. Ann Math Stat 1947;18:50-60.",
            }
        )
    points.append(
        {
            "id": "can-show",
            "title": "What the series can show",
            "paragraphs": [
                "That oral tacrolimus was given to patients with refractory disease, that many were better after a few "
                "weeks, how long they stayed on it, and which side effects made them stop. That is a reason to study "
                "tacrolimus in a controlled trial, not a measure of how well it works."
            ],
            "source": "",
        }
    )
    return {"n_patients": n, "points": points}


# --- slides ------------------------------------------------------------------------------------


def presenter_notebook(
    infos: list, figures_dir: Path, manifest: dict, *, audited: bool = True
) -> nbformat.NotebookNode:
    """The presenter notebook of the deck: a title slide, one to two slides per notebook with
    speaker notes (bottom line, then its first clinical figure), and a wrap-up slide whose
    questions fit the run (``content.discussion_questions``: on a cohort that is not the paper's,
    ``audited`` False, the comparison with the paper instead of its discrepancies)."""
    new_md, nb = nbformat.v4.new_markdown_cell, nbformat.v4.new_notebook()

    def slide(cell, kind="slide"):
        cell.metadata["slideshow"] = {"slide_type": kind}
        return cell

    c = PAPER_CITATION
    cells = [
        slide(
            new_md(
                f"# Oral tacrolimus in refractory IBD\n\n{c['authors']}. *{c['journal']}* {c['issue']}.\n\nA journal club from the reproducible compendium."
            )
        ),
        slide(
            new_md(
                "Introduce the question: a retrospective series, re-derived from its own tables. Say that every number "
                "on the slides was computed from the transcribed data."
            ),
            "notes",
        ),
    ]
    for info in infos:
        lines = "\n".join(f"- {line}" for line in info.bottom_line) or "- (no key results in this run)"
        cells.append(slide(new_md(f"## {info.title}\n\n{lines}")))
        notes = [f"Reader's edition: read/{info.stem}.html."]
        if info.question_html:
            import html as _html

            notes.append("The question: " + _html.unescape(re.sub(r"<[^>]+>", "", info.question_html)).strip())
        cells.append(slide(new_md("\n\n".join(notes)), "notes"))
        clinical = [f for f in info.figures if not f.get("appendix")]
        if clinical and (figures_dir / f"{clinical[0]['name']}.png").exists():
            figure = clinical[0]
            holder = nbformat.v4.new_code_cell("")
            holder.metadata["slideshow"] = {"slide_type": "slide"}
            png = base64.b64encode((figures_dir / f"{figure['name']}.png").read_bytes()).decode("ascii")
            holder.outputs = [
                nbformat.v4.new_output(
                    "display_data",
                    data={"image/png": png},
                    metadata={
                        "tacrolimus_ibd": {"figure": figure["name"], "alt": figure["alt"], "caption": figure["caption"]}
                    },
                )
            ]
            cells.append(holder)
            cells.append(slide(new_md(f"How to read it: {figure['caption']}"), "notes"))
    questions = "\n".join(f"{i}. {q}" for i, q in enumerate(content.discussion_questions(audited=audited), 1))
    cells.append(slide(new_md(f"## Wrap-up: for discussion\n\n{questions}")))
    cells.append(
        slide(
            new_md("Take two or three questions, clinical ones first; end on the bottom line of the handout."), "notes"
        )
    )
    nb.cells = cells
    for number, cell in enumerate(nb.cells):  # fixed ids: the same deck every build
        cell.id = f"slide-cell-{number}"
    nb.metadata["title"] = "Oral tacrolimus in refractory IBD: journal club slides"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def export_slides(nb) -> str:
    """The deck as one HTML page: nbconvert's slides exporter, reveal.js from the site's static/."""
    body, _ = slides_exporter().from_notebook_node(nb, resources={"metadata": {"name": "slides"}})
    return body


@functools.lru_cache(maxsize=1)
def slides_exporter():
    """The slides' exporter, made once (its templates are compiled on first use: see SiteStep)."""
    import jinja2
    from nbconvert import SlidesExporter

    return SlidesExporter(
        extra_loaders=[jinja2.FileSystemLoader(str(pages.TEMPLATES / "nbconvert"))],
        template_file="slides.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
        log=pages._QUIET_LOG,
    )


def timetable(*, audited: bool = True) -> tuple[list[dict], int]:
    """The session's rows (minutes, start, part, what, notebook) and its length; on a cohort that is
    not the paper's (``audited`` False) notebook 07's row is the comparison, not the audit."""
    rows, start = [], 0
    for minutes, part, what, stem in content.TIMETABLE:
        if stem == "07_claims_audit" and not audited:
            part, what = content.COMPARISON_TIMETABLE_ROW
        rows.append({"minutes": minutes, "start": start, "part": part, "what": what, "stem": stem})
        start += minutes
    return rows, start
