"""Write screenshots/serve.png: `kdash serve --demo` in headless Chromium, as the browser test sees it.

Needs Debian's `chromium` and `chromium-driver`; reuses the browser test's flags, frame tap and
screen reader (tests/serve/test_browser.py) to wait until the dashboard is drawn and focused.
Run with `.venv/bin/python scripts/serve_screenshot.py [OUT.png]`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from tests.serve.process import kdash_serve  # noqa: E402
from tests.serve.test_browser import CHROMIUM_FLAGS, TAP, Screen  # noqa: E402


def main(out: Path) -> int:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        sys.stderr.write(
            "serve_screenshot: needs chromium and chromedriver (apt-get install chromium chromium-driver)\n"
        )
        return 2
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag.replace("1400,900", "1280,760"))
    with tempfile.TemporaryDirectory() as profile, kdash_serve("--demo", "--generate-token") as served:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            driver.execute_cdp_cmd("Emulation.setFocusEmulationEnabled", {"enabled": True})
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TAP})
            driver.get(served.url)
            screen = Screen(driver)
            screen.wait_for("the Workloads pane", lambda t: "Workloads [" in t)
            driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
            screen.wait_for("the footer", lambda t: "tab Next pane" in t)
            out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(out))
        finally:
            driver.quit()
    sys.stdout.write(f"wrote {out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots" / "serve.png"))
