"""The report in a real browser: Selenium driving Debian's chromium through its chromium-driver.

Nothing is installed here: `make browser-tools` (which .ci/run runs) installs chromium and
chromium-driver with apt-get and axe-core (the npm package, for the accessibility check) with npm.
``browser_tools()`` finds them; when one is missing the test is skipped locally and fails in CI
(CI=true). ``Browser.check`` opens a page, waits for its load event and returns what a reader would
meet: console errors (uncaught exceptions and failed loads included), remote and failed requests
(from Chromium's performance log), every image with its natural width and alt text, every link and
every element id. ``Browser.axe`` runs axe-core on the page it is on; ``Browser.pdf_pages`` prints a
page as Chromium does and counts its pages with pypdf.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Where `make browser-tools` puts axe-core (npm install --prefix .tools axe-core@<pinned version>).
AXE_CORE_JS = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
#: Flags that work in this container (no sandbox as root, no GPU, nothing fetched in background).
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,1000",
]
_CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
_DRIVER = ("chromedriver",)
#: axe-core impacts that fail the accessibility check.
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class BrowserTools:
    chromium: str
    chromedriver: str
    axe_js: Path


def _which(override: str, names: tuple[str, ...]) -> str | None:
    if os.environ.get(override):
        return shutil.which(os.environ[override]) or (
            os.environ[override] if Path(os.environ[override]).is_file() else None
        )
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"the browser check is required in CI: {reason}")
    pytest.skip(f"the browser check cannot run here: {reason}")


def browser_tools() -> BrowserTools:
    """Chromium, its driver and axe-core, as `make browser-tools` installs them (never installs)."""
    chromium = _which("CHROMIUM", _CHROMIUM)
    chromedriver = _which("CHROMEDRIVER", _DRIVER)
    axe_js = Path(os.environ.get("AXE_CORE_JS", AXE_CORE_JS))
    missing = [
        name
        for name, found in (
            ("chromium", chromium),
            ("chromium-driver", chromedriver),
            (f"axe-core ({axe_js})", axe_js.is_file()),
        )
        if not found
    ]
    if missing:
        _unavailable(f"{', '.join(missing)} not installed; run `make browser-tools`")
    return BrowserTools(chromium, chromedriver, axe_js)


@dataclass
class PageReport:
    """What loading one page gave."""

    url: str
    loaded: bool
    console_errors: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)  # src (shortened), complete, naturalWidth, alt
    links: list[str] = field(default_factory=list)  # href attributes of <a>, as written
    resolved_links: list[str] = field(default_factory=list)  # the same, as absolute URLs
    ids: list[str] = field(default_factory=list)  # every element id (and <a name>): fragment targets
    title: str = ""

    @property
    def broken_images(self) -> list[dict]:
        return [img for img in self.images if not img["complete"] or img["naturalWidth"] <= 0]

    @property
    def images_without_alt(self) -> list[dict]:
        """Images with no alt text, or with a placeholder that describes nothing (``is_placeholder_alt``)."""
        return [img for img in self.images if is_placeholder_alt(img.get("alt"))]


#: Alt texts that describe nothing: nbconvert's for an image without one (HTMLExporter), the
#: output's MIME subtype, and the fallbacks a template or the site writes for an unknown figure.
PLACEHOLDER_ALTS = ("no description has been provided for this image", "png", "image", "figure", "image/png")


def is_placeholder_alt(alt: str | None) -> bool:
    """Whether ``alt`` is missing, blank, a known placeholder, only a figure's file-like name
    ("Figure km_time_on_tacrolimus"), or the figures manifest's own admission that none was written
    (``outputs.figure_record``): a screen reader would learn nothing from it."""
    text = " ".join((alt or "").split()).lower()
    return (
        not text
        or text in PLACEHOLDER_ALTS
        or text.endswith("(no description written)")
        or bool(re.fullmatch(r"(figure )?[a-z0-9]+(_[a-z0-9]+)+", text))
    )


_PAGE_FACTS = """
return {
  title: document.title,
  ready: document.readyState,
  images: Array.from(document.images).map(i => ({src: i.currentSrc.slice(0, 120), complete: i.complete,
                                                  naturalWidth: i.naturalWidth, alt: i.getAttribute('alt')})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => [a.getAttribute('href'), a.href]),
  ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name')),
};
"""

_WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null))).then(() => done(null));
"""

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                                          targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
  .catch(e => done({error: String(e)}));
