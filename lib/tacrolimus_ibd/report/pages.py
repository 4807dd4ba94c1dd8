"""Notebook pages: the full page (code and outputs) and the reader's edition (no code).

Both are exported by nbconvert's public HTMLExporter with the compendium's templates
(``templates/notebook.html.j2``, ``templates/reader.html.j2``, extending the "lab" template without
its CDN scripts). The reader's edition is the executed notebook with:

- code inputs and prompts hidden (the exporter's ``exclude_input`` options);
- object reprs dropped (an ``execute_result`` that is only a ``PosixPath(...)`` or ``<... at 0x...>``);
- tables with readable headers and proportions shown as percentages;
- each figure with its alt text and caption from the run's figures manifest, methods figures
  in the notebook's closing appendix section (moved there if a notebook shows one elsewhere);
- the first use of each glossary term linked to the glossary;
- a "Bottom line" box and an in-page table of contents after the title.
"""

from __future__ import annotations

import copy
import functools
import html
import html.parser
import importlib
import logging
import re
from pathlib import Path

import nbformat

from .. import labels, outputs
from . import content

TEMPLATES = Path(__file__).parent / "templates"

#: nbconvert warns of plots without alt text; every plot here gets one, other warnings are kept quiet.
_QUIET_LOG = logging.getLogger("tacrolimus_ibd.report.nbconvert")
_QUIET_LOG.setLevel(logging.ERROR)

#: Replaced, once every page is rendered, by the links to a page's neighbours.
NAV_PLACEHOLDER = "<!-- compendium-nav -->"
#: Replaced, once the reader's page is rendered, by its table of contents (the headings' ids).
TOC_PLACEHOLDER = "<!-- reader-toc -->"

#: A plain-text output that is only an object's repr: nothing a reader can use.
_REPR = re.compile(r"^(?:(?:Posix|Windows|Pure)?Path\(.*\)|<[\w.]+(?: object)? at 0x[0-9a-f]+>)$", re.DOTALL)


#: The pygments style of the full pages' code: a11y-light, from accessible-pygments
#: (https://github.com/Quansight-Labs/accessible-pygments, a runtime dependency), whose colours keep
#: WCAG AA contrast (4.5:1) on its background; JupyterLab's own highlighting falls below it
#: (axe-core's color-contrast rule, tests/test_report.py).
ACCESSIBLE_PYGMENTS_STYLE = "a11y-light"


