#!/usr/bin/env python3
"""The pages from the keyboard alone, in headless Chromium: no mouse, no clicks, no scripts that
press buttons; only keys sent to whatever has the focus.

    python3 scripts/browser/keyboard_walk.py stepper file:///…/stepper.html
    python3 scripts/browser/keyboard_walk.py live http://127.0.0.1:PORT/
    python3 scripts/browser/keyboard_walk.py network http://127.0.0.1:PORT/network

stepper: Tab reaches the buttons with a visible focus ring; → and ← step, End and Home jump;
Space and Enter on a focused button press that button once (not a step forward as well); the
wire table's summary opens with Enter; Tab goes on past the last frame's controls (no trap).
live: Tab reaches the expression, a value field takes ArrowUp and changes a gradient, the step
buttons step with Enter, → steps outside the fields, and the focus is not dropped when Next is
disabled at the last step. network: a weight and a point are picked from their lists with the
arrow keys, and each is explained. Exit status 0 when all held; the first failure is printed.
Run by GradTraceServerTests (AccessibilityTests).
"""
import sys

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the work tree
import browsers  # noqa: E402 (scripts/browser/browsers.py)


def press(driver, *keys):
    """Keys to whatever has the focus, as a person types them (modifiers held down over the rest)."""
    chain = ActionChains(driver)
    modifiers = [k for k in keys if k in (Keys.SHIFT, Keys.CONTROL, Keys.ALT)]
    for m in modifiers:
        chain.key_down(m)
    for k in keys:
        if k not in modifiers:
            chain.send_keys(k)
    for m in reversed(modifiers):
        chain.key_up(m)
    chain.perform()


def active(driver):
    return driver.execute_script(
        "var e = document.activeElement; return e ? (e.id || e.tagName.toLowerCase()) : null")


def focus_ring(driver):
    """The focused element's outline, as drawn: (style, width in px, colour)."""
    return driver.execute_script(
        "var s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]")


def expect_ring(driver, where):
    style, width, _ = focus_ring(driver)
    assert style != "none" and width >= 2, f"{where}: no visible focus ring on {active(driver)} ({style} {width}px)"


def tab_to(driver, wanted, limit=80, back=False):
    """Tabs (or Shift-Tabs) until the element with id `wanted` has the focus."""
    for _ in range(limit):
        press(driver, Keys.SHIFT, Keys.TAB) if back else press(driver, Keys.TAB)
        if active(driver) == wanted:
            return
    raise AssertionError(f"Tab never reached #{wanted} (last: {active(driver)})")


def stepper(driver, url):
    driver.get(url)
    position = lambda: driver.find_element(By.ID, "position").text
    total = int(position().split("/")[1])
    assert total >= 3, f"a stepper of {total} frames"
    visible = lambda: [s.get_attribute("id") for s in driver.find_elements(By.CSS_SELECTOR, "section.frame") if s.is_displayed()]
    press(driver, Keys.TAB)
    assert active(driver) == "prev", f"the first Tab lands on {active(driver)}, not ← Previous"
    expect_ring(driver, "stepper")
    press(driver, Keys.ARROW_RIGHT)
    assert position() == f"2 / {total}" and visible() == ["frame-2"], (position(), visible())
    press(driver, Keys.END)
    assert position() == f"{total} / {total}", position()
    press(driver, Keys.HOME)
    assert position() == f"1 / {total}", position()
    press(driver, Keys.TAB)
    assert active(driver) == "next", active(driver)
    expect_ring(driver, "stepper")
    press(driver, Keys.SPACE)
    assert position() == f"2 / {total}", f"Space on Next: {position()} (one step, not two)"
    press(driver, Keys.ENTER)
    assert position() == f"3 / {total}", f"Enter on Next: {position()}"
    press(driver, Keys.SHIFT, Keys.TAB)
    assert active(driver) == "prev", active(driver)
    press(driver, Keys.SPACE)
    assert position() == f"2 / {total}", f"Space on Previous: {position()} (back, not forward)"
    # The wire table of the frame in view: its summary is the next stop after the controls.
    for _ in range(10):
        press(driver, Keys.TAB)
        if active(driver) == "summary":
            break
    assert active(driver) == "summary", f"Tab did not reach the frame's wire table ({active(driver)})"
    expect_ring(driver, "stepper wire table")
    details = driver.execute_script("return document.activeElement.parentElement")
    press(driver, Keys.ENTER)
    assert details.get_attribute("open") is not None, "Enter did not open the wire table"
    assert position() == f"2 / {total}", f"Enter on the summary stepped: {position()}"
    rows = details.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows and all(len(r.find_elements(By.CSS_SELECTOR, "th, td")) == 4 for r in rows), "the wire table has rows of from, to, value, gradient"
    # No trap: Tab goes on and leaves the page's controls behind.
    seen = set()
    for _ in range(10):
        press(driver, Keys.TAB)
        seen.add(active(driver))
    assert seen != {"summary"}, "the focus is trapped on the summary"
    print(f"stepper: {total} frames stepped with ← → Home End, Space and Enter on the buttons, the wire table opened with Enter")


