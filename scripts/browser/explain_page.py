#!/usr/bin/env python3
"""The explain page in a real browser (headless Chromium through Selenium; Firefox with
--browser firefox or GRADTRACE_BROWSER=firefox: see browsers.py).

    python3 scripts/browser/explain_page.py http://127.0.0.1:PORT/ [SCREENSHOT.png] [--browser firefox]

Types the CS231n neuron, sets its inputs, reads ∂f/∂w0 = -0.20 on the page, steps through the
backward pass, makes a syntax error and checks the caret and hint, opens a permalink, checks
that no script error or policy violation was logged, and saves a screenshot. Exit status 0 when
everything held; the first failed check is printed. Run by GradTraceServerTests (swift test).
"""
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait, Select

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the work tree
import browsers  # noqa: E402 (scripts/browser/browsers.py)

NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
VALUES = {"w0": "2", "x0": "-1", "w1": "-3", "x1": "-2", "w2": "-3"}


def main():
    browser, argv = browsers.choose(sys.argv)
    url = argv[1]
    screenshot = argv[2] if len(argv) > 2 else None
    label = "explain page" + ("" if browser == "chromium" else f" ({browser})")
    driver = browsers.start(browser, 1400, 1500)
    # Generous: in the full suite the page shares two cores with every other test.
    wait = WebDriverWait(driver, 90)
    try:
        driver.get(url)
        # The page starts with an example and computes it.
        wait.until(lambda d: d.find_element(By.ID, "diagram").find_elements(By.TAG_NAME, "svg"))

        # Type the neuron.
        source = driver.find_element(By.ID, "source")
        source.click()
        source.send_keys(Keys.CONTROL, "a")
        source.send_keys(Keys.DELETE)
        source.send_keys(NEURON)
        # The inputs get fields; none has a value yet, so each says it uses 1.
        wait.until(lambda d: d.find_element(By.ID, "inputs").text.count("using 1") == 5)
        assert names(driver) == ["w0", "x0", "w1", "x1", "w2"], names(driver)
        for name, value in VALUES.items():
            field = driver.find_element(By.CSS_SELECTOR, f'input[type=number][data-name="{name}"]')
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys(value)
        Select(driver.find_element(By.ID, "number-mode")).select_by_value("precision")
        count = driver.find_element(By.ID, "number-count")
        count.send_keys(Keys.CONTROL, "a")
        count.send_keys("2")
        count.send_keys(Keys.TAB)
        wait.until(lambda d: gradient(d, "w0") == "∂f/∂w0 = -0.20")
        assert gradient(driver, "x0") == "∂f/∂x0 = 0.39", gradient(driver, "x0")
        assert gradient(driver, "w2") == "∂f/∂w2 = 0.20", gradient(driver, "w2")
        assert driver.find_element(By.ID, "result").text == "f = 0.73", driver.find_element(By.ID, "result").text
        walkthrough = driver.find_element(By.ID, "walkthrough").text
        assert "-2.00 × 0.197 = -0.39" in walkthrough, walkthrough[:2000]
        svg = driver.execute_script("return document.querySelector('#diagram svg').outerHTML")
        assert "-0.20" in svg, "the diagram shows the gradient"

        # Step through the backward pass.
        wait.until(lambda d: d.find_element(By.ID, "step-label").text == "step 1 of 8")
        wait.until(lambda d: d.find_element(By.ID, "frame").is_displayed())
        first = driver.find_element(By.ID, "step-text").text
        driver.find_element(By.ID, "next").click()
        wait.until(lambda d: d.find_element(By.ID, "step-label").text == "step 2 of 8")
        assert driver.find_element(By.ID, "step-text").text != first
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        wait.until(lambda d: d.find_element(By.ID, "step-label").text == "step 3 of 8")
        driver.find_element(By.ID, "last").click()
        wait.until(lambda d: d.find_element(By.ID, "step-label").text == "step 8 of 8")
        last = driver.find_element(By.ID, "step-text").text
        assert "w0" in last and "-1.00 × 0.20 = -0.20" in last, last
        wait.until(lambda d: "frame-" in d.execute_script("return document.getElementById('frame').innerHTML"))
        assert driver.find_element(By.ID, "next").get_property("disabled")
        driver.find_element(By.ID, "prev").click()
        wait.until(lambda d: d.find_element(By.ID, "step-label").text == "step 7 of 8")

        # The permalink reproduces the example in a new load.
        permalink = driver.find_element(By.ID, "permalink-text").get_attribute("value")
        assert "#src=" in permalink and "precision=2" in permalink, permalink
        assert "w0%3A2" in permalink, permalink
        downloads = {f: driver.find_element(By.ID, "dl-" + f).get_attribute("href") for f in ["svg", "png", "pdf", "md", "html"]}
        assert all("/api/export?format=" in h and "src=" in h for h in downloads.values()), downloads

        # A syntax error: the diagnostic with its caret and hint, the last result kept (dimmed).
        source.send_keys(Keys.END, " +* 2")
        wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
        error = driver.find_element(By.ID, "error").text
        assert "^" in error and "1 | " in error, error
        assert "stale" in driver.execute_script("return document.getElementById('diagram').className")
        assert driver.find_elements(By.CSS_SELECTOR, "#diagram svg"), "the last diagram stays on screen"
        # A misspelled function: the hint.
        source.send_keys(Keys.CONTROL, "a")
        source.send_keys("sigmod(x)")
        wait.until(lambda d: "did you mean 'sigmoid'?" in d.find_element(By.ID, "error").text)
        error_text = driver.find_element(By.ID, "error").text
        assert "^^^^^^" in error_text, error_text
        if screenshot:
            driver.save_screenshot(screenshot.replace(".png", "-error.png"))

        driver.get(permalink)
        driver.refresh()
        wait.until(lambda d: gradient(d, "w0") == "∂f/∂w0 = -0.20")
        field = driver.find_element(By.CSS_SELECTOR, 'input[type=number][data-name="x1"]')
        assert field.get_attribute("value") == "-2", field.get_attribute("value")
        assert driver.find_element(By.ID, "source").get_attribute("value") == NEURON
        wait.until(lambda d: d.find_element(By.ID, "frame").is_displayed())
        time.sleep(0.3)

        # Input errors are answered 422 by design; anything else logged (a script error, a
        # Content-Security-Policy violation, a failed load) is a failure. (Firefox: what
        # browsers.problems can see there.)
        problems = browsers.problems(driver, lambda e: e.get("source") == "network" and "/api/explain" in e["message"]
                                     and "422" in e["message"])
        assert not problems, problems
        if screenshot:
            driver.save_screenshot(screenshot)
        print(f"{label}: all checks passed")
        return 0
    except AssertionError as failure:
        print(f"{label}: check failed:", failure, file=sys.stderr)
        if screenshot:
            driver.save_screenshot(screenshot.replace(".png", "-failure.png"))
        return 1
    finally:
        driver.quit()


def names(driver):
    return [e.get_attribute("data-name") for e in driver.find_elements(By.CSS_SELECTOR, "#inputs input[type=number]")]


def gradient(driver, name):
    found = driver.find_elements(By.CSS_SELECTOR, f'#inputs .grad[data-name="{name}"]')
    return found[0].text if found else None


if __name__ == "__main__":
    sys.exit(main())