"""


class Browser:
    """One headless Chromium driven by Selenium through chromium-driver."""

    def __init__(self, tools: BrowserTools, log_dir: Path, *, timeout: float = 60):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        log_dir.mkdir(parents=True, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = tools.chromium
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={log_dir / 'profile'}")
        # Console messages, and the DevTools Network events (requests sent, loads failed).
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        service = Service(executable_path=tools.chromedriver, log_output=str(log_dir / "chromedriver.log"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_page_load_timeout(timeout)
        self.driver.set_script_timeout(max(timeout, 120))
        self._axe_source = tools.axe_js.read_text(encoding="utf-8")
        self.driver.get("about:blank")

    def _drain_logs(self) -> tuple[list[dict], list[dict]]:
        return self.driver.get_log("browser"), self.driver.get_log("performance")

    def check(self, url: str) -> PageReport:
        """Load ``url`` and report console errors, requests, images, links and ids."""
        self._drain_logs()
        self.driver.get(url)  # returns after the load event
        # Images decode asynchronously: wait until each has finished (loaded or failed).
        self.driver.execute_async_script(_WAIT_FOR_IMAGES)
        facts = self.driver.execute_script(_PAGE_FACTS)
        report = PageReport(
            url, facts["ready"] == "complete", title=facts["title"], images=facts["images"], ids=facts["ids"]
        )
        report.links = [href for href, _ in facts["links"]]
        report.resolved_links = [resolved for _, resolved in facts["links"]]
        console, performance = self._drain_logs()
        report.console_errors = [entry["message"] for entry in console if entry.get("level") == "SEVERE"]
        # Only what the checked page asked for counts: Chromium's own pages (the new-tab page the
        # browser starts on) make requests of their own.
        ours: dict[str, str] = {}
        for entry in performance:
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent" and params.get("documentURL", "").startswith(
                ("file:", "data:", "about:blank")
            ):
                requested = params.get("request", {}).get("url", "")
                ours[params.get("requestId")] = requested
                if not requested.startswith(("file:", "data:", "about:", "blob:")):
                    report.remote_requests.append(requested)
            elif method == "Network.loadingFailed" and params.get("requestId") in ours:
                report.failed_requests.append(
                    f"{params.get('errorText')} ({params.get('type')}): {ours[params['requestId']][:120]}"
                )
        return report

    def evaluate(self, expression: str):
        """The value of a JavaScript expression on the current page."""
        return self.driver.execute_script(f"return ({expression});")

    def axe(self) -> list[dict]:
        """axe-core's violations on the current page: id, impact, help, count and a few targets."""
        self.driver.execute_script(self._axe_source)
        result = self.driver.execute_async_script(_RUN_AXE)
        if isinstance(result, dict) and "error" in result:
            raise RuntimeError(f"axe-core failed: {result['error']}")
        return result

    def screenshot(self, path: Path, *, max_height: int = 6000) -> Path:
        """A full-page PNG screenshot (up to ``max_height`` CSS pixels tall)."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height), "scale": 1}
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def pdf_pages(self, url: str) -> int:
        """Number of pages ``url`` prints to, with the page size its CSS asks for (@page), read with pypdf."""
        from pypdf import PdfReader

        self.check(url)
        pdf = self.driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        return len(PdfReader(io.BytesIO(base64.b64decode(pdf["data"]))).pages)

    def close(self) -> None:
        self.driver.quit()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
