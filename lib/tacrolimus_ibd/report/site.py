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

import functools
import importlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from .. import claims as claims_module
from ..outputs import read_figure_manifest
from . import content, pages
from .content import PAPER_CITATION, confidence_level
from .teaching import appraisal, export_slides, handout, presenter_notebook, slides_exporter, timetable

SITE_DIR = "site"
CLAIMS_FILE = "claims.csv"
PACKAGE_DIR = Path(__file__).parent
TEMPLATES = PACKAGE_DIR / "templates"
STATIC = PACKAGE_DIR / "static"

#: Claims audit statuses in display order, each with a reader's label (others are shown as named).
STATUS_LABELS = {status: status.replace("_", " ") for status in claims_module.STATUSES}
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

#: The audit's column saying whether a verdict holds under every reading of a garbled cell.
READINGS_COLUMN = "holds_under_all_readings"

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
        record = dict(
            (manifest or {}).get(name) or {"name": name, "alt": f"Figure {name}", "caption": name, "appendix": False}
        )
        record["section"] = section
        figures.append(record)
    parameters = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
    results = {}
    if key_results_dir is not None and (key_results_dir / f"{stem}.json").exists():
        results = json.loads((key_results_dir / f"{stem}.json").read_text(encoding="utf-8"))
    info = NotebookInfo(stem, title, question, figures, parameters, results)
    info.bottom_line = bottom_line(stem, results, level=confidence_level(parameters))
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
    return [
        f"Of {len(checks)} statements of the text about the cohort checked against Tables 1-2, {disagree} disagree with the tables."
    ]


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
        # Words true of any cohort: why responses had to be inferred (the paper's lost Table 3) is
        # the notebook's to say, on the paper's data only.
        stated, inferred = r["week4_response_basis_stated"], r["week4_response_basis_inferred"]
        lines.append(
            f"Who responded at week 4 is stated patient by patient for {stated} patients and inferred from a group "
            f"statement for {inferred}."
            if inferred
            else f"Who responded at week 4 is stated patient by patient for all {stated} patients with a week-4 result."
        )
    if stem == "05_trough_levels" and r.get("n_patients_with_trough") is not None:
        lines.append(
            f"{r['n_patients_with_trough']} patients have trough levels; mean levels were below the target band in "
            f"{r.get('n_mean_below_band')}, in it in {r.get('n_mean_in_band')} and above it in {r.get('n_mean_above_band')}."
        )
        if r.get("p_mwu_trough_remission") is not None:
            lines.append(
                f"Trough level against remission: P = {r['p_mwu_trough_remission']:.2f} "
                f"({r.get('mwu_test_trough_remission', 'Mann-Whitney')}): "
                f"{content.p_value_reading(r['p_mwu_trough_remission'])}."
            )
    if stem == "06_literature_comparison" and r.get("pooled_response_published_series") is not None:
        lines.append(
            f"Pooled response of the published series: {content.percent(r['pooled_response_published_series'])} "
            f"({level} CI {content.percent(r.get('pooled_response_published_series_ci_low'))} to "
            f"{content.percent(r.get('pooled_response_published_series_ci_high'))}), I\u00b2 "
            f"{content.percent(r.get('pooled_response_published_series_i2'))}: the studies disagree."
        )
    if stem == "07_claims_audit" and r.get("claims_total") is not None:
        counts = ", ".join(
            f"{r[k]} {k.removeprefix('claims_').replace('_', ' ')}"
            for k in sorted(r)
            if k.startswith("claims_") and k not in ("claims_total", "claims_resting_on_text_only")
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
    """Claims per audit status: every status of the audit in its order (zeros kept), then any other present."""
    counts = claims["status"].value_counts()
    ordered = {status: int(counts.get(status, 0)) for status in claims_module.STATUSES}
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
        return {"folder": "unknown", "title": "", "description": "", "design": "", "synthetic": False}
    try:
        package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        package = {}
    if not isinstance(package, dict):  # a dictionary that is not a JSON object describes nothing
        package = {}
    title, description = str(package.get("title", "")), str(package.get("description", ""))
    described = package.get("cohortDescription")
    design = described.get("design", "") if isinstance(described, dict) else ""
    return {
        "folder": data_dir.name,
        "title": title,
        "description": description,
        "design": str(design),  # the cohort's own words for its design (cohortDescription), if any
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
    # The audit's own theme column where the run wrote one; the ledger's otherwise.
    if "theme" in claims.columns:
        themes = claims["theme"]
    else:  # a claims.csv without themes: the ledger's, for the claims it holds
        ledger_themes = claims_module.load_ledger().set_index("claim_id")["theme"]
        themes = claims["claim_id"].map(lambda claim_id: ledger_themes.get(claim_id))
    for claim_id, theme in zip(claims["claim_id"], themes, strict=True):
        finer = [section for prefix, section in CLAIM_SECTIONS if claim_id.startswith(prefix)]
        stem, heading = finer[0] if finer else THEME_SECTIONS.get(theme, ("07_claims_audit", ""))
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
                f'<a href="{esc(link)}">{esc(cid)}</a>' if link else esc(cid)
                for cid, link in zip(claims["claim_id"], links, strict=True)
            ],
            "section": claims["section"].map(esc),
            "the paper says": claims["quote"].map(esc),
            "reported": claims["reported"].map(lambda v: esc(v.replace(";", "; "))),
            "the data give": claims.get("computed", pd.Series([""] * len(claims))).map(esc),
            "status": claims["status"].map(
                lambda s: f'<span class="status status-{esc(s)}">{esc(STATUS_LABELS.get(s, s))}</span>'
            ),
            "grade": claims["grade"].map(esc) if "grade" in claims else None,
            "note": claims.get("note", pd.Series([""] * len(claims))).map(esc),
        }
    )
    if "grade" not in claims:  # an audit without grades (before the claims audit graded discrepancies)
        frame = frame.drop(columns="grade")
    if READINGS_COLUMN in claims:  # whether the verdict depends on how a garbled cell is read
        frame["holds under all readings"] = claims[READINGS_COLUMN].map(esc)
    table = frame.to_html(index=False, escape=False, border=0, table_id="claims-table", classes="claims")
    widths = [8, 6, 24, 12, 14, 9, 8, 19] if "grade" in claims else [9, 6, 26, 13, 15, 10, 21]
    if READINGS_COLUMN in claims:
        widths = [round(w * 0.93) for w in widths] + [7]
    colgroup = "<colgroup>" + "".join(f'<col style="width: {w}%">' for w in widths) + "</colgroup>"
    return table.replace("<thead>", colgroup + "<thead>", 1)


