#!/usr/bin/env python3
"""axe-core 4 on GradTrace's pages in headless Chromium, with the WCAG 2.0/2.1/2.2 A and AA rules.

    python3 scripts/browser/axe_check.py [PAGE.html | FOLDER | URL]... [--serve GRADTRACE] [--json] [--light-only | --dark-only]

A FOLDER stands for every .html file under it (a built output/ folder, or one lesson's). With
--serve, GRADTRACE (the built executable) is started as `gradtrace serve` on a free loopback
port, and its two pages, the explain page (/) and the network playground (/network), are checked
too, each once it has computed what it shows (the explain page's diagram, the network's first
step). Prints each page's violations (rule id, how many elements, the first element's selector)
and exits 1 if any page has one, 2 if a page could not be checked. Every page is checked twice,
with `prefers-color-scheme: light` and `dark` (Chromium's emulated media), since the pages have a
dark theme whose contrast axe must see too.

axe-core comes from the PyPI wheel axe-playwright-python, which ships axe-core 4's axe.min.js
(`pip install axe-playwright-python`; Playwright itself is not used: Selenium injects the file).
Run by GradTraceServerTests (AccessibilityTests). axe finds perhaps half of what matters; the
keyboard is checked by keyboard_walk.py.
"""
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from selenium.webdriver.support.ui import WebDriverWait

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the work tree
import browsers  # noqa: E402 (scripts/browser/browsers.py)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_source():
    spec = importlib.util.find_spec("axe_playwright_python")
    if not spec or not spec.submodule_search_locations:
        sys.exit("no axe-core: pip install axe-playwright-python")
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, "axe.min.js")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    sys.exit("axe-playwright-python has no axe.min.js")


def pages(arguments):
    for argument in arguments:
        if "://" in argument:
            yield argument, argument
        elif os.path.isdir(argument):
            for folder, _, files in sorted(os.walk(argument)):
                for name in sorted(files):
                    if name.endswith(".html"):
                        path = os.path.join(folder, name)
                        yield os.path.relpath(path, argument), "file://" + os.path.abspath(path)
        else:
            yield argument, "file://" + os.path.abspath(argument)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(executable):
    """`gradtrace serve` on a free port; the process and its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen([executable, "serve", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            urllib.request.urlopen(base, timeout=2).read()
            return process, base
        except OSError:
            if process.poll() is not None:
                sys.exit(f"gradtrace serve exited with status {process.returncode}")
            time.sleep(0.1)
    process.kill()
    sys.exit("gradtrace serve did not answer")


def ready(driver, url):
    """Waits until a served page shows what it computes (a lesson file is ready when loaded)."""
    wait = WebDriverWait(driver, 120)
    if url.endswith("/network"):
        wait.until(lambda d: d.execute_script("return document.body.dataset.ready === '1' && document.body.dataset.step === '0'"))
    elif url.startswith("http"):
        wait.until(lambda d: d.execute_script("return !!document.querySelector('#diagram svg')"))


def scheme(driver, name):
    """Emulates `prefers-color-scheme: name` (light or dark) in Chromium, for the pages loaded next."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": name}]})


def check(driver, axe, name, url):
    driver.get(url)
    ready(driver, url)
    driver.execute_script(axe)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(function (r) { done({version: axe.version, violations: r.violations.map(function (v) {"
        "  return {id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,"
        "          target: v.nodes[0] ? v.nodes[0].target.join(' ') : '', summary: v.nodes[0] ? v.nodes[0].failureSummary : ''}; })}); },"
        "      function (e) { done({error: String(e)}); });", TAGS)
    if "error" in result:
        raise RuntimeError(f"{name}: axe failed: {result['error']}")
    return result


def main():
    argv = sys.argv[1:]
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    schemes = ["light", "dark"]
    for s in ("light", "dark"):
        if f"--{s}-only" in argv:
            schemes = [s]
            argv.remove(f"--{s}-only")
    executable = None
    if "--serve" in argv:
        i = argv.index("--serve")
        executable = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    targets = list(pages(argv))
    server = None
    if executable:
        server, base = serve(executable)
        targets += [("live page /", base), ("network page /network", base + "network")]
    if not targets:
        sys.exit("nothing to check: name pages, folders or --serve GRADTRACE")
    axe = axe_source()
    driver = browsers.start("chromium", 1280, 1000)
    driver.set_script_timeout(120)
    report, failed = {}, False
    try:
        for (name, url), colours in ((t, c) for c in schemes for t in targets):
            scheme(driver, colours)
            name = f"{name} [{colours}]"
            result = check(driver, axe, name, url)
            report[name] = result["violations"]
            if result["violations"]:
                failed = True
            if not as_json:
                if result["violations"]:
                    print(f"{name}: {len(result['violations'])} rule(s) violated (axe-core {result['version']})")
                    for v in result["violations"]:
                        print(f"  {v['id']} ({v['impact']}) ×{v['count']}: {v['help']}; first: {v['target']}")
                        print("    " + v["summary"].replace("\n", "\n    ")[:600])
                else:
                    print(f"{name}: no violations (axe-core {result['version']})")
    finally:
        driver.quit()
        if server:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    if as_json:
        print(json.dumps(report, indent=1))
    print(f"axe: {sum(1 for v in report.values() if v)} of {len(report)} page(s) with violations")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        print(e)
        sys.exit(2)
