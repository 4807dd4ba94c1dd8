"""The static HTML report of a run: ``<output_dir>/site/``, opened straight from the file system.

``build_site(output_dir)`` turns a run's outputs (executed notebooks, figures, key results and,
when notebook 07 ran, ``claims.csv``) into:

- ``index.html``: the paper's citation, what the compendium does, which data and parameters the
  run used, the claims audit's counts by status, and one entry per executed notebook (its
  question, its headline results and thumbnails of its figures) linking to its page;
- ``notebooks/NN_name.html``: each executed notebook, exported with nbconvert's HTMLExporter
  ("lab" template, CSS inlined, plots embedded as data URIs);
- ``claims.html``: the full claims audit table (only when ``claims.csv`` exists);
- ``summary.html``: a one-page printable (A4) summary for journal clubs, figures embedded;
- ``figures/``: copies of the figures, so the site does not depend on the rest of outputs/.

Nothing is fetched from the network: the template's require.js, MathJax, Mermaid and widget
scripts (CDN links) are left out, the CSS is inlined and every image is a local file or a data
URI. The output depends only on the run's files: no timestamps and no absolute paths, so a rerun
gives byte-identical files.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

SITE_DIR = "site"
CLAIMS_FILE = "claims.csv"

#: The article this compendium re-derives (as in CITATION.cff's preferred-citation).
PAPER_CITATION = {
    "authors": "Ng SC, Arebi N, Kamm MA",
    "title": "Medium-term results of oral tacrolimus treatment in refractory inflammatory bowel disease",
    "journal": "Inflamm Bowel Dis",
    "issue": "2007;13(2):129-134",
    "doi": "10.1002/ibd.20052",
}

#: Claims audit statuses in display order (claims.STATUSES), each with a reader's label.
STATUS_LABELS = {
    "reproduced": "reproduced",
    "discrepancy": "discrepancy",
    "not_computable": "not computable",
}

#: The "lab" template without the scripts it would load from a CDN. Plots are data URIs, the CSS
#: is inlined by the template itself; a small navigation bar links back to the index.
_NOTEBOOK_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_css -%}
<style type="text/css">
nav.compendium { font-family: var(--jp-ui-font-family); font-size: 14px; padding: 8px 16px;
  border-bottom: 1px solid #ccc; background: #f7f7f7; }
nav.compendium a { margin-right: 1.5em; }
/* Colours a reader can read (WCAG AA: 4.5:1): prompts not faded to half opacity as in an idle
   JupyterLab, links in running text underlined, code highlighted with an accessible style. */
:root { --jp-cell-prompt-not-active-opacity: 1; }
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited { text-decoration: underline; }
{{ resources.code_css }}
</style>
{%- endblock html_head_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="compendium"><a href="../index.html">&larr; Compendium index</a>{{ resources.compendium_nav }}</nav>
{%- endblock body_header -%}
"""

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; line-height: 1.45;
  color: #222; max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.3rem; }