# --- the build ---------------------------------------------------------------------------------


def render_notebook_pages(
    path: Path, info: NotebookInfo, manifest: dict, *, synthetic: bool = False
) -> tuple[str, str]:
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
        manifest.get(name, {"name": name, "alt": f"Figure {name}", "caption": name})
        for name in all_figures
        if name not in attributed
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
        full, reader = (prerendered or {}).get(path.resolve()) or render_notebook_pages(
            path, info, manifest, synthetic=data["synthetic"]
        )
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

    audited = claims is not None  # the paper's own transcription: its claims audited (else a comparison)
    counts = status_counts(claims) if audited else None
    # A cohort that is not the paper's gets a comparison from notebook 07 (claims_comparison.csv), not verdicts.
    compared = output_dir / claims_module.COMPARISON_FILE
    comparison = len(pd.read_csv(compared, dtype=str)) if claims is None and compared.is_file() else None
    common = {
        "data": data,
        "paper": PAPER_CITATION,
        "counts": counts,
        "comparison": comparison,
        "audited": audited,
    }
    write(
        "index.html",
        render(
            "index.html.j2",
            notebooks=infos,
            other_figures=other_figures,
            parameters=_parameters_table(infos),
            link_claims=audited,
            **common,
        ),
    )
    write("summary.html", render("summary.html.j2", **common, **handout(infos, figures_dir, manifest, claims, data)))
    if claims is not None:
        links = claim_links(claims, anchors)
        write(
            "claims.html",
            render(
                "claims.html.j2",
                table=_claims_table(claims, links),
                filter_columns=[c for c in ("status", "grade", "section") if c in claims]
                + (["holds under all readings"] if READINGS_COLUMN in claims else []),
                link_claims=False,
                body_class="wide",
                **common,
            ),
        )
    write("glossary.html", render("glossary.html.j2", terms=content.GLOSSARY, **common))
    write("appraisal.html", render("appraisal.html.j2", a=appraisal(infos, audited=audited), **common))
    rows, total = timetable(audited=audited)
    write(
        "journal-club.html",
        render(
            "journal-club.html.j2",
            timetable=rows,
            total_minutes=total,
            questions=content.discussion_questions(audited=audited),
            **common,
        ),
    )
    deck = presenter_notebook(infos, figures_dir, manifest, audited=audited)
    write("presenter.ipynb", nbformat.writes(deck) + "\n")
    write("slides.html", export_slides(deck))
    return site


def _html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


class SiteStep:
    """A ``pipeline.reproduce`` extra step that builds the site inside the staging folder.

    ``prepare`` compiles the templates while the first kernels start; ``notebook_done`` renders a
    notebook's pages as soon as that notebook has run, while the others still run, so that only
    the index pages are left for the end.
    """

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = data_dir
        self.pages: dict[Path, tuple[str, str]] = {}
        self.warm = False

    def notebook_done(self, executed: Path) -> None:
        output_dir = executed.parent.parent
        manifest = read_figure_manifest(output_dir)
        info = notebook_info(executed, key_results_dir=output_dir / "key_results", manifest=manifest)
        data_dir = self.data_dir if self.data_dir is not None else _data_dir_from_notebooks(output_dir, [executed])
        data = _data_description(Path(data_dir) if data_dir is not None else None)
        full, reader = render_notebook_pages(executed, info, manifest, synthetic=data["synthetic"])
        self.pages[executed.resolve()] = full, reader
        pages.headings(reader)  # cached for build_site's table of contents
        self.prepare()

    def prepare(self) -> None:
        """Compile what the pages and the site need (templates, exporters), once: the engine calls
        it while the first kernels start, when a core is otherwise idle."""
        if self.warm:
            return
        for reader in (False, True):
            pages.exporter(reader=reader).template  # noqa: B018  (compiles the page templates)
        for template in TEMPLATES.joinpath("site").glob("*.html.j2"):
            environment().get_template(template.name)
        slides_exporter().template  # noqa: B018  (compiles the deck's templates)
        importlib.import_module("tacrolimus_ibd.plots")  # the handout sizes figures by its style
        self.warm = True

    def __call__(self, staging: Path) -> None:
        build_site(staging, data_dir=self.data_dir, prerendered=self.pages)


def site_step(data_dir: str | Path | None = None) -> SiteStep:
    """The site as a ``pipeline.reproduce`` extra step (see SiteStep)."""
    return SiteStep(data_dir)
