"""The static HTML report (outputs/site/): complete, offline, deterministic, and it opens in a browser."""

from __future__ import annotations

import html.parser
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from tacrolimus_ibd.__main__ import main
from tacrolimus_ibd.report import build_site, status_counts

from .browser import BLOCKING_IMPACTS, Browser, browser_tools, is_placeholder_alt
from .conftest import DATA_DIR, ROOT

pytestmark = pytest.mark.e2e  # every check here reads the session's full reproduction or drives Chromium

#: Screenshots of the checked pages are kept here for a human to look at (build/ is not committed). Not in
#: outputs/: a run refuses an output folder holding files that no run wrote.
SCREENSHOT_DIR = ROOT / "build" / "browser-check"


@pytest.fixture(scope="module")
def run(reproduction) -> Path:
    """The outputs folder of the session's shared reproduction (conftest.reproduction)."""
    return reproduction.outputs


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class _Refs(html.parser.HTMLParser):
    """Every (tag, attribute, value) that refers to another resource or page."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "srcset", "data") and value is not None:
                self.refs.append((tag, name, value))


def _refs(page: Path) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.refs


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_reproduce_writes_the_site_inside_the_manifest(run):
    site = run / "site"
    executed = sorted(p.stem for p in (run / "notebooks").glob("*.ipynb"))
    assert executed, "the run executed no notebook"
    assert (site / "index.html").exists() and (site / "summary.html").exists()
    assert sorted(p.stem for p in (site / "notebooks").glob("*.html")) == executed
    import json

    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["completed"] is True
    assert {"site/index.html", "site/summary.html", "site/glossary.html", "site/slides.html"} <= set(
        manifest["outputs"]
    )
    assert all(f"site/notebooks/{stem}.html" in manifest["outputs"] for stem in executed)
    assert all(f"site/read/{stem}.html" in manifest["outputs"] for stem in executed)


def test_index_cites_the_paper_and_links_every_notebook_and_figure(run):
    index = (run / "site" / "index.html").read_text(encoding="utf-8")
    assert "10.1002/ibd.20052" in index and "Ng SC, Arebi N, Kamm MA" in index
    links = {value for tag, name, value in _refs(run / "site" / "index.html") if tag == "a"}
    images = {value for tag, name, value in _refs(run / "site" / "index.html") if tag == "img"}
    ordered = [value for tag, name, value in _refs(run / "site" / "index.html") if tag == "a"]
    for nb in (run / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{nb.stem}.html" in links
        # the reader's edition is what the index links first
        assert ordered.index(f"read/{nb.stem}.html") < ordered.index(f"notebooks/{nb.stem}.html")
    for figure in (run / "figures").glob("*.png"):
        assert f"figures/{figure.name}" in images, f"no thumbnail of {figure.name}"
        assert (run / "site" / "figures" / figure.name).read_bytes() == figure.read_bytes()
    assert {
        "summary.html",
        "slides.html",
        "glossary.html",
        "appraisal.html",
        "journal-club.html",
        "claims.html",
    } <= links


def test_every_local_link_and_image_resolves_inside_the_site(run):
    site = (run / "site").resolve()
    checked = 0
    for page in _pages(site):
        for tag, name, value in _refs(page):
            parts = urlsplit(value)
            if parts.scheme in ("http", "https", "mailto"):
                assert tag == "a", f"{page.name}: <{tag} {name}> loads {value} from the network"
                continue
            if parts.scheme == "data" or value.startswith("#"):
                continue
            assert not parts.scheme, f"{page.name}: unexpected URL {value}"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: broken {name}={value}"
            assert site in target.parents, f"{page.relative_to(site)}: {value} leaves the site"
            checked += 1
    assert checked > 0


def test_no_script_or_style_from_a_cdn(run):
    for page in _pages(run / "site"):
        text = page.read_text(encoding="utf-8")
        for tag, _name, value in _refs(page):
            if tag in ("script", "link"):
                assert not urlsplit(value).scheme, f"{page.name}: <{tag}> loads {value}"
        assert "require.js" not in text and "MathJax.js" not in text and "cdnjs" not in text, page.name
        assert "@import url(http" not in text, page.name


def test_site_command_rebuilds_the_same_site_elsewhere(run, tmp_path, capsys):
    """Deterministic and independent of its location: `python -m tacrolimus_ibd site` on a copy of
    the run in another folder rebuilds every page byte for byte."""
    elsewhere = tmp_path / "somewhere" / "else"
    shutil.copytree(run, elsewhere / "outputs", ignore=shutil.ignore_patterns("site"))
    shutil.copytree(DATA_DIR, elsewhere / "data")  # where the notebooks' recorded data_dir points from there
    assert main(["site", str(elsewhere / "outputs")]) == 0, capsys.readouterr().err
    rebuilt, original = _snapshot(elsewhere / "outputs" / "site"), _snapshot(run / "site")
    assert rebuilt.keys() == original.keys()
    for name in original:
        assert rebuilt[name] == original[name], f"{name} differs when rebuilt elsewhere"
    assert str(tmp_path).encode() not in b"".join(rebuilt.values())


def test_site_command_explains_a_missing_run(tmp_path, capsys):
    assert main(["site", str(tmp_path / "outputs")]) == 2
    assert "run `python -m tacrolimus_ibd reproduce` first" in capsys.readouterr().err


def test_claims_audit_summary_from_claims_csv(run, tmp_path):
    copy = tmp_path / "outputs"
    # Only the claims pages are checked here: leave out the notebooks, whose pages take the time.
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("notebooks", "site"))
    (copy / "claims.csv").unlink(missing_ok=True)
    build_site(copy, data_dir=DATA_DIR)
    assert "Claims audit not run" in (copy / "site" / "index.html").read_text(encoding="utf-8")
    assert "Claims audit not run" in (copy / "site" / "summary.html").read_text(encoding="utf-8")
    assert not (copy / "site" / "claims.html").exists()

    claims = pd.DataFrame(
        {
            "claim_id": ["claim-a", "claim-b", "claim-c", "claim-d"],
            "section": ["Abstract", "Results", "Results", "Methods"],
            "quote": ["first test quote", "second test quote", "third <test> quote", "fourth test quote"],
            "reported": ["count=1", "count=2", "count=3", "low=1"],
            "computed": ["count=1", "count=5", "", ""],
            "status": ["reproduced", "discrepancy", "not_computable", "not_computable"],
            "note": ["", "count: reported 2, data give 5", "rows lost", "no data"],
        }
    )
    claims.to_csv(copy / "claims.csv", index=False)
    assert status_counts(claims) == {
        "reproduced": 1,
        "discrepancy": 1,
        "ambiguous": 0,
        "circular": 0,
        "not_computable": 2,
    }
    build_site(copy, data_dir=DATA_DIR)
    index = (copy / "site" / "index.html").read_text(encoding="utf-8")
    assert "Claims audit not run" not in index
    assert '<span class="status status-not_computable">not computable</span></td><td class="num">2</td>' in index
    assert 'href="claims.html"' in index
    summary = (copy / "site" / "summary.html").read_text(encoding="utf-8")
    assert "count: reported 2, data give 5" in summary  # the discrepancy is listed
    assert "first test quote" not in summary  # reproduced claims are only counted
    table = (copy / "site" / "claims.html").read_text(encoding="utf-8")
    assert "third &lt;test&gt; quote" in table  # escaped
    assert "holds under all readings" not in table and "<th>grade</th>" not in table

    # the claims audit's grades and readings, when it gives them, are shown and can be filtered on
    claims.assign(grade=["", "substantive", "", ""], holds_under_all_readings=["true", "false", "true", "true"]).to_csv(
        copy / "claims.csv", index=False
    )
    build_site(copy, data_dir=DATA_DIR)
    table = (copy / "site" / "claims.html").read_text(encoding="utf-8")
    for column in ("grade", "holds under all readings"):
        assert f"<th>{column}</th>" in table and f'data-column="{column}"' in table
    assert "1 verdict depends on how a garbled table cell is read" in (copy / "site" / "summary.html").read_text(
        encoding="utf-8"
    )


def test_handout_is_printable_a4_with_three_wide_figures(run):
    refs = _refs(run / "site" / "summary.html")
    assert ("link", "href", "static/handout.css") in refs
    assert "@page { size: A4" in (run / "site" / "static" / "handout.css").read_text(encoding="utf-8")
    images = [value for tag, name, value in refs if tag == "img"]
    assert all(value.startswith("data:image/png;base64,") for value in images)
    assert len(images) == 3, "the handout shows three figures"
    summary = (run / "site" / "summary.html").read_text(encoding="utf-8")
    widths = [float(w) for w in re.findall(r'<figure style="width: ([0-9.]+)mm">', summary)]
    assert len(widths) == 3 and all(w >= 80 for w in widths), widths
    labels = [float(pt) for pt in re.findall(r"smallest labels print at ([0-9.]+) pt", summary)]
    assert len(labels) == 3 and all(pt >= 7 for pt in labels), labels
    # key results with their intervals, eight questions, a bottom line and the data's origin
    assert summary.count("95% CI") >= 5
    assert len(re.findall(r"<li>", summary.split('class="questions"')[1].split("</ol>")[0])) == 8
    assert "Bottom line." in summary and "Where the data came from" in summary and "columns ran together" in summary


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium, driven by Selenium, for this module's checks (each navigates afresh)."""
    with Browser(browser_tools(), tmp_path_factory.mktemp("chromium")) as shared:
        yield shared