a { color: #0b5cad; }
.citation { background: #f4f6f8; border-left: 4px solid #0072B2; padding: 0.6rem 1rem; }
.synthetic { background: #fff3cd; border: 2px solid #d39e00; padding: 0.6rem 1rem; font-weight: bold; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-reproduced { color: #1a7f37; }
.status-discrepancy { color: #b42318; font-weight: bold; }
.status-not_computable { color: #6b6b6b; }
.notebook { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 1rem; margin: 1rem 0; }
.thumbs { display: flex; flex-wrap: wrap; gap: 0.6rem; margin-top: 0.5rem; }
.thumbs figure { margin: 0; width: 14rem; }
.thumbs img { width: 100%; height: auto; border: 1px solid #ddd; }
.thumbs figcaption { font-size: 0.8rem; color: #555; word-break: break-all; }
.muted { color: #666; }
body.wide { max-width: 90rem; }
table.claims { table-layout: fixed; width: 100%; }
table.claims td { overflow-wrap: anywhere; }
"""

_PRINT_CSS = """
@page { size: A4; margin: 11mm 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 8.6pt; line-height: 1.3; color: #000;
  max-width: 186mm; margin: 0 auto; padding: 4mm 0; }
h1 { font-size: 13pt; margin: 0 0 1mm; }
h2 { font-size: 10pt; margin: 3mm 0 1mm; border-bottom: 0.3mm solid #888; }
p { margin: 1mm 0; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0; }
th, td { border: 0.2mm solid #999; padding: 0.5mm 1.2mm; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; }
table.verdicts { width: auto; }
table.discrepancies { font-size: 7.4pt; table-layout: fixed; }
table.discrepancies td { overflow-wrap: anywhere; }
.synthetic { border: 0.5mm solid #000; padding: 1mm 2mm; font-weight: bold; }
.figs { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; }
.figs figure { margin: 0; break-inside: avoid; }
.figs img { width: 100%; max-height: 32mm; object-fit: contain; }
.figs figcaption { font-size: 7pt; color: #333; }
.noprint { margin-bottom: 2mm; }
@media print { .noprint { display: none; } a { color: inherit; text-decoration: none; } }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
"""

#: The pygments style of the code cells on the notebook pages: a11y-light, from accessible-pygments
#: (https://github.com/Quansight-Labs/accessible-pygments), whose colours keep WCAG AA contrast
#: (4.5:1) on its background. JupyterLab's own highlighting colours fall below it (axe-core's
#: color-contrast rule, tests/test_report.py).
CODE_STYLE = "a11y-light"


@functools.lru_cache(maxsize=1)
def code_css(style: str = CODE_STYLE) -> str:
    """The CSS of ``style`` for the code cells' ``.highlight`` blocks (token colours and background)."""
    from pygments.formatters import HtmlFormatter

    formatter = HtmlFormatter(style=style)
    return "\n".join([*formatter.get_background_style_defs(".highlight"), *formatter.get_token_style_defs(".highlight")])


#: nbconvert warns of plots without alt text on every export; not actionable here, kept quiet.
_QUIET_LOG = logging.getLogger("tacrolimus_ibd.report.nbconvert")
_QUIET_LOG.setLevel(logging.ERROR)

_SAVE_FIGURE = re.compile(r"""save_figure\(\s*[^,]+,\s*(?:f?)["']([^"'{}]+)["']""")


@dataclass
class NotebookInfo:
    """What the index shows of one executed notebook."""

    stem: str
    title: str
    question_html: str
    figures: list[str] = field(default_factory=list)  # figure names (figures/<name>.png), in save order
    parameters: dict = field(default_factory=dict)  # papermill parameters, as injected
    key_results: dict = field(default_factory=dict)


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _markdown(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text).strip()


def notebook_info(path: Path, *, key_results_dir: Path | None = None) -> NotebookInfo:
    """Title (the first ``# `` heading), question, figures saved and parameters of a notebook.

    Figures are attributed to a notebook by the names its code passes to ``plots.save_figure``.
    """
    nb = nbformat.read(path, as_version=4)
    title, question = path.stem, ""
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    if markdown:
        for line in markdown[0].splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
                break
        for paragraph in re.split(r"\n\s*\n", markdown[0]):
            if paragraph.lstrip().startswith("**Question"):
                question = _markdown(paragraph.strip())
                break
    figures: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for name in _SAVE_FIGURE.findall(cell.source):
                if name not in figures:
                    figures.append(name)
    parameters = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
    results = {}
    if key_results_dir is not None and (key_results_dir / f"{path.stem}.json").exists():
        results = json.loads((key_results_dir / f"{path.stem}.json").read_text(encoding="utf-8"))
    return NotebookInfo(path.stem, title, question, figures, parameters, results)


@functools.lru_cache(maxsize=1)
def _exporter():
    """One HTML exporter for every page (building its templates costs more than a page)."""
    import jinja2
    from nbconvert import HTMLExporter

    class _Exporter(HTMLExporter):
        def _validate_preprocessor(self, nbc, preprocessor):
            # nbconvert re-validates the notebook after each preprocessor only to log problems,
            # and nbformat recompiles its JSON schema on every such call (relax_add_props
            # bypasses its cache): most of a site build's time. papermill has just written and
            # validated these notebooks.
            return None

    return _Exporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"compendium.html.j2": _NOTEBOOK_TEMPLATE})],
        template_file="compendium.html.j2",
        exclude_anchor_links=True,
        embed_images=True,
        log=_QUIET_LOG,
    )


def export_notebook(path: Path, *, title: str | None = None, nav_html: str = "") -> str:
    """One executed notebook as a self-contained HTML page (no network resources)."""
    exporter = _exporter()
    nb = nbformat.read(path, as_version=4)
    if title:
        nb.metadata["title"] = title  # the page's <title>
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": path.stem, "path": str(path.parent)}, "compendium_nav": nav_html, "code_css": code_css()}
    )
    return body


def read_claims(output_dir: str | Path) -> pd.DataFrame | None:
    """The claims audit (``claims.csv`` of notebook 07), or None when the audit did not run."""
    path = Path(output_dir) / CLAIMS_FILE
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def status_counts(claims: pd.DataFrame) -> dict[str, int]:
    """Claims per audit status: the known statuses in order (zeros kept), then any other."""
    counts = claims["status"].value_counts()
    ordered = {status: int(counts.get(status, 0)) for status in STATUS_LABELS}
    ordered.update({status: int(n) for status, n in sorted(counts.items()) if status not in ordered})
    return ordered


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


def _citation_html() -> str:
    c = PAPER_CITATION
    return (
        f'<p class="citation">{_esc(c["authors"])}. {_esc(c["title"])}. <i>{_esc(c["journal"])}</i> '
        f'{_esc(c["issue"])}. doi:<a href="https://doi.org/{_esc(c["doi"])}">{_esc(c["doi"])}</a></p>'
    )


def _page(title: str, body: str, *, css: str = _CSS, body_class: str = "") -> str:
    body_tag = f'<body class="{body_class}">' if body_class else "<body>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{css}</style>\n</head>\n{body_tag}\n{body}\n</body>\n</html>\n"
    )


def _synthetic_banner(data: dict) -> str:
    if not data["synthetic"]:
        return ""
    return (
        '<p class="synthetic">SYNTHETIC DATA: this run used a generated cohort, not the patients of the paper. '
        "Its numbers say nothing about tacrolimus.</p>"
    )


def _claims_summary_html(claims: pd.DataFrame | None, *, link: bool) -> str:
    if claims is None:
        return '<p class="muted">Claims audit not run: this run has no <code>claims.csv</code> (notebook 07 writes it).</p>'
    counts = status_counts(claims)
    rows = "".join(
        f'<tr><td class="status-{_esc(s)}">{_esc(STATUS_LABELS.get(s, s))}</td><td class="num">{n}</td></tr>'
        for s, n in counts.items()
    )
    more = ' <a href="claims.html">The full audit table</a>.' if link else ""
    return (
        f"<p>Each number the paper states, set beside what the data give.{more}</p>"
        f'<table class="claims-counts"><tr><th>status</th><th>claims</th></tr>{rows}'
        f'<tr><th>total</th><th class="num">{len(claims)}</th></tr></table>'
    )


def _parameters_html(infos: list[NotebookInfo]) -> str:
    seen: dict[str, object] = {}
    for info in infos:
        for key, value in info.parameters.items():
            if key not in ("data_dir", "output_dir"):
                seen.setdefault(key, value)
    if not seen:
        return "<p>Parameters: each notebook's defaults.</p>"
    rows = "".join(f"<tr><td><code>{_esc(k)}</code></td><td>{_esc(_format_value(v))}</td></tr>" for k, v in sorted(seen.items()))
    return f"<p>Parameters set for this run (other parameters keep each notebook's default):</p><table>{rows}</table>"


def _key_results_html(results: dict) -> str:
    if not results:
        return ""
    rows = "".join(
        f'<tr><td><code>{_esc(k)}</code></td><td class="num">{_esc(_format_value(v))}</td></tr>' for k, v in sorted(results.items())
    )
    return f'<details><summary>Headline results ({len(results)})</summary><table class="key-results">{rows}</table></details>'


def _index_html(infos: list[NotebookInfo], other_figures: list[str], claims: pd.DataFrame | None, data: dict) -> str:
    parts = [
        "<h1>Oral tacrolimus in refractory IBD: a reproducible compendium</h1>",
        _synthetic_banner(data),
        "<p>This report re-derives, from the published tables, the numbers, figures and claims of</p>",
        _citation_html(),
        "<p>a retrospective single-centre series of patients with Crohn's disease, ulcerative colitis and pouchitis "
        "treated with oral tacrolimus. The patient-level values of the paper's tables are transcribed into a data "
        "package with a data dictionary; a tested Python library computes everything from them; ordered Jupyter "
        "notebooks, executed by papermill, tell the story; and a claims ledger sets each number the paper states "
        "beside what the data give. Every page here was generated from one run; nothing was typed by hand.</p>",
        '<p><a href="summary.html">One-page summary for journal clubs (printable)</a></p>',
        "<h2>Data and parameters of this run</h2>",
        f"<p>Data folder <code>{_esc(data['folder'])}</code>"
        + (f": {_esc(data['title'])}" if data["title"] else "")
        + "</p>",
        _parameters_html(infos),
        "<h2>Claims audit</h2>",
        _claims_summary_html(claims, link=claims is not None),
        "<h2>Notebooks</h2>",
    ]
    if not infos:
        parts.append('<p class="muted">No executed notebooks in this run.</p>')
    for info in infos:
        thumbs = "".join(
            f'<figure><a href="figures/{_esc(name)}.png"><img src="figures/{_esc(name)}.png" alt="{_esc(name)}"></a>'
            f"<figcaption>{_esc(name)}</figcaption></figure>"
            for name in info.figures
        )
        parts.append(
            f'<div class="notebook" id="nb-{_esc(info.stem)}"><h3><a href="notebooks/{_esc(info.stem)}.html">{_esc(info.title)}</a></h3>'
            f"{info.question_html}{_key_results_html(info.key_results)}"
            + (f'<div class="thumbs">{thumbs}</div>' if thumbs else "")
            + "</div>"
        )
    if other_figures:
        thumbs = "".join(
            f'<figure><a href="figures/{_esc(name)}.png"><img src="figures/{_esc(name)}.png" alt="{_esc(name)}"></a>'
            f"<figcaption>{_esc(name)}</figcaption></figure>"
            for name in other_figures
        )
        parts.append(f'<h2>Other figures</h2><div class="thumbs">{thumbs}</div>')
    return _page("Oral tacrolimus in refractory IBD: compendium report", "\n".join(p for p in parts if p))


def _claims_html(claims: pd.DataFrame, data: dict) -> str:
    columns = ["claim_id", "section", "quote", "reported", "computed", "status", "note"]
    widths = {"claim_id": 10, "section": 7, "quote": 23, "reported": 14, "computed": 17, "status": 11, "note": 18}  # percent
    colgroup = "".join(f'<col style="width: {widths[c]}%">' for c in columns if c in claims.columns)
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns if c in claims.columns)
    rows = []
    for record in claims.to_dict("records"):
        cells = "".join(
            f'<td class="status-{_esc(record[c])}">{_esc(STATUS_LABELS.get(record[c], record[c]))}</td>'
            if c == "status"
            else f"<td>{_esc(record[c].replace(';', '; ') if c == 'reported' else record[c])}</td>"
            for c in columns
            if c in claims.columns
        )
        rows.append(f"<tr>{cells}</tr>")
    body = "\n".join(
        [
            '<p><a href="index.html">&larr; Compendium index</a></p>',
            "<h1>Claims audit</h1>",
            _synthetic_banner(data),
            _claims_summary_html(claims, link=False),
            "<p>Reported values are the paper's, as typed in the claims ledger; computed values come from the data.</p>",
            f'<table class="claims"><colgroup>{colgroup}</colgroup><tr>{head}</tr>{"".join(rows)}</table>',
        ]
    )
    return _page("Claims audit", body, body_class="wide")


def _clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most about ``limit`` characters, marked with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " \u2026"


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


#: At most this many figures on the one-page summary (the first figure of each notebook).
SUMMARY_MAX_FIGURES = 8
#: At most this many discrepancies listed on the one-page summary (all are in claims.html).
SUMMARY_MAX_DISCREPANCIES = 8
#: Quotes and notes longer than this many characters are cut on the summary (whole in claims.html).
SUMMARY_QUOTE_CHARS, SUMMARY_NOTE_CHARS = 110, 140


def _summary_html(infos: list[NotebookInfo], figures_dir: Path, claims: pd.DataFrame | None, data: dict) -> str:
    parts = [
        '<p class="noprint"><a href="index.html">&larr; Compendium index</a> &middot; print this page on one A4 sheet</p>',
        "<h1>Journal club summary: oral tacrolimus in refractory IBD</h1>",
        _synthetic_banner(data),
        _citation_html(),
        "<h2>What the paper claims, and what the data give</h2>",
    ]
    if claims is None:
        parts.append("<p>Claims audit not run: this run has no <code>claims.csv</code> (notebook 07 writes it).</p>")
    else:
        # Statuses down, sections across (in the ledger's order): a short table whatever the ledger's size.
        sections = list(dict.fromkeys(claims["section"]))
        by_status = claims.groupby(["status", "section"]).size().unstack(fill_value=0).reindex(columns=sections, fill_value=0)
        head = "".join(f"<th>{_esc(section)}</th>" for section in sections)
        rows = "".join(
            f'<tr><td class="status-{_esc(status)}">{_esc(STATUS_LABELS.get(status, status))}</td>'
            + "".join(f'<td class="num">{int(by_status.loc[status, section]) if status in by_status.index else 0}</td>' for section in sections)
            + f'<th class="num">{n}</th></tr>'
            for status, n in status_counts(claims).items()
        )
        parts.append(
            f"<p>The claims ledger holds {len(claims)} numeric statements of the paper; the audit's verdicts by section:</p>"
            f'<table class="verdicts"><tr><th>verdict</th>{head}<th>all</th></tr>{rows}</table>'
        )
        discrepancies = claims[claims["status"] == "discrepancy"]
        listed = discrepancies.head(SUMMARY_MAX_DISCREPANCIES)
        if len(discrepancies):
            rows = "".join(
                f"<tr><td>{_esc(r['claim_id'])}</td><td>{_esc(_clip(r['quote'], SUMMARY_QUOTE_CHARS))}</td>"
                f"<td>{_esc(_clip(r['note'] or ('reported ' + r['reported'] + '; data give ' + r['computed']), SUMMARY_NOTE_CHARS))}</td></tr>"
                for r in listed.to_dict("records")
            )
            more = len(discrepancies) - len(listed)
            parts.append(
                "<h2>Discrepancies</h2>"
                f'<table class="discrepancies"><colgroup><col style="width: 17%"><col style="width: 36%"><col style="width: 47%"></colgroup><tr><th>claim</th><th>the paper says</th><th>reported, and what the data give</th></tr>{rows}</table>'
                + (f'<p>and {more} more; long texts are cut (\u2026): see <a href="claims.html">the full audit table</a>.</p>' if more else
                   '<p>Long texts are cut (\u2026): see <a href="claims.html">the full audit table</a>.</p>')
            )
        else:
            parts.append("<p>No discrepancies.</p>")
    figures = []
    for info in infos:
        for name in info.figures:
            if (figures_dir / f"{name}.png").exists():
                figures.append((info, name))
                break  # the first figure of each notebook is its main one
    figures = figures[:SUMMARY_MAX_FIGURES]
    if figures:
        cells = "".join(
            f'<figure><img src="{_png_data_uri(figures_dir / f"{name}.png")}" alt="{_esc(name)}">'
            f"<figcaption>{_esc(info.title.split(':')[0])}</figcaption></figure>"
            for info, name in figures
        )
        parts.append(f'<h2>Main figures</h2><div class="figs">{cells}</div>')
    parts.append(
        "<h2>For discussion</h2><p>Each notebook ends with questions for discussion: a retrospective series from one "
        "centre, small groups, outcomes defined after the fact. Check every claim against the tables before trusting it.</p>"
    )
    return _page("Journal club summary", "\n".join(p for p in parts if p), css=_PRINT_CSS)


def build_site(
    output_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    site_dir: str | Path | None = None,
    prerendered: dict[Path, str] | None = None,
) -> Path:
    """Write the static report of the run in ``output_dir`` to ``site_dir`` (default output_dir/site).

    ``data_dir`` is the run's data folder (its data dictionary's title is shown, and a synthetic
    cohort is flagged); by default it is found from the parameters papermill recorded.
    The folder is rebuilt from scratch, so it holds exactly what the outputs give.
    ``prerendered`` maps executed notebooks to pages already rendered (see SiteStep).
    """
    output_dir = Path(output_dir)
    site = Path(site_dir) if site_dir is not None else output_dir / SITE_DIR
    notebooks = sorted((output_dir / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    figures_dir = output_dir / "figures"
    if data_dir is None:
        data_dir = _data_dir_from_notebooks(output_dir, notebooks)
    data = _data_description(Path(data_dir) if data_dir is not None else None)
    infos = [notebook_info(p, key_results_dir=output_dir / "key_results") for p in notebooks]
    for info in infos:  # a figure named in code but not written (e.g. a branch not taken) is not shown
        info.figures = [name for name in info.figures if (figures_dir / f"{name}.png").exists()]
    attributed = {name for info in infos for name in info.figures}
    all_figures = sorted(p.stem for p in figures_dir.glob("*.png")) if figures_dir.is_dir() else []
    other_figures = [name for name in all_figures if name not in attributed]
    claims = read_claims(output_dir)

    shutil.rmtree(site, ignore_errors=True)
    (site / "notebooks").mkdir(parents=True)
    if all_figures:
        (site / "figures").mkdir()
        for name in all_figures:
            shutil.copyfile(figures_dir / f"{name}.png", site / "figures" / f"{name}.png")

    def write(relative: str, text: str) -> None:
        (site / relative).write_text(text, encoding="utf-8", newline="\n")

    write("index.html", _index_html(infos, other_figures, claims, data))
    write("summary.html", _summary_html(infos, figures_dir, claims, data))
    if claims is not None:
        write("claims.html", _claims_html(claims, data))
    for i, path in enumerate(notebooks):
        nav = []
        if i > 0:
            nav.append(f'<a href="{_esc(notebooks[i - 1].stem)}.html">&larr; {_esc(infos[i - 1].title)}</a>')
        if i + 1 < len(notebooks):
            nav.append(f'<a href="{_esc(notebooks[i + 1].stem)}.html">{_esc(infos[i + 1].title)} &rarr;</a>')
        page = (prerendered or {}).get(path.resolve()) or _page_without_nav(path, infos[i].title)
        write(f"notebooks/{path.stem}.html", page.replace(_NAV_PLACEHOLDER, "".join(nav)))
    return site


#: Stands in for a page's links to its neighbours, which are known only once all have run.
_NAV_PLACEHOLDER = "<!-- compendium-nav -->"


def _page_without_nav(path: Path, title: str) -> str:
    return export_notebook(path, title=title, nav_html=_NAV_PLACEHOLDER)


class SiteStep:
    """A ``pipeline.reproduce`` extra step that builds the site inside the staging folder.

    ``notebook_done`` renders a notebook's page as soon as that notebook has run, while the
    others still run, so that only the index pages are left for the end.
    """

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = data_dir
        self.pages: dict[Path, str] = {}

    def notebook_done(self, executed: Path) -> None:
        self.pages[executed.resolve()] = _page_without_nav(executed, notebook_info(executed).title)

    def __call__(self, staging: Path) -> None:
        build_site(staging, data_dir=self.data_dir, prerendered=self.pages)


def site_step(data_dir: str | Path | None = None) -> SiteStep:
    """The site as a ``pipeline.reproduce`` extra step (see SiteStep)."""
    return SiteStep(data_dir)