def pygments_style() -> str:
    """The code-highlighting style of the full pages (ACCESSIBLE_PYGMENTS_STYLE).

    accessible-pygments 0.0.5 calls ``logging.basicConfig(level=INFO)`` when first imported, which
    would print every INFO line of papermill and nbclient during a run: it is imported here once,
    with the root logger's handlers and level put back as they were.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        importlib.import_module("a11y_pygments")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return ACCESSIBLE_PYGMENTS_STYLE


@functools.lru_cache(maxsize=2)
def exporter(*, reader: bool):
    """One HTML exporter per kind of page (building its templates costs more than a page).

    ``optimistic_validation`` validates the notebook once, after the preprocessors, instead of
    after each one (nbformat recompiles its schema on every call: most of a site build's time).
    """
    import jinja2
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    return HTMLExporter(
        config=Config({"CSSHTMLHeaderPreprocessor": {"style": pygments_style()}}),
        template_name="lab",
        extra_loaders=[jinja2.FileSystemLoader(str(TEMPLATES / "nbconvert"))],
        template_file="reader.html.j2" if reader else "notebook.html.j2",
        exclude_anchor_links=False,  # headings keep their ids: claims and the contents link to them
        exclude_input=reader,
        exclude_input_prompt=reader,
        exclude_output_prompt=reader,
        embed_images=True,
        optimistic_validation=True,
        log=_QUIET_LOG,
    )


def export(nb, *, name: str, reader: bool, resources: dict | None = None) -> str:
    """``nb`` as one self-contained HTML page (no network resources)."""
    body, _ = exporter(reader=reader).from_notebook_node(
        nb, resources={"metadata": {"name": name}, **(resources or {})}
    )
    return body


class _Headings(html.parser.HTMLParser):
    """(level, id, text) of every h1-h4 with an id, in page order."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[int, str, str]] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "h4") and dict(attrs).get("id"):
            self._open = [int(tag[1]), dict(attrs)["id"], ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if self._open is not None and tag == f"h{self._open[0]}":
            level, ident, text = self._open
            self.headings.append((level, ident, " ".join(text.replace("\u00b6", "").split())))
            self._open = None


def headings(page: str) -> list[tuple[int, str, str]]:
    """(level, id, text) of the headings of a rendered page that carry an id."""
    return list(_parsed_headings(page))


@functools.lru_cache(maxsize=16)
def _parsed_headings(page: str) -> tuple[tuple[int, str, str], ...]:
    # Cached: the site reads a reader's page's headings again when it links to them, at the end
    # of a run, where nothing else runs beside it.
    parser = _Headings()
    parser.feed(page)
    return tuple(parser.headings)


def figure_outputs(nb) -> list[tuple[str, str]]:
    """(figure name, heading of its section) of every figure a notebook displayed, in order.

    ``plots.save_figure`` puts the figure's name in the displayed image's metadata.
    """
    found, section = [], ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    section = line.lstrip("#").strip()
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("tacrolimus_ibd", {}).get("figure")
            if name:
                found.append((name, section))
    return found


# --- the reader's edition ----------------------------------------------------------------------

#: Column names and values shown in words: the library's one label map (``labels.LABELS``, which
#: the figures read too); names it does not list: underscores to spaces.
READABLE_HEADERS = labels.LABELS
#: Columns holding proportions (0-1), shown as percentages.
_PROPORTION = re.compile(
    r"(proportion|rate$|share|clopper_pearson_(low|high)|wilson_(low|high)|^ci_(low|high)|pooled_(estimate|ci_low|ci_high)|^i2$)"
)


#: Values shown in words in the reader's tables: booleans, and identifiers in snake_case.
_WORDS = {"True": "yes", "False": "no"}
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def readable_header(name: str) -> str:
    """``clopper_pearson_low`` -> ``exact CI, low``; ``cd_week4`` -> ``CD week4`` (``labels.readable``)."""
    return labels.readable(name)


def readable_table(table_html: str) -> str:
    """A pandas Styler table with readable headers, and proportions shown as percentages."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(table_html, "html.parser")
    for table in soup.find_all("table"):
        header_cells = table.select("thead tr")[-1].find_all("th") if table.select("thead tr") else []
        proportion_columns = set()
        for position, th in enumerate(header_cells):
            name = th.get_text(strip=True)
            if _PROPORTION.search(name):
                proportion_columns.add(position)
                th.string = readable_header(name) + " (%)"
            else:
                th.string = readable_header(name)
        for row in table.select("tbody tr"):
            for position, cell in enumerate(row.find_all(["th", "td"])):
                text = cell.get_text(strip=True)
                if text in _WORDS:
                    cell.string = _WORDS[text]
                elif _SNAKE.match(text):
                    cell.string = labels.readable(text)
                if position not in proportion_columns:
                    continue
                try:
                    value = float(text)
                except ValueError:
                    continue
                if 0 <= value <= 1:
                    cell.string = content.percent(value).rstrip("%")
    return str(soup)


def _link_terms(source: str, seen: set[str], glossary_href: str) -> str:
    """Link the first use (in the whole page) of each glossary term in a markdown cell."""
    lines = source.split("\n")
    for term in content.GLOSSARY:
        if term.id in seen:
            continue
        for number, line in enumerate(lines):
            if line.lstrip().startswith("#"):
                continue  # headings stay plain: their ids are the anchors claims link to
            parts = line.split("`")  # odd parts are code spans
            done = False
            for index in range(0, len(parts), 2):
                for form in term.forms:
                    match = re.search(rf"(?<![\w\[/#-]){re.escape(form)}(?![\w\]-])", parts[index])
                    if match:
                        start, end = match.span()
                        parts[index] = (
                            parts[index][:start] + f"[{match.group(0)}]({glossary_href}#{term.id})" + parts[index][end:]
                        )
                        done = True
                        break
                if done:
                    break
            if done:
                lines[number] = "`".join(parts)
                seen.add(term.id)
                break
    return "\n".join(lines)


def reader_notebook(
    nb, *, figures: dict[str, dict], bottom_line: list[str], full_href: str, glossary_href: str, synthetic: bool = False
):
    """The reader's edition of an executed notebook (a new node; ``nb`` is left as it is).

    Methods figures (``appendix`` in the figures manifest) stay where the notebook shows them when
    that is its closing ``outputs.APPENDIX_HEADING`` section; one shown elsewhere is moved to the
    end of that section, or of a new one with the same heading when the notebook does not end with one.
    A section whose code showed nothing in this run is left out (``_without_empty_sections``).
    """
    nb = copy.deepcopy(nb)
    seen_terms: set[str] = set()
    appendix = []
    cells = []
    section = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    section = line.lstrip("#").strip()
            cell.source = _link_terms(cell.source, seen_terms, glossary_href)
        elif cell.cell_type == "code":
            kept = []
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if output.get("output_type") == "execute_result" and set(data) == {"text/plain"}:
                    if _REPR.match(str(data["text/plain"]).strip()):
                        continue
                if "text/html" in data and "<table" in data["text/html"]:
                    data["text/html"] = readable_table(data["text/html"])
                name = output.get("metadata", {}).get("tacrolimus_ibd", {}).get("figure")
                if name and name in figures:
                    record = figures[name]
                    output.metadata["tacrolimus_ibd"].update(alt=record["alt"], caption=record["caption"])
                    if record.get("appendix") and section != outputs.APPENDIX_HEADING:
                        appendix.append(output)
                        continue
                kept.append(output)
            cell.outputs = kept
        cells.append(cell)
    cells = _without_empty_sections(cells)
    box = nbformat.v4.new_raw_cell(
        _intro_html(bottom_line, full_href, synthetic), metadata={"tacrolimus_ibd": "reader-intro"}
    )
    box.id = "reader-intro"
    cells.insert(1 if cells and cells[0].cell_type == "markdown" else 0, box)
    if appendix:
        if section != outputs.APPENDIX_HEADING:  # the notebook does not end with its appendix
            heading = nbformat.v4.new_markdown_cell(
                f"## {outputs.APPENDIX_HEADING}\n\nThese figures answer a question about the methods (how a value "
                "was computed), not a clinical one."
            )
            heading.id = "reader-appendix"
            cells.append(heading)
        holder = nbformat.v4.new_code_cell("")
        holder.id = "reader-appendix-figures"
        holder.outputs = appendix
        cells.append(holder)
    nb.cells = cells
    return nb


def _without_empty_sections(cells: list) -> list:
    """Cells less each section (from a markdown cell opening with a level-2 or deeper heading to the
    next such cell) that has code and whose code showed nothing in this run: a heading with
    nothing under it, such as the audit's sections on a cohort that is not the paper's."""
    kept, section = [], []

    def close():
        code = [c for c in section if c.cell_type == "code"]
        if not code or any(c.get("outputs") for c in code):
            kept.extend(section)

    for cell in cells:
        if cell.cell_type == "markdown" and re.match(r"#{2,6}\s", cell.source.lstrip()):
            close()
            section = [cell]
        elif section:
            section.append(cell)
        else:
            kept.append(cell)
    close()
    return kept


def _intro_html(bottom_line: list[str], full_href: str, synthetic: bool = False) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in bottom_line)
    box = (
        f'<aside class="bottom-line" aria-label="Bottom line"><p class="bottom-line-title">Bottom line</p><ul>{items}</ul></aside>'
        if items
        else ""
    )
    warning = (
        '<p class="synthetic">SYNTHETIC DATA: this run used a generated cohort, not the patients of the paper. '
        "Its numbers say nothing about tacrolimus.</p>"
        if synthetic
        else ""
    )
    return warning + (
        f'<p class="edition">Reader\'s edition: no code. <a href="{html.escape(full_href)}">The full page, with the code</a>.</p>'
        f'{box}<nav class="toc" aria-label="Contents"><p class="toc-title">Contents</p>{TOC_PLACEHOLDER}</nav>'
    )


def fill_toc(page: str) -> str:
    """Replace the contents placeholder by links to the page's h2 headings."""
    items = "".join(
        f'<li><a href="#{html.escape(ident)}">{html.escape(text)}</a></li>'
        for level, ident, text in headings(page)
        if level == 2
    )
    return page.replace(TOC_PLACEHOLDER, f"<ol>{items}</ol>", 1)