@pytest.fixture(scope="module")
def site_pages(run, browser) -> dict[str, tuple]:
    """Every page of the site as the browser met it, with axe-core's violations on it."""
    site = run / "site"
    return {
        page.relative_to(site).as_posix(): (browser.check(page.resolve().as_uri()), browser.axe())
        for page in _pages(site)
    }


def test_every_page_opens_in_headless_chromium(run, browser, site_pages, tmp_path):
    site = run / "site"
    assert sorted(site_pages) == sorted(p.relative_to(site).as_posix() for p in _pages(site))
    for name, (report, _) in site_pages.items():
        assert report.loaded, f"{name} did not finish loading"
        assert report.console_errors == [], f"{name}: console errors {report.console_errors}"
        assert report.remote_requests == [], f"{name}: requests to the network {report.remote_requests}"
        assert report.failed_requests == [], f"{name}: failed loads {report.failed_requests}"
        assert report.broken_images == [], f"{name}: images not displayed {report.broken_images}"
    assert len(site_pages["index.html"][0].images) == len(list((run / "figures").glob("*.png")))
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "summary.html"):
        browser.check((site / name).resolve().as_uri())
        shot = browser.screenshot(tmp_path / f"{Path(name).stem}.png")
        assert shot.stat().st_size > 10_000
        shutil.copy(shot, SCREENSHOT_DIR / shot.name)


