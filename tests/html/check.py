"""Drives headless Chromium through chromedriver's WebDriver HTTP API (stdlib
only, no pip) over the HTML reports that run.sh renders, and asserts what an
on-call engineer relies on: the tiles, the actions and the timeline are
visible at desktop and phone widths, the page never scrolls sideways on a
phone, clicking a table header sorts its rows both ways, and the dark palette
follows prefers-color-scheme. Saves screenshots beside the reports.

Usage: check.py REPORT.html COMPARE_REPORT.html OUT_DIR
"""

import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

DESKTOP = (1280, 900)
PHONE = (412, 900)
PASSED = []


class Driver:
    """One chromedriver process and one browser session."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            ["chromedriver", f"--port={self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        try:
            self._start()
        except BaseException:
            self.proc.terminate()
            raise

    def _start(self):
        self._wait_ready()
        profile = tempfile.mkdtemp(prefix="errlens-html-")
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--hide-scrollbars", f"--user-data-dir={profile}",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium_binary(), "args": args}}}}
        self.session = self.call("POST", "/session", caps, session=False)["sessionId"]

    def _wait_ready(self):
        for _ in range(100):
            try:
                if self.call("GET", "/status", session=False)["ready"]:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("chromedriver did not start")

    def call(self, method, path, body=None, session=True):
        url = self.base + (f"/session/{self.session}" if session else "") + path
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.load(resp)["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.read().decode()[:500]}") from None

    def js(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def cdp(self, cmd, params):
        return self.call("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params})

    def open(self, path, size, dark=False):
        width, height = size
        self.cdp("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        scheme = "dark" if dark else "light"
        self.cdp("Emulation.setEmulatedMedia",
                 {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        self.call("POST", "/url", {"url": "file://" + os.path.abspath(path)})

    def click(self, css):
        found = self.call("POST", "/element", {"using": "css selector", "value": css})
        element = next(iter(found.values()))
        self.call("POST", f"/element/{element}/click", {})

    def screenshot(self, path, full_page):
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            w, h = self.js("return [document.documentElement.scrollWidth,"
                           " document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}
        shot = self.cdp("Page.captureScreenshot", params)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(f"screenshot {path}")

    def quit(self):
        try:
            self.call("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def chromium_binary():
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            return path
    raise RuntimeError("no chromium binary")


def check(name, ok, detail=""):
    if not ok:
        raise AssertionError(f"{name}: {detail}")
    PASSED.append(name)
    print(f"ok {name}")


VISIBLE = """
const el = document.querySelector(arguments[0]);
if (!el) return null;
el.scrollIntoView({block: 'start'});
const r = el.getBoundingClientRect(), s = getComputedStyle(el);
return {w: r.width, h: r.height, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
        vw: innerWidth, vh: innerHeight, shown: s.display !== 'none' && s.visibility !== 'hidden'};
