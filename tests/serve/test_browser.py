"""`kdash serve` in a real browser: headless Chromium (Debian's `chromium` + `chromium-driver`)
driven by selenium loads the page, waits for the Workloads pane, presses keys and sees the screen
change; without the token the page is refused.

xterm.js draws on a canvas, so the page's DOM holds no terminal text. The test reads what the
browser received instead: a script installed before the page's own wraps `WebSocket`, keeping every
frame the app sent and the size the page asked for, and those bytes are replayed into pyte (a
terminal emulator) to read the screen the browser drew. Keys are real keyboard events in the page,
which xterm.js turns into the bytes it sends, as it does for a person.

Skipped, saying which executable is missing, where Chromium is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pyte
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from tests.serve.process import Served, kdash_serve

# Flags that keep Chromium quiet on a closed network (without the background-networking ones it
# keeps trying to reach Google and misbehaves), with a profile of its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
)
WAIT = 120  # seconds: only bounds a hang on a loaded machine, never what a test asserts

TAP = """
window.__kdashFrames = [];
window.__kdashSize = null;
const PageSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const socket = new PageSocket(url, protocols);
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") return;
    let text = "";
    for (const byte of new Uint8Array(event.data)) text += String.fromCharCode(byte);
    window.__kdashFrames.push(btoa(text));
  });
  const send = socket.send.bind(socket);
  socket.send = (data) => {
    try {
      const message = JSON.parse(data);
      if (message[0] === "resize") window.__kdashSize = message[1];
    } catch (error) {}
    return send(data);
  };
  return socket;
};
window.WebSocket.prototype = PageSocket.prototype;
"""


def _executable(*names: str) -> str:
    for name in names:
        if path := shutil.which(name):
            return path
    pytest.skip(f"`{names[0]}` is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium = _executable("chromium", "chromium-browser")
    driver_path = _executable("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="kdash-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="module")
def served(browser: webdriver.Chrome) -> Iterator[Served]:
    with kdash_serve("--demo", "--generate-token", "--max-sessions", "2") as running:
        yield running


class Screen:
    """The terminal as the browser drew it, rebuilt from the frames the page received."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver
        self.screen: pyte.Screen | None = None
        self.stream: pyte.ByteStream | None = None

    def text(self) -> str:
        size = self.driver.execute_script("return window.__kdashSize")
        frames = self.driver.execute_script(
            "const f = window.__kdashFrames; window.__kdashFrames = []; return f;"
        )
        if self.screen is None and size:
            self.screen = pyte.Screen(size["width"], size["height"])
            self.stream = pyte.ByteStream(self.screen)
        if self.stream is None:
            return ""
        for frame in frames:
            self.stream.feed(base64.b64decode(frame))
        return "\n".join(self.screen.display) if self.screen else ""

    def pane_corners(self) -> tuple[str, ...]:
        """The colour of each pane's top-left corner: it changes with the focused pane."""
        self.text()
        assert self.screen is not None
        return tuple(
            f"{y}:{row[x].fg}"
            for y, row in sorted(self.screen.buffer.items())
            for x in sorted(row)
            if row[x].data == "╭"
        )

    def shows(self, what: str, predicate: Any) -> str:
        """The screen text once `predicate` holds for it (WebDriverWait polls the page)."""
        found = ""

        def check(_driver: Any) -> bool:
            nonlocal found
            found = self.text()
            return bool(predicate(found))

        try:
            WebDriverWait(self.driver, WAIT, poll_frequency=0.2).until(check)
        except Exception as exc:
            raise AssertionError(f"gave up waiting for {what}; the screen was:\n{found}") from exc
        return found


def press(driver: webdriver.Chrome, key: str) -> None:
    ActionChains(driver).send_keys(key).perform()


def test_without_the_token_the_page_is_refused(browser: webdriver.Chrome, served: Served) -> None:
    base = served.url.split("?", 1)[0]
    browser.get(base)
    body = browser.find_element("tag name", "body").text
    assert "Token required" in body and "?token=" in body
    assert not browser.find_elements("css selector", ".textual-terminal")
    browser.get(f"{base}?token=not-the-token-but-long-enough")
    assert "Token required" in browser.find_element("tag name", "body").text


def test_the_dashboard_runs_in_the_browser_and_answers_keys(
    browser: webdriver.Chrome, served: Served
) -> None:
    # A headless page never has the window's focus, so xterm.js would never tell the app it has
    # it; emulate a focused window, as a person's browser is.
    browser.execute_cdp_cmd("Emulation.setFocusEmulationEnabled", {"enabled": True})
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TAP})
    browser.get(served.url)
    assert "token" not in browser.current_url  # exchanged for a cookie, out of the address bar
    assert browser.find_elements("css selector", ".textual-terminal")
    screen = Screen(browser)
    first = screen.shows("the Workloads pane", lambda t: "Workloads [" in t)
    assert "kdash-sim" in first and "Keys: Dashboard" not in first
    # The terminal takes the keyboard focus, as a click on it would: the app, told it has the
    # focus, focuses its pane again and the footer lists the pane's keys.
    browser.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
    screen.shows("the focused pane's keys in the footer", lambda t: "tab Next pane" in t)

    corners = screen.pane_corners()
    press(browser, Keys.TAB)  # the next pane takes the focus: the borders change colour
    WebDriverWait(browser, WAIT, poll_frequency=0.2).until(lambda _d: screen.pane_corners() != corners)

    press(browser, Keys.ENTER)  # opens the focused pane's selected row: the first HPA
    opened = screen.shows("a detail screen", lambda t: "esc Back" in t and "Workloads [" not in t)
    assert "HorizontalPodAutoscaler" in opened and "tab Next pane" not in opened  # the HPA pane's row

    press(browser, Keys.ESCAPE)
    screen.shows("the dashboard again", lambda t: "Workloads [" in t and "esc Back" not in t)

    press(browser, "?")
    helped = screen.shows("the help screen", lambda t: "Keys: Dashboard" in t)
    assert "Next pane" in helped and "esc to close" in helped

    press(browser, Keys.ESCAPE)
    screen.shows("the help closed", lambda t: "Keys: Dashboard" not in t and "Workloads [" in t)