def test_every_image_has_alt_text(site_pages):
    for name, (report, _) in site_pages.items():
        assert report.images_without_alt == [], f"{name}: images without alt text {report.images_without_alt}"


def _link_problem(link: str, site_pages: dict, site: Path) -> str | None:
    """Why ``link`` (an absolute URL, as the browser resolved it) does not resolve, or None."""
    parts = urlsplit(link)
    if parts.scheme in ("http", "https"):
        # Outside links are not fetched (the check runs offline): they must at least name a host.
        return None if parts.netloc else "no host"
    if parts.scheme == "mailto":
        return None
    if parts.scheme != "file":
        return f"unexpected scheme {parts.scheme}"
    target = Path(unquote(parts.path))
    if not target.is_file():
        return "no such file"
    if site.resolve() not in target.resolve().parents:
        return "leaves the site"
    if parts.fragment:
        page = target.resolve().relative_to(site.resolve()).as_posix()
        # As the HTML standard finds a fragment's element: the fragment as written, then decoded
        # (nbconvert writes heading ids percent-encoded, e.g. "01-%C2%B7-Cohort").
        if parts.fragment.startswith("/") and page == "slides.html":
            return None  # reveal.js's own slide route ("#/", "#/3"), read by its script, not an element id
        ids = site_pages[page][0].ids if page in site_pages else None
        if ids is not None and parts.fragment not in ids and unquote(parts.fragment) not in ids:
            return f"no element with id {parts.fragment!r} on {page}"
    return None


def test_every_link_resolves(run, site_pages):
    """Every <a href> of every page, as the browser resolved it: a file of the site (and the element
    its fragment names), or an outside URL with a host."""
    checked = 0
    for name, (report, _) in site_pages.items():
        for written, link in zip(report.links, report.resolved_links, strict=True):
            problem = _link_problem(link, site_pages, run / "site")
            assert problem is None, f"{name}: link {written!r} does not resolve: {problem}"
            checked += 1
    assert checked > 0


def test_no_serious_or_critical_accessibility_violation(site_pages):
    """axe-core (the npm package, injected by the driver) on every page."""
    found = {
        name: [
            f"{v['impact']} {v['id']} x{v['count']}: {v['help']} ({'; '.join(v['targets'][:2])})"
            for v in violations
            if v["impact"] in BLOCKING_IMPACTS
        ]
        for name, (_, violations) in site_pages.items()
    }
    assert {name: v for name, v in found.items() if v} == {}


