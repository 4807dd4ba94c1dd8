"""The static HTML report of a run: ``<output_dir>/site/``, opened straight from the file system.

``build_site(output_dir)`` turns a run's outputs (executed notebooks, figures and their manifest,
key results and, when notebook 07 ran, ``claims.csv``) into, from the jinja2 templates in
``templates/`` (shipped with the package):

- ``index.html``: the paper's citation, the run's data and parameters, the audit's counts, one
  entry per notebook (question, bottom line, figures) linking first to its reader's edition;
- ``read/NN_name.html``: each notebook's reader's edition (no code; see ``pages``);
- ``notebooks/NN_name.html``: each notebook in full, code included;
- ``claims.html``: the claims audit, to filter and sort (``static/claims.js``), each claim linked to
  the notebook section that computes it;
- ``summary.html``: the journal-club handout, two A4 sides;
- ``glossary.html``, ``appraisal.html``, ``journal-club.html`` (timetable), ``slides.html`` (a
  reveal.js deck from ``presenter.ipynb``, with reveal.js shipped in ``static/``);
- ``figures/``: copies of the figures, and ``static/``: the site's CSS and scripts.

Nothing is fetched from the network. The output depends only on the run's files: no timestamps
and no absolute paths, so a rerun gives byte-identical files.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from .. import claims as claims_module
from ..outputs import read_figure_manifest
from . import content, pages

SITE_DIR = "site"
CLAIMS_FILE = "claims.csv"
PACKAGE_DIR = Path(__file__).parent
TEMPLATES = PACKAGE_DIR / "templates"
STATIC = PACKAGE_DIR / "static"

#: The article this compendium re-derives (as in CITATION.cff's preferred-citation).
PAPER_CITATION = {
    "authors": "Ng SC, Arebi N, Kamm MA",
    "title": "Medium-term results of oral tacrolimus treatment in refractory inflammatory bowel disease",
    "journal": "Inflamm Bowel Dis",
    "issue": "2007;13(2):129-134",
    "doi": "10.1002/ibd.20052",
}

#: Claims audit statuses in display order, each with a reader's label (others are shown as named).
STATUS_LABELS = {
    "reproduced": "reproduced",
    "discrepancy": "discrepancy",
    "not_computable": "not computable",
    "ambiguous": "ambiguous",
    "circular": "circular",
}
#: Discrepancy grades of the audit, the one that matters most first.
GRADES = ("substantive", "minor", "wording", "transcription-dependent")

#: The notebook section that computes each theme of claims (claims.theme): (notebook, heading).
THEME_SECTIONS = {
    "cohort and previous treatment": ("01_cohort", "The text against the tables"),
    "methods": ("02_scoring", "The indices and the paper's definition of remission"),
    "response at week 4": ("03_short_term_outcomes", "Clinical response at week 4"),
    "medium-term outcome and follow-up": ("04_medium_term_outcomes", "Outcome at the end of follow-up"),
    "adverse effects": ("04_medium_term_outcomes", "Adverse effects and discontinuations"),
    "trough levels": ("05_trough_levels", "The reported mean and range against Table 5"),
    "other studies": ("06_literature_comparison", "Where the paper's account differs from the studies"),
}

#: Finer than the themes: claims (by id prefix, first match) and the section that computes them.
CLAIM_SECTIONS = (
    ("cdai-", ("03_short_term_outcomes", "The CDAI reduction and its P-value")),
    ("cd-stool", ("03_short_term_outcomes", "Stool frequency in Crohn's disease")),
    ("abstract-stool", ("03_short_term_outcomes", "Stool frequency in Crohn's disease")),
    ("uc-week4", ("03_short_term_outcomes", "Ulcerative colitis: Truelove-Witts grades at week 4")),
    ("pouch-", ("03_short_term_outcomes", "Pouchitis")),
    ("tx-", ("01_cohort", "Table 2: previous and concurrent treatment")),
    ("table2-", ("01_cohort", "Table 2: previous and concurrent treatment")),
    ("cd-relapse", ("04_medium_term_outcomes", "Relapse")),
    ("uc-relapses", ("04_medium_term_outcomes", "Relapse")),
    ("uc-remission-tapering", ("04_medium_term_outcomes", "Steroid tapering")),
    ("uc-steroid", ("04_medium_term_outcomes", "Steroid tapering")),
    ("disc-steroid", ("04_medium_term_outcomes", "Steroid tapering")),
    ("fistula-", ("04_medium_term_outcomes", "Perianal fistulas")),
    ("cd-fistula-perianal", ("04_medium_term_outcomes", "Perianal fistulas")),
    ("disc-fistula", ("04_medium_term_outcomes", "Perianal fistulas")),
    ("duration-", ("04_medium_term_outcomes", "How long did patients stay on tacrolimus?")),
)

#: The handout's figures (clinical questions, one per part of the paper), in order.
HANDOUT_FIGURES = ("week4_response_intervals", "km_time_on_tacrolimus", "cdai_scale_reported")
#: Printed figure labels are at least this size (points) on the handout, and figures at least this wide.
HANDOUT_MIN_LABEL_PT, HANDOUT_MIN_FIGURE_MM = 7.0, 80.0
#: The smallest text the figures draw (plots.py's fontsize=8 labels), in points at natural size.
FIGURE_SMALLEST_LABEL_PT = 8.0
#: The width of the handout's text (A4 less its margins), in mm.
HANDOUT_TEXT_WIDTH_MM = 186.0
#: At most this many discrepancies are written out on the handout (every one is in claims.html).
HANDOUT_MAX_DISCREPANCIES = 7
#: Longer findings are cut at a word boundary on the handout (whole in claims.html).
HANDOUT_FINDING_CHARS = 240


@dataclass
class NotebookInfo:
    """What the site shows of one executed notebook."""

    stem: str
    title: str
    question_html: str
    figures: list[dict] = field(default_factory=list)  # manifest records + "section", in display order
    parameters: dict = field(default_factory=dict)  # papermill parameters, as injected
    key_results: dict = field(default_factory=dict)
    bottom_line: list[str] = field(default_factory=list)


def _markdown(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text).strip()


def notebook_info(path: Path, *, key_results_dir: Path | None = None, manifest: dict | None = None) -> NotebookInfo:
    """Title (the first ``# `` heading), question, figures shown and parameters of an executed notebook.

    Figures are those the notebook displayed through ``plots.save_figure`` (named in the output's
    metadata), described by the run's figures manifest.
    """
    nb = nbformat.read(path, as_version=4)
    return _info(nb, path.stem, key_results_dir=key_results_dir, manifest=manifest)


def _info(nb, stem: str, *, key_results_dir: Path | None = None, manifest: dict | None = None) -> NotebookInfo:
    title, question = stem, ""
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    if markdown:
        for line in markdown[0].splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
                break
        for paragraph in markdown[0].split("\n\n"):
            if paragraph.lstrip().startswith("**Question"):
                question = _markdown(paragraph.strip())
                break
    figures, seen = [], set()
    for name, section in pages.figure_outputs(nb):
        if name in seen:
            continue
        seen.add(name)
        record = dict((manifest or {}).get(name) or {"name": name, "alt": f"Figure {name}", "caption": name, "appendix": False})
        record["section"] = section
        figures.append(record)
    parameters = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
    results = {}
    if key_results_dir is not None and (key_results_dir / f"{stem}.json").exists():
        results = json.loads((key_results_dir / f"{stem}.json").read_text(encoding="utf-8"))
    info = NotebookInfo(stem, title, question, figures, parameters, results)
    info.bottom_line = bottom_line(stem, results, level=_level(parameters))
    if stem == "01_cohort" and key_results_dir is not None:
        info.bottom_line += _cohort_bottom_line(key_results_dir.parent / "tables" / "cohort_text_vs_tables.csv")
    return info


def _cohort_bottom_line(path: Path) -> list[str]:
    """Notebook 01 saves no key results: its bottom line counts its text-against-tables checks."""
    if not path.exists():
        return []
    checks = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "status" not in checks:
        return []
    disagree = int((checks["status"] == "discrepancy").sum())
    return [f"Of {len(checks)} statements of the text about the cohort checked against Tables 1-2, {disagree} disagree with the tables."]


def _level(parameters: dict) -> str:
    """The confidence level of the notebooks' intervals ("95%"), from their ``alpha`` parameter."""
    alpha = parameters.get("alpha", 0.05)  # the notebooks' default
    return f"{100 * (1 - float(alpha)):g}%"


def bottom_line(stem: str, results: dict, *, level: str = "95%") -> list[str]:
    """A notebook's bottom line: short sentences filled from its key results (none when absent)."""
    lines = []
    for notebook, prefix, label in content.KEY_RATES:
        if notebook == stem:
            text = content.count_rate(results, prefix, level)
            if text:
                lines.append(f"{label}: {text}.")
    r = results
    if stem == "02_scoring" and r.get("cdai_week0_median_reported") is not None:
        lines.append(
            f"The reported median CDAI falls from {r['cdai_week0_median_reported']:g} ({r.get('cdai_week0_median_category')}) "
            f"to {r.get('cdai_week4_median_reported'):g} ({r.get('cdai_week4_median_category')}): "
            f"{r.get('cdai_week4_median_points_above_remission_cutoff', float('nan')):g} points above the remission cut-off."
        )
    if stem == "03_short_term_outcomes" and r.get("week4_response_basis_inferred") is not None:
        lines.append(
            f"Who responded is stated for {r['week4_response_basis_stated']} patients and inferred for "
            f"{r['week4_response_basis_inferred']}: Table 3 was lost in the extraction."
        )
    if stem == "05_trough_levels" and r.get("n_patients_with_trough") is not None:
        lines.append(
            f"{r['n_patients_with_trough']} patients have trough levels; mean levels were below the target band in "
            f"{r.get('n_mean_below_band')}, in it in {r.get('n_mean_in_band')} and above it in {r.get('n_mean_above_band')}."
        )
        if r.get("p_mwu_trough_remission") is not None:
            lines.append(f"Trough level against remission: P = {r['p_mwu_trough_remission']:.2f} (exact Mann-Whitney); no relation shown.")
    if stem == "06_literature_comparison" and r.get("pooled_response_published_series") is not None:
        lines.append(
            f"Pooled response of the published series: {content.percent(r['pooled_response_published_series'])} "
            f"({level} CI {content.percent(r.get('pooled_response_published_series_ci_low'))} to "
            f"{content.percent(r.get('pooled_response_published_series_ci_high'))}), I\u00b2 "
            f"{content.percent(r.get('pooled_response_published_series_i2'))}: the studies disagree."
        )
    if stem == "07_claims_audit" and r.get("claims_total") is not None:
        counts = ", ".join(
            f"{r[k]} {k.removeprefix('claims_').replace('_', ' ')}" for k in sorted(r) if k.startswith("claims_") and k not in ("claims_total", "claims_resting_on_text_only")
        )
        lines.append(f"Of the paper's {r['claims_total']} numeric claims: {counts}.")
    return lines


def read_claims(output_dir: str | Path) -> pd.DataFrame | None:
    """The claims audit (``claims.csv`` of notebook 07), or None when the audit did not run."""
    path = Path(output_dir) / CLAIMS_FILE
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def status_counts(claims: pd.DataFrame) -> dict[str, int]:
    """Claims per audit status: the three basic statuses in order (zeros kept), then any other present."""
    counts = claims["status"].value_counts()
    ordered = {status: int(counts.get(status, 0)) for status in ("reproduced", "discrepancy", "not_computable")}
    ordered.update({s: int(counts[s]) for s in STATUS_LABELS if s in counts and s not in ordered})
    ordered.update({status: int(n) for status, n in sorted(counts.items()) if status not in ordered})
    return ordered


def status_colours() -> dict[str, str]:
    """The project's one map from audit status to colour (``claims.STATUS_COLOURS``)."""
    return dict(claims_module.STATUS_COLOURS)


def _data_dir_from_notebooks(output_dir: Path, notebooks: list[Path]) -> Path | None:
    """The run's data folder, from the parameters papermill recorded (relative to the notebooks)."""
    for path in notebooks:
        params = nbformat.read(path, as_version=4).metadata.get("papermill", {}).get("parameters", {})
        data_rel, out_rel = params.get("data_dir"), params.get("output_dir")
        if isinstance(data_rel, str) and isinstance(out_rel, str):
            # Both are relative to the same folder (the notebooks'), so one follows from the other.
            return Path(os.path.normpath(output_dir / os.path.relpath(data_rel, out_rel)))
    return None


def _data_description(data_dir: Path | None) -> dict:
    if data_dir is None:
        return {"folder": "unknown", "title": "", "description": "", "synthetic": False}
    try:
        package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        package = {}
    title, description = str(package.get("title", "")), str(package.get("description", ""))
    return {
        "folder": data_dir.name,
        "title": title,
        "description": description,
        "synthetic": "synthetic" in (title + " " + description).lower(),
    }


def _format_value(value) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@functools.lru_cache(maxsize=1)
def environment():
    """The jinja2 environment of the site's pages (autoescaped, templates from the package)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "site")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["value"] = _format_value
    return env


def render(template: str, **context) -> str:
    base = {"status_colours": status_colours(), "status_labels": STATUS_LABELS, "body_class": ""}
    return environment().get_template(template).render(**(base | context))


def _parameters_table(infos: list[NotebookInfo]) -> str:
    seen: dict[str, object] = {}
    for info in infos:
        for key, value in info.parameters.items():
            if key not in ("data_dir", "output_dir"):
                seen.setdefault(key, value)
    if not seen:
        return ""
    frame = pd.DataFrame({"parameter": list(sorted(seen)), "value": [_format_value(seen[k]) for k in sorted(seen)]})
    return frame.to_html(index=False, border=0, classes="parameters")


# --- claims ------------------------------------------------------------------------------------


def claim_links(claims: pd.DataFrame, anchors: dict[str, dict[str, str]]) -> list[str]:
    """For each claim, the site-relative link to the reader's section that computes it.

    ``anchors`` maps a notebook to {heading text: id} of its rendered reader's page. A claim whose
    section is not in this run links to the claims audit notebook, or to nothing ("").
    """
    links = []
    for claim_id in claims["claim_id"]:
        finer = [section for prefix, section in CLAIM_SECTIONS if claim_id.startswith(prefix)]
        stem, heading = finer[0] if finer else THEME_SECTIONS.get(claims_module.theme(claim_id), ("07_claims_audit", ""))
        ids = anchors.get(stem)
        if ids is None:
            links.append("")
        else:
            links.append(f"read/{stem}.html" + (f"#{ids[heading]}" if heading in ids else ""))
    return links


def _claims_table(claims: pd.DataFrame, links: list[str]) -> str:
    import html

    esc = functools.partial(html.escape, quote=True)
    frame = pd.DataFrame(
        {
            "claim": [
                f'<a href="{esc(link)}">{esc(cid)}</a>' if link else esc(cid) for cid, link in zip(claims["claim_id"], links)
            ],
            "section": claims["section"].map(esc),
            "the paper says": claims["quote"].map(esc),
            "reported": claims["reported"].map(lambda v: esc(v.replace(";", "; "))),
            "the data give": claims.get("computed", pd.Series([""] * len(claims))).map(esc),
            "status": claims["status"].map(lambda s: f'<span class="status status-{esc(s)}">{esc(STATUS_LABELS.get(s, s))}</span>'),
            "grade": claims["grade"].map(esc) if "grade" in claims else None,
            "note": claims.get("note", pd.Series([""] * len(claims))).map(esc),
        }
    )
    if "grade" not in claims:  # an audit without grades (before the claims audit graded discrepancies)
        frame = frame.drop(columns="grade")
    table = frame.to_html(index=False, escape=False, border=0, table_id="claims-table", classes="claims")
    widths = (8, 6, 24, 12, 14, 9, 8, 19) if "grade" in claims else (9, 6, 26, 13, 15, 10, 21)
    colgroup = "<colgroup>" + "".join(f'<col style="width: {w}%">' for w in widths) + "</colgroup>"
    return table.replace("<thead>", colgroup + "<thead>", 1)


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
    return _clip(f"The paper reports {reported.replace(';', '; ')}; the data give {computed or 'nothing computable'}.", HANDOUT_FINDING_CHARS)


def _handout(infos: list[NotebookInfo], figures_dir: Path, manifest: dict, claims: pd.DataFrame | None, data: dict) -> dict:
    results = {info.stem: info.key_results for info in infos}
    level = _level(next((i.parameters for i in infos if "alpha" in i.parameters), {}))
    r3, r4 = results.get("03_short_term_outcomes", {}), results.get("04_medium_term_outcomes", {})
    design = []
    if r3.get("all_week4_response_total") is not None:
        design.append(
            f"Retrospective case series from one centre: {r3['all_week4_response_total']} patients with refractory IBD "
            f"({r3.get('cd_week4_response_total')} Crohn's disease, {r3.get('uc_week4_response_total')} ulcerative colitis, "
            f"{r3.get('pouchitis_week4_response_total')} pouchitis) given oral tacrolimus; no control group."
        )
    else:
        design.append("Retrospective case series from one centre of patients with refractory IBD given oral tacrolimus; no control group.")
    design.append("Outcomes: clinical response at week 4 (activity indices, some estimated from the records) and the outcome at the end of follow-up.")
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
            {"grade": (r.get("grade") or "not graded") if graded else "", "quote": r["quote"], "finding": _plain_finding(r)}
            for r in found.head(HANDOUT_MAX_DISCREPANCIES).to_dict("records")
        ]
        more = max(len(found) - HANDOUT_MAX_DISCREPANCIES, 0)
        if "holds_under_all_readings" in claims.columns:
            depends = int((claims["holds_under_all_readings"].str.lower().isin(["false", "no", "0"])).sum())
            intro += f" {depends} verdicts depend on how a garbled table cell is read."
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
    provenance = [
        f"This run: {data['title'] or data['folder']}."
        + (" A synthetic cohort: its numbers say nothing about tacrolimus." if data["synthetic"] else "")
        + " The values were transcribed by hand from the paper's Tables 1-5 and Results text, as printed in an extraction "
        "whose table columns ran together; where a cell's reading needed judgement the data dictionary says so, and the "
        "verdicts that depend on it are marked in the claims audit. Table 3 (week 4) was lost: response is read from the text. "
        "Every number here is computed from those data; the paper's values appear only as quoted claims (long findings "
        "are cut, \u2026: claims.html has them whole).",
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
        "questions": content.DISCUSSION_QUESTIONS,
        "provenance": provenance,
    }


# --- appraisal ---------------------------------------------------------------------------------


def _appraisal(infos: list[NotebookInfo]) -> dict:
    """What the series can and cannot show, each point filled from the run's key results."""
    results = {info.stem: info.key_results for info in infos}
    level = _level(next((i.parameters for i in infos if "alpha" in i.parameters), {}))
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
                "The paper concludes that oral tacrolimus is \"well tolerated and effective\"; what the series can support "
                "is that these patients, on average, were better after treatment than before.",
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
                "Patients stayed on other treatments while on tacrolimus (Table 2 and the Results text: concurrent "
                "thiopurines, steroids being tapered). Notebook 01 lists them. Any improvement belongs to the whole regimen.",
                (
                    f"Steroids were stopped completely in {content.count_rate(r4, 'steroid_tapering_complete_all', level)}: "
                    "tapering is itself a change of treatment during follow-up."
                    if content.count_rate(r4, "steroid_tapering_complete_all", level)
                    else "Steroid tapering was not computed in this run."
                ),
            ],
            "source": "Ng SC, Arebi N, Kamm MA. Inflamm Bowel Dis 2007;13:129-134, Table 2.",
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
                "With so few patients, the interval is wide: the true rate could be several times smaller or larger. "
                "The paper's \"well tolerated\" and \"adverse events were infrequent\" should be read against this rate, "
                "and against what a retrospective review can count: only what the records hold.",
            ],
            "source": "Clopper CJ, Pearson ES. Biometrika 1934;26:404-413 (the exact interval).",
        }
    )
    if r5.get("n_patients_with_trough") is not None:
        points.append(
            {
                "id": "dose-response",
                "title": "Trough levels and outcome",
                "paragraphs": [
                    f"Trough levels are given for {r5['n_patients_with_trough']} of {n} patients. Comparing levels with "
                    f"remission gives P = {r5.get('p_mwu_trough_remission', float('nan')):.2f} (exact Mann-Whitney): "
                    "no relation can be shown, and with this few patients none could be excluded either."
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


def presenter_notebook(infos: list[NotebookInfo], figures_dir: Path, manifest: dict) -> nbformat.NotebookNode:
    """The presenter notebook of the deck: a title slide, one to two slides per notebook with
    speaker notes (bottom line, then its first clinical figure), and a wrap-up slide."""
    new_md, nb = nbformat.v4.new_markdown_cell, nbformat.v4.new_notebook()

    def slide(cell, kind="slide"):
        cell.metadata["slideshow"] = {"slide_type": kind}
        return cell

    c = PAPER_CITATION
    cells = [
        slide(new_md(f"# Oral tacrolimus in refractory IBD\n\n{c['authors']}. *{c['journal']}* {c['issue']}.\n\nA journal club from the reproducible compendium.")),
        slide(new_md("Introduce the question: a retrospective series, re-derived from its own tables. Say that every number "
                     "on the slides was computed from the transcribed data."), "notes"),
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
                    metadata={"tacrolimus_ibd": {"figure": figure["name"], "alt": figure["alt"], "caption": figure["caption"]}},
                )
            ]
            cells.append(holder)
            cells.append(slide(new_md(f"How to read it: {figure['caption']}"), "notes"))
    questions = "\n".join(f"{i}. {q}" for i, q in enumerate(content.DISCUSSION_QUESTIONS, 1))
    cells.append(slide(new_md(f"## Wrap-up: for discussion\n\n{questions}")))
    cells.append(slide(new_md("Take two or three questions, clinical ones first; end on the bottom line of the handout."), "notes"))
    nb.cells = cells
    for number, cell in enumerate(nb.cells):  # fixed ids: the same deck every build
        cell.id = f"slide-cell-{number}"
    nb.metadata["title"] = "Oral tacrolimus in refractory IBD: journal club slides"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def export_slides(nb) -> str:
    """The deck as one HTML page: nbconvert's slides exporter, reveal.js from the site's static/."""
    import jinja2
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        extra_loaders=[jinja2.FileSystemLoader(str(TEMPLATES / "nbconvert"))],
        template_file="slides.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
        log=pages._QUIET_LOG,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": "slides"}})
    return body


def _timetable() -> tuple[list[dict], int]:
    rows, start = [], 0
    for minutes, part, what, stem in content.TIMETABLE:
        rows.append({"minutes": minutes, "start": start, "part": part, "what": what, "stem": stem})
        start += minutes
    return rows, start


# --- the build ---------------------------------------------------------------------------------


def render_notebook_pages(path: Path, info: NotebookInfo, manifest: dict, *, synthetic: bool = False) -> tuple[str, str]:
    """(full page, reader's page) of an executed notebook, the neighbours' links left as a placeholder."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata["title"] = info.title
    described = {name: record for name, record in manifest.items()}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("tacrolimus_ibd", {}).get("figure")
            if name in described:
                output.metadata["tacrolimus_ibd"].update(alt=described[name]["alt"], caption=described[name]["caption"])
    full = pages.export(nb, name=path.stem, reader=False)
    reader_nb = pages.reader_notebook(
        nb,
        figures=described,
        bottom_line=info.bottom_line,
        full_href=f"../notebooks/{path.stem}.html",
        glossary_href="../glossary.html",
        synthetic=synthetic,
    )
    reader = pages.fill_toc(pages.export(reader_nb, name=path.stem, reader=True))
    return full, reader


def build_site(
    output_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    site_dir: str | Path | None = None,
    prerendered: dict[Path, tuple[str, str]] | None = None,
) -> Path:
    """Write the static report of the run in ``output_dir`` to ``site_dir`` (default output_dir/site).

    ``data_dir`` is the run's data folder (its data dictionary's title is shown, and a synthetic
    cohort is flagged); by default it is found from the parameters papermill recorded.
    The folder is rebuilt from scratch, so it holds exactly what the outputs give.
    ``prerendered`` maps executed notebooks to their pages already rendered (see SiteStep).
    """
    output_dir = Path(output_dir)
    site = Path(site_dir) if site_dir is not None else output_dir / SITE_DIR
    notebooks = sorted((output_dir / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    figures_dir = output_dir / "figures"
    if data_dir is None:
        data_dir = _data_dir_from_notebooks(output_dir, notebooks)
    data = _data_description(Path(data_dir) if data_dir is not None else None)
    manifest = read_figure_manifest(output_dir)
    infos = [notebook_info(p, key_results_dir=output_dir / "key_results", manifest=manifest) for p in notebooks]
    for info in infos:  # a figure shown but not written (e.g. a run without output_dir) is not listed
        info.figures = [f for f in info.figures if (figures_dir / f"{f['name']}.png").exists()]
    attributed = {f["name"] for info in infos for f in info.figures}
    all_figures = sorted(p.stem for p in figures_dir.glob("*.png")) if figures_dir.is_dir() else []
    other_figures = [
        manifest.get(name, {"name": name, "alt": f"Figure {name}", "caption": name}) for name in all_figures if name not in attributed
    ]
    claims = read_claims(output_dir)

    shutil.rmtree(site, ignore_errors=True)
    for folder in ("notebooks", "read", "static"):
        (site / folder).mkdir(parents=True)
    shutil.copytree(STATIC, site / "static", dirs_exist_ok=True)
    if all_figures:
        (site / "figures").mkdir()
        for name in all_figures:
            shutil.copyfile(figures_dir / f"{name}.png", site / "figures" / f"{name}.png")

    def write(relative: str, text: str) -> None:
        (site / relative).write_text(text, encoding="utf-8", newline="\n")

    anchors: dict[str, dict[str, str]] = {}
    for i, path in enumerate(notebooks):
        info = infos[i]
        full, reader = (prerendered or {}).get(path.resolve()) or render_notebook_pages(path, info, manifest, synthetic=data["synthetic"])
        ids = {text: ident for level, ident, text in pages.headings(reader)}
        anchors[path.stem] = ids
        for figure in info.figures:
            figure["anchor"] = ids.get(figure["section"], "")
        for folder, page in (("notebooks", full), ("read", reader)):
            nav = []
            if i > 0:
                nav.append(f'<a href="{notebooks[i - 1].stem}.html">&larr; {_html_escape(infos[i - 1].title)}</a>')
            if i + 1 < len(notebooks):
                nav.append(f'<a href="{notebooks[i + 1].stem}.html">{_html_escape(infos[i + 1].title)} &rarr;</a>')
            write(f"{folder}/{path.stem}.html", page.replace(pages.NAV_PLACEHOLDER, "".join(nav)))

    counts = status_counts(claims) if claims is not None else None
    common = {"data": data, "paper": PAPER_CITATION, "counts": counts}
    write(
        "index.html",
        render(
            "index.html.j2",
            notebooks=infos,
            other_figures=other_figures,
            parameters=_parameters_table(infos),
            link_claims=claims is not None,
            **common,
        ),
    )
    write("summary.html", render("summary.html.j2", **common, **_handout(infos, figures_dir, manifest, claims, data)))
    if claims is not None:
        links = claim_links(claims, anchors)
        write(
            "claims.html",
            render(
                "claims.html.j2",
                table=_claims_table(claims, links),
                filter_columns=["status", "grade", "section"] if "grade" in claims else ["status", "section"],
                link_claims=False,
                body_class="wide",
                **common,
            ),
        )
    write("glossary.html", render("glossary.html.j2", terms=content.GLOSSARY, **common))
    write("appraisal.html", render("appraisal.html.j2", a=_appraisal(infos), **common))
    rows, total = _timetable()
    write("journal-club.html", render("journal-club.html.j2", timetable=rows, total_minutes=total, questions=content.DISCUSSION_QUESTIONS, **common))
    deck = presenter_notebook(infos, figures_dir, manifest)
    write("presenter.ipynb", nbformat.writes(deck) + "\n")
    write("slides.html", export_slides(deck))
    return site


def _html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


class SiteStep:
    """A ``pipeline.reproduce`` extra step that builds the site inside the staging folder.

    ``notebook_done`` renders a notebook's pages as soon as that notebook has run, while the
    others still run, so that only the index pages are left for the end.
    """

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = data_dir
        self.pages: dict[Path, tuple[str, str]] = {}

    def notebook_done(self, executed: Path) -> None:
        output_dir = executed.parent.parent
        manifest = read_figure_manifest(output_dir)
        info = notebook_info(executed, key_results_dir=output_dir / "key_results", manifest=manifest)
        data_dir = self.data_dir if self.data_dir is not None else _data_dir_from_notebooks(output_dir, [executed])
        data = _data_description(Path(data_dir) if data_dir is not None else None)
        self.pages[executed.resolve()] = render_notebook_pages(executed, info, manifest, synthetic=data["synthetic"])

    def __call__(self, staging: Path) -> None:
        build_site(staging, data_dir=self.data_dir, prerendered=self.pages)


def site_step(data_dir: str | Path | None = None) -> SiteStep:
    """The site as a ``pipeline.reproduce`` extra step (see SiteStep)."""
    return SiteStep(data_dir)