def live(driver, url):
    wait = WebDriverWait(driver, 90)
    driver.get(url)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#diagram svg"))
    press(driver, Keys.TAB)
    tab_to(driver, "source")
    expect_ring(driver, "live page")
    press(driver, Keys.CONTROL, "a")
    press(driver, "x*y + x")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#inputs input[type=number]")) == 2)
    grad = lambda: driver.find_element(By.CSS_SELECTOR, '.grad[data-name="y"]').text
    wait.until(lambda d: grad() == "∂f/∂y = 1")
    tab_to(driver, "input-0")  # x's value field
    expect_ring(driver, "live page value field")
    press(driver, Keys.ARROW_UP)  # 1 → 2: ∂f/∂y = x
    wait.until(lambda d: grad() == "∂f/∂y = 2")
    label = lambda: driver.find_element(By.ID, "step-label").text
    wait.until(lambda d: label() == "step 1 of 2")
    tab_to(driver, "next")
    expect_ring(driver, "live page Next")
    press(driver, Keys.ENTER)
    wait.until(lambda d: label() == "step 2 of 2")
    assert active(driver) in ("prev", "next", "first", "last"), f"Next was disabled at the last step and the focus went to {active(driver)}"
    press(driver, Keys.ENTER) if active(driver) == "prev" else None
    wait.until(lambda d: label() == "step 1 of 2")
    # → outside the fields steps too.
    press(driver, Keys.ARROW_RIGHT)
    wait.until(lambda d: label() == "step 2 of 2")
    print("live page: typed an expression, changed a value with ↑, stepped with Enter and →, focus kept at the last step")


def network(driver, url):
    wait = WebDriverWait(driver, 120)
    body = lambda: driver.find_element(By.TAG_NAME, "body")
    driver.get(url)
    wait.until(lambda d: body().get_attribute("data-ready") == "1" and body().get_attribute("data-step") == "0")
    press(driver, Keys.TAB)
    tab_to(driver, "point-pick")
    expect_ring(driver, "network page point list")
    press(driver, Keys.ARROW_DOWN)
    wait.until(lambda d: body().get_attribute("data-explained") == "point")
    title = driver.find_element(By.ID, "explain-title").text
    assert title.startswith("Training row 1 at step"), title
    tab_to(driver, "weight-pick")
    press(driver, Keys.ARROW_DOWN)
    wait.until(lambda d: body().get_attribute("data-explained") == "weight")
    title = driver.find_element(By.ID, "explain-title").text
    assert title.startswith("Gradient of "), title
    # The explanation box scrolls: the keyboard reaches it, to scroll it.
    tab_to(driver, "explain")
    expect_ring(driver, "network page explanation")
    print("network page: a point and a weight picked and explained from the keyboard")


def main():
    which, url = sys.argv[1], sys.argv[2]
    driver = browsers.start("chromium", 1400, 1200)
    try:
        {"stepper": stepper, "live": live, "network": network}[which](driver, url)
    except AssertionError as e:
        print(f"{which}: {e}")
        sys.exit(1)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