def test_the_browser_check_catches_broken_pages(browser, tmp_path):
    """The checks above can fail: a missing image, an image without alt text, a console error, a
    broken link and unreadable text are all reported."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>broken</title></head><body><main>'
        '<img src="missing.png" alt="missing"><img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" '
        'alt="No description has been provided for this image">'
        '<p style="color: #ccc; background: #fff">grey on white</p><a href="nowhere.html#top">nowhere</a>'
        '<script>console.error("deliberate")</script></main></body></html>'
    )
    report = browser.check(page.as_uri())
    assert report.loaded
    assert len(report.broken_images) == 1
    assert len(report.images_without_alt) == 2  # no alt at all, and nbconvert's placeholder
    assert any("deliberate" in e for e in report.console_errors)
    assert _link_problem(report.resolved_links[0], {}, tmp_path) == "no such file"
    violations = {v["id"]: v["impact"] for v in browser.axe()}
    assert violations.get("color-contrast") == "serious" and violations.get("image-alt") == "critical"


def test_handout_prints_on_two_a4_sides_at_most_even_with_many_discrepancies(run, browser, tmp_path):
    copy = tmp_path / "outputs"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("site"))
    n = 20
    pd.DataFrame(
        {
            "claim_id": [f"claim-{i}" for i in range(n)],
            "section": ["Results"] * n,
            "quote": ["a sentence of the paper, of about the length the ledger's quotes have in practice"] * n,
            "reported": ["count=10;total=12;percent=83"] * n,
            "computed": ["count=9; total=12; percent=75"] * n,
            "status": ["discrepancy"] * n,
            "note": ["count: reported 10, data give 9; percent: reported 83, data give 75; " * 4] * (n - 1)
            + ["the substantive one"],
            "grade": ["wording"] * (n - 1) + ["substantive"],
        }
    ).to_csv(copy / "claims.csv", index=False)
    build_site(copy, data_dir=DATA_DIR)
    assert browser.pdf_pages((run / "site" / "summary.html").resolve().as_uri()) <= 2
    assert browser.pdf_pages((copy / "site" / "summary.html").resolve().as_uri()) <= 2
    handout = (copy / "site" / "summary.html").read_text(encoding="utf-8")
    discrepancies = handout.split('class="discrepancies"')[1]
    assert discrepancies.index("the substantive one") < discrepancies.index("wording")  # ordered by grade
    report = browser.check((copy / "site" / "summary.html").resolve().as_uri())
    assert "claims.html" in report.links  # the discrepancies not listed are one click away


# --- the reader's edition, the claims' links, the teaching pages (issue 16) ----------------------


def _soup(page: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def test_reader_edition_has_no_code_and_no_object_reprs(run):
    pages = sorted((run / "site" / "read").glob("*.html"))
    assert [p.stem for p in pages] == sorted(p.stem for p in (run / "notebooks").glob("*.ipynb"))
    for page in pages:
        soup = _soup(page)
        text = page.read_text(encoding="utf-8")
        assert "PosixPath(" not in text, page.name
        code_cells = soup.select("div.jp-CodeCell")
        assert code_cells, f"{page.name}: no output cell at all"
        assert not [c for c in code_cells if c.select(".jp-InputArea, .jp-InputPrompt")], f"{page.name} shows code"
        assert not soup.select(".jp-OutputPrompt"), page.name
        assert soup.select_one(f'a[href="../notebooks/{page.stem}.html"]'), f"{page.name}: no link to the full page"
        toc = soup.select("nav.toc a")
        assert toc and all(soup.find(id=a["href"][1:]) for a in toc), f"{page.name}: contents link to missing headings"
        for table in soup.select(".jp-OutputArea-output table"):
            headers = [th.get_text(strip=True) for th in table.select("thead th")]
            assert not [h for h in headers if "clopper_pearson" in h or "wilson_" in h], f"{page.name}: {headers}"
        for img in soup.select("img"):
            assert not is_placeholder_alt(img.get("alt")), f"{page.name}: an image without alt text: {img.get('alt')!r}"
    # the pipeline's own notebooks with key results get a bottom line
    assert _soup(run / "site" / "read" / "03_short_term_outcomes.html").select("aside.bottom-line li")


def test_the_full_pages_stay(run):
    for page in sorted((run / "site" / "notebooks").glob("*.html")):
        assert _soup(page).select("div.jp-CodeCell .jp-InputArea"), f"{page.name} lost its code"


def test_every_claim_links_to_an_anchor_that_exists(run):
    site = run / "site"
    soup = _soup(site / "claims.html")
    rows = soup.select("#claims-table tbody tr")
    claims = pd.read_csv(run / "claims.csv", dtype=str, keep_default_na=False)
    assert len(rows) == len(claims)
    ids: dict[str, set] = {}
    for row in rows:
        link = row.find("a")
        assert link is not None, f"claim {row.get_text()[:40]} links nowhere"
        target, _, anchor = link["href"].partition("#")
        assert anchor, f"{link['href']}: no section anchor"
        if target not in ids:
            ids[target] = {tag["id"] for tag in _soup(site / target).find_all(id=True)}
        assert anchor in ids[target], f"{link['href']}: no such anchor"
    # quotes are shown whole (the claims audit decides their wording)
    assert all(q in soup.get_text() for q in claims["quote"] if len(q) < 400)


def test_glossary_appraisal_and_slides_exist_and_are_linked(run):
    site = run / "site"
    glossary_ids = {tag["id"] for tag in _soup(site / "glossary.html").select("dt[id]")}
    assert {
        "cdai",
        "mpdai",
        "truelove-witts",
        "lichtiger",
        "clopper-pearson",
        "censoring",
        "i2",
        "intention-to-treat",
    } <= glossary_ids
    linked = set()
    for page in (site / "read").glob("*.html"):
        for a in _soup(page).select('a[href^="../glossary.html#"]'):
            linked.add(a["href"].split("#")[1])
    assert linked and linked <= glossary_ids, linked - glossary_ids
    assert all(term.source for term in __import__("tacrolimus_ibd.report.content", fromlist=["GLOSSARY"]).GLOSSARY)
    appraisal = (site / "appraisal.html").read_text(encoding="utf-8")
    for topic in (
        "No control group",
        "Regression to the mean",
        "Concurrent treatments",
        "Drop-outs",
        "Side-effect stops",
    ):
        assert topic in appraisal
    # On the paper's own data the pages speak of the paper's series (another cohort's: test_own_cohort).
    assert "The paper describes" in appraisal and "concurrent thiopurines" in appraisal
    assert "re-derives, from the published tables" in (site / "index.html").read_text(encoding="utf-8")
    slides = (site / "slides.html").read_text(encoding="utf-8")
    assert 'src="static/reveal/dist/reveal.js"' in slides and (site / "static/reveal/dist/reveal.js").is_file()
    assert slides.count('<aside class="notes">') >= len(list((run / "notebooks").glob("*.ipynb")))
    assert (site / "presenter.ipynb").is_file()
    timetable = (site / "journal-club.html").read_text(encoding="utf-8")
    assert "Introduction" in timetable and "Wrap-up" in timetable and 'href="slides.html"' in timetable


def test_slides_run_offline_in_chromium(run, browser):
    report = browser.check((run / "site" / "slides.html").resolve().as_uri())
    assert report.console_errors == [] and report.remote_requests == [] and report.failed_requests == []
    assert browser.evaluate("typeof Reveal !== 'undefined' && Reveal.isReady()") is True
    assert browser.evaluate("Reveal.getTotalSlides()") >= 2 * len(list((run / "notebooks").glob("*.ipynb")))


def test_claims_table_filters_and_sorts_in_chromium(run, browser):
    claims = pd.read_csv(run / "claims.csv", dtype=str, keep_default_na=False)
    browser.check((run / "site" / "claims.html").resolve().as_uri())
    shown = "Array.from(document.querySelectorAll('#claims-table tbody tr')).filter(r => !r.hidden).length"
    assert browser.evaluate(shown) == len(claims)
    browser.evaluate(
        "(() => { const s = document.querySelector('select[data-column=status]'); s.value = 'discrepancy';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert browser.evaluate(shown) == int((claims["status"] == "discrepancy").sum())
    browser.evaluate(
        "Array.from(document.querySelectorAll('#claims-table thead th')).find(th => th.textContent.trim() === 'claim').click()"
    )
    first = browser.evaluate("document.querySelector('#claims-table tbody tr:not([hidden]) td').textContent.trim()")
    assert first == sorted(claims.loc[claims["status"] == "discrepancy", "claim_id"])[0]