"""


def check_visible(d, label, css):
    r = d.js(VISIBLE, css)
    check(f"{label}: {css} exists", r is not None, "not found")
    in_view = r["top"] < r["vh"] and r["bottom"] > 0 and r["left"] >= -1 and r["right"] <= r["vw"] + 1
    check(f"{label}: {css} visible in the viewport",
          r["shown"] and r["w"] > 0 and r["h"] > 0 and in_view, r)


def check_page(d, label, size, tiles):
    check_visible(d, label, "#tiles")
    n = d.js("return document.querySelectorAll('#tiles .tile').length")
    check(f"{label}: {tiles} tiles", n == tiles, n)
    check_visible(d, label, "#actions ol.actions")
    n = d.js("return document.querySelectorAll('#actions ol.actions > li').length")
    check(f"{label}: actions listed", n >= 1, n)
    check_visible(d, label, "#timeline svg")
    bars = d.js("return document.querySelectorAll('#timeline svg rect').length")
    check(f"{label}: the timeline has bars", bars > 0, bars)
    sw, iw = d.js("return [document.documentElement.scrollWidth, innerWidth]")
    check(f"{label}: no sideways page scroll ({sw} <= {iw})", sw <= iw and iw == size[0],
          (sw, iw))


COLUMN = """
const rows = document.querySelectorAll(arguments[0] + ' tbody tr');
return Array.from(rows, r => r.cells[arguments[1]].textContent.trim());
"""


def number(text):
    t = text.replace(",", "").rstrip("%")
    return float(t) if re.fullmatch(r"[+-]?\d+(\.\d+)?", t) else None


def check_sort(d, label):
    table = "#models table"
    header = d.js(f"return Array.from(document.querySelectorAll('{table} thead th'),"
                  " th => th.textContent.trim())")
    col = header.index("failures")
    before = [number(v) for v in d.js(COLUMN, table, col)]
    check(f"{label}: the models table has rows to sort", len(before) >= 3, before)
    check(f"{label}: its rows are not in ascending order yet", before != sorted(before), before)
    d.click(f"{table} thead th:nth-child({col + 1}) button")
    up = [number(v) for v in d.js(COLUMN, table, col)]
    aria = d.js(f"return document.querySelector('{table} thead th:nth-child({col + 1})')"
                ".getAttribute('aria-sort')")
    check(f"{label}: a header click sorts ascending", up == sorted(before) and aria == "ascending",
          (up, aria))
    d.click(f"{table} thead th:nth-child({col + 1}) button")
    down = [number(v) for v in d.js(COLUMN, table, col)]
    check(f"{label}: a second click sorts descending",
          down == sorted(before, reverse=True) and down != up, down)
    d.click(f"{table} thead th:nth-child(1) button")
    names = d.js(COLUMN, table, 0)
    check(f"{label}: a text column sorts as text", names == sorted(names, key=str.lower), names)


def luminance(css_colour):
    r, g, b = (int(x) for x in re.findall(r"\d+", css_colour)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def check_palette(d, label, dark):
    bg = d.js("return getComputedStyle(document.body).backgroundColor")
    fg = d.js("return getComputedStyle(document.body).color")
    if dark:
        check(f"{label}: dark background ({bg}), light text ({fg})",
              luminance(bg) < 0.15 and luminance(fg) > 0.7, (bg, fg))
    else:
        check(f"{label}: light background ({bg}), dark text ({fg})",
              luminance(bg) > 0.85 and luminance(fg) < 0.3, (bg, fg))


def main():
    report, compared, out = sys.argv[1:4]
    started = time.monotonic()
    d = Driver()
    try:
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            d.open(report, size)
            check_page(d, name, size, tiles=3)
            check_palette(d, name, dark=False)
            d.js("window.scrollTo(0, 0)")
            d.screenshot(f"{out}/{name}.png", full_page=True)
            d.js("document.querySelector('#timeline').scrollIntoView()")
            d.screenshot(f"{out}/{name}-timeline.png", full_page=False)
            check_sort(d, name)
            for section in ("findings", "models"):
                d.js(f"document.querySelector('#{section}').scrollIntoView()")
                d.screenshot(f"{out}/{name}-{section}.png", full_page=False)
            d.open(report, size, dark=True)
            check_palette(d, f"{name} dark", dark=True)
            d.js("window.scrollTo(0, 0)")
            d.screenshot(f"{out}/{name}-dark.png", full_page=False)
            d.open(compared, size)
            check_page(d, f"{name} --compare", size, tiles=5)
            d.js("window.scrollTo(0, 0)")
            d.screenshot(f"{out}/{name}-compare.png", full_page=False)
    finally:
        d.quit()
    print(f"browser checks took {time.monotonic() - started:.1f}s")
    print(f"html: {len(PASSED)} passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, RuntimeError) as e:
        print(f"FAILED {e}", file=sys.stderr)
        print(f"html: {len(PASSED)} passed, 1 failed")
        sys.exit(1)
