"""Headless Chromium driven over its DevTools protocol (websocket-client, a jupyter dependency).

``ensure_chromium()`` finds Debian's chromium, installing it with apt-get when absent (as root);
when that is impossible the test is skipped locally and fails in CI (CI=true). ``Browser.check``
opens a page, waits for its load event and returns what a reader would meet: console errors,
uncaught exceptions, failed or remote requests, and every image with its natural width.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: Flags that work in this container (no sandbox as root, no GPU, nothing fetched in background).
CHROMIUM_FLAGS = [
    "--headless",
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
    "--remote-allow-origins=*",
]
_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome")


def _find() -> str | None:
    for candidate in _CANDIDATES:
        found = candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else shutil.which(candidate)
        if found:
            return found
    return None


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"headless Chromium is required in CI: {reason}")
    pytest.skip(f"headless Chromium not available: {reason}")


def ensure_chromium() -> str:
    """Path to a Chromium binary; install Debian's package when absent (root only)."""
    found = _find()
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        _unavailable("chromium is not installed and cannot be installed here (needs apt-get as root)")
    result = subprocess.run(
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
        shell=True, capture_output=True, text=True, timeout=900,
    )
    found = _find()
    if result.returncode != 0 or not found:
        _unavailable(f"apt-get install chromium failed: {(result.stderr or result.stdout).strip()[-500:]}")
    return found


@dataclass
class PageReport:
    """What loading one page gave."""

    url: str
    loaded: bool
    console_errors: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)  # src (shortened), complete, naturalWidth
    links: list[str] = field(default_factory=list)  # href attributes of <a>
    title: str = ""

    @property
    def broken_images(self) -> list[dict]:
        return [img for img in self.images if not img["complete"] or img["naturalWidth"] <= 0]


class Browser:
    """One headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, binary: str, profile_dir: Path, *, timeout: float = 60):
        import websocket

        profile_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(profile_dir.parent / f"{profile_dir.name}-chromium.log", "wb")
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self._log,
        )
        self.timeout = timeout
        port_file = profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"Chromium did not start; see {self._log.name}")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # localhost, never a proxy
        for _ in range(50):
            targets = json.loads(opener.open(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                break
            time.sleep(0.1)
        else:
            self.close()
            raise RuntimeError("Chromium opened no page to drive")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True, http_no_proxy=["127.0.0.1"])
        self._next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def _wait_for(self, method: str) -> bool:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == method:
                return True
        return False

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def check(self, url: str) -> PageReport:
        """Load ``url`` and report console errors, requests and images."""
        self.events = []
        self.call("Page.navigate", {"url": url})
        loaded = self._wait_for("Page.loadEventFired")
        # Images decode asynchronously: wait until each has finished (loaded or failed).
        self.evaluate("Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null)))")
        report = PageReport(url, loaded, title=self.evaluate("document.title"))
        report.images = self.evaluate(
            "Array.from(document.images).map(i => ({src: i.currentSrc.slice(0, 120), complete: i.complete, naturalWidth: i.naturalWidth}))"
        )
        report.links = self.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                report.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                report.console_errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                report.console_errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Network.requestWillBeSent":
                requested = params.get("request", {}).get("url", "")
                if not requested.startswith(("file:", "data:", "about:")):
                    report.remote_requests.append(requested)
            elif method == "Network.loadingFailed":
                report.failed_requests.append(f"{params.get('errorText')} ({params.get('type')})")
        return report

    def screenshot(self, path: Path, *, max_height: int = 6000) -> Path:
        """A full-page PNG screenshot (up to ``max_height`` CSS pixels tall)."""
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], max_height), "scale": 1}
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf_pages(self, url: str) -> int:
        """Number of pages ``url`` prints to, with the page size its CSS asks for (@page)."""
        import re

        self.check(url)
        pdf = base64.b64decode(self.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"])
        return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
