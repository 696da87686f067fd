#!/usr/bin/env python3
"""The network page in a real browser (headless Chromium through Selenium; Firefox with
--browser firefox or GRADTRACE_BROWSER=firefox: see browsers.py).

    python3 scripts/browser/network_page.py http://127.0.0.1:PORT/network [SCREENSHOT.png] [MIN_REDRAWS_PER_SECOND] [--browser firefox]

Builds micrograd's MLP(2, [16, 16, 1]) on 200 moons points (30% held out), presses Play and
waits for the validation accuracy to reach 95%, pauses, clicks an edge of the drawn network and
reads its gradient as local × upstream with the update line, clicks a data point and reads its
walkthrough, adds a point with a click and removes one, loads a CSV of its own as the data, prints how often the boundary was redrawn while playing (and checks it against
MIN_REDRAWS_PER_SECOND when given: 10 against a release build), checks that no script error or policy violation was logged, and saves a screenshot. Exit status 0 when
everything held; the first failed check is printed. Run by GradTraceServerTests (swift test).
"""
import os
import sys
import tempfile
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the work tree
import browsers  # noqa: E402 (scripts/browser/browsers.py)


def main():
    browser, argv = browsers.choose(sys.argv)
    url = argv[1]
    screenshot = argv[2] if len(argv) > 2 and argv[2] else None
    min_redraws = float(argv[3]) if len(argv) > 3 else 0
    label = "network page" + ("" if browser == "chromium" else f" ({browser})")
    driver = browsers.start(browser, 1400, 1600)
    # Generous: in the whole suite the page shares two cores with every other test.
    wait = WebDriverWait(driver, 90)
    body = lambda: driver.find_element(By.TAG_NAME, "body")
    try:
        driver.get(url)
        # The page connects and builds the default network (moons, 200 points, 16-16, ReLU, hinge).
        wait.until(lambda d: body().get_attribute("data-ready") == "1" and body().get_attribute("data-step") == "0")
        source = driver.find_element(By.ID, "source").text
        assert "h2 = relu(W2 @ h1 + b2)" in source, source
        assert driver.find_element(By.ID, "m-val-acc").text.endswith("%")

        # Train: the validation accuracy reaches 95%.
        driver.find_element(By.ID, "play").click()
        best, redraws, started = 0.0, 0.0, time.time()
        while time.time() - started < 240:
            time.sleep(0.5)
            value = body().get_attribute("data-validation-accuracy") or "0"
            best = max(best, float(value))
            redraws = max(redraws, float(body().get_attribute("data-redraws") or "0"))
            if best >= 0.95 and time.time() - started > 3:
                break
        steps = int(body().get_attribute("data-step"))
        print(f"{label}: validation accuracy {best:.3f} after {steps} steps in {time.time() - started:.1f} s; "
              f"boundary redraws per second in the browser: {redraws:.1f}; server steps/s: {driver.find_element(By.ID, 'm-rate').text}")
        assert best >= 0.95, f"validation accuracy only {best}"
        assert redraws >= min_redraws, f"the boundary was redrawn only {redraws} times a second"
        driver.find_element(By.ID, "pause").click()
        wait.until(lambda d: "paused" in d.find_element(By.ID, "status").text)

        # Click an edge of the network: its gradient at this step, as local × upstream.
        click_at(driver, driver.find_element(By.ID, "network"), "data-first-edge")
        wait.until(lambda d: body().get_attribute("data-explained") == "weight")
        title = driver.find_element(By.ID, "explain-title").text
        assert title.startswith("Gradient of W1[1,1] at step"), title
        text = driver.find_element(By.ID, "explain").text
        assert "local × upstream" in text and "batch mean" in text and "w ← w − η·g" in text, text[:800]

        driver.execute_script("window.scrollTo(0, 0)")
        if screenshot:
            driver.save_screenshot(screenshot)

        # Click a data point: its walkthrough at the current parameters.
        click_at(driver, driver.find_element(By.ID, "boundary"), "data-first-point")
        wait.until(lambda d: body().get_attribute("data-explained") == "point")
        title = driver.find_element(By.ID, "explain-title").text
        assert title.startswith("Training row 1 at step"), title
        text = driver.find_element(By.ID, "explain").text
        assert "score" in text, text[:800]

        # With "a click adds a blue point", a click on the plane adds a training row.
        Select(driver.find_element(By.ID, "click-adds")).select_by_value("1")
        ActionChains(driver).move_to_element(driver.find_element(By.ID, "boundary")).click().perform()
        wait.until(lambda d: body().get_attribute("data-training-rows") == "141")

        # With "a click removes the nearest training point", a click on the first one removes it.
        Select(driver.find_element(By.ID, "click-adds")).select_by_value("remove")
        click_at(driver, driver.find_element(By.ID, "boundary"), "data-first-point")
        wait.until(lambda d: body().get_attribute("data-training-rows") == "140")

        # Your own CSV: choosing the file builds a network on its rows; the old explanation goes.
        rows = ["x1,x2,y"] + [f"{-1 + k / 40 if k % 2 == 0 else 1 + k / 40},{-1 - k / 40 if k % 2 == 0 else 1 - k / 40},{k % 2}"
                              for k in range(20)]
        with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix="two-blobs-", delete=False) as f:
            f.write("\n".join(rows) + "\n")
        try:
            driver.find_element(By.ID, "csv-file").send_keys(f.name)
            wait.until(lambda d: body().get_attribute("data-training-rows") == "14" and body().get_attribute("data-validation-rows") == "6")
        finally:
            os.unlink(f.name)
        assert "--data two-blobs-" in driver.find_element(By.ID, "command").text, driver.find_element(By.ID, "command").text
        assert "ready: 14 training rows, 6 validation rows" in driver.find_element(By.ID, "status").text, driver.find_element(By.ID, "status").text
        assert driver.find_element(By.ID, "explain-title").text == "Explanation"
        assert driver.find_element(By.ID, "points").get_attribute("disabled") is not None

        problems = browsers.problems(driver)
        assert not problems, problems
        print(f"{label}: all checks passed")
        return 0
    except AssertionError as failure:
        print(f"{label}: check failed:", failure, file=sys.stderr)
        if screenshot:
            driver.save_screenshot(screenshot.replace(".png", "-failure.png"))
        return 1
    finally:
        driver.quit()


def click_at(driver, canvas, attribute):
    """Clicks the canvas at the pixel the page recorded in `attribute` ("x,y" in canvas units)."""
    x, y = (float(v) for v in canvas.get_attribute(attribute).split(","))
    scale = canvas.size["width"] / int(canvas.get_attribute("width"))
    ActionChains(driver).move_to_element_with_offset(canvas, x * scale - canvas.size["width"] / 2,
                                                     y * scale - canvas.size["height"] / 2).click().perform()


if __name__ == "__main__":
    sys.exit(main())
