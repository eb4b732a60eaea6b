"""The trace page in a real browser (headless Chromium): keys, buttons, slider, jump, play, phone width.

What is checked is what a person sees: document.body.innerText, the console
log, the page width at 375 px and a screenshot. Expected values come from the
vectorized engine, not from the page's data.
"""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pytest

from browser import console_errors, require_browser, start_chromium, stop_chromium
from convtrace.text import number

pytestmark = pytest.mark.browser

DOC = {
    "title": "browser check",
    "images": [[[1, 2, 0, 3], [4, 1, 2, 2], [0, 1, 3, 1], [2, 2, 1, 0]]],
    "kernels": [[[[1, 0], [-1, 2]]], [[[0.5, 1], [1, -1]]]],
    "bias": [1, 0],
    "padding": 1,
}


@pytest.fixture(scope="module")
def browser():
    require_browser()
    driver = start_chromium()
    yield driver
    stop_chromium(driver)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from click.testing import CliRunner

    from convtrace.cli import cli

    folder = tmp_path_factory.mktemp("page")
    (folder / "doc.json").write_text(json.dumps(DOC))
    result = CliRunner().invoke(cli, ["run", str(folder / "doc.json"), "--export", str(folder / "page.html")])
    assert result.exit_code == 0, result.output
    return folder / "page.html"


@pytest.fixture(scope="module")
def output():
    from convtrace import conv2d

    return conv2d(np.array(DOC["images"], float)[None], np.array(DOC["kernels"], float),
                  bias=np.array(DOC["bias"], float), padding=1)


def body_text(driver) -> str:
    return driver.execute_script("return document.body.innerText")


def heading(driver) -> str:
    return driver.execute_script("return document.querySelector('#frame h2').innerText")


def press(driver, key) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()


def position(index, shape):
    return tuple(int(i) for i in np.unravel_index(index, shape))


def expected_heading(index, output) -> str:
    n, k, row, col = position(index, output.shape)
    return f"step {index} ({index + 1} of {output.size}) — out[{n},{k},{row},{col}] = {number(output[n, k, row, col])}"


def test_keys_step_through_the_trace(browser, page, output):
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1200, 900)
    browser.get(page.as_uri())
    assert heading(browser) == expected_heading(0, output)
    press(browser, Keys.ARROW_RIGHT)
    press(browser, Keys.ARROW_RIGHT)
    assert heading(browser) == expected_heading(2, output)
    press(browser, Keys.ARROW_LEFT)
    assert heading(browser) == expected_heading(1, output)
    press(browser, Keys.END)
    assert heading(browser) == expected_heading(output.size - 1, output)
    press(browser, Keys.ARROW_RIGHT)  # past the end: stays on the last frame
    assert heading(browser) == expected_heading(output.size - 1, output)
    press(browser, Keys.HOME)
    assert heading(browser) == expected_heading(0, output)
    assert console_errors(browser) == []


def test_only_one_frame_is_visible_and_it_shows_the_window(browser, page, output):
    browser.get(page.as_uri())
    text = body_text(browser)
    assert text.count("window corner (top, left)") == 1
    # out[0,0,0,0] with padding 1: the window's taps cover padding (·) and x[0,0] = 1, x[0,1]... in brackets
    assert "[·]" in text and "[1]" in text
    # its products, partial sum and the total with the bias, as the engine computed them
    assert f"= {number(output[0, 0, 0, 0])}" in text and "c0 + bias" in text
    assert "[" + number(output[0, 0, 0, 0]) + "]" in text  # the output map marks this step's cell


def test_buttons_slider_and_jump(browser, page, output):
    from selenium.webdriver.common.by import By

    browser.get(page.as_uri())
    browser.find_element(By.ID, "next").click()
    assert heading(browser) == expected_heading(1, output)
    browser.find_element(By.ID, "last").click()
    assert heading(browser) == expected_heading(output.size - 1, output)
    browser.find_element(By.ID, "first").click()
    assert heading(browser) == expected_heading(0, output)
    browser.execute_script("var s = document.getElementById('slider'); s.value = 7;"
                           "s.dispatchEvent(new Event('input'));")
    assert heading(browser) == expected_heading(7, output)
    box = browser.find_element(By.ID, "jump-to")
    box.send_keys("out[0,1,2,3]\n")
    assert heading(browser) == expected_heading(int(np.ravel_multi_index((0, 1, 2, 3), output.shape)), output)
    box.clear()
    box.send_keys("12\n")
    assert heading(browser) == expected_heading(12, output)
    box.clear()
    box.send_keys("out[9,9,9,9]\n")
    assert "is not in this page" in body_text(browser)
    assert heading(browser) == expected_heading(12, output)
    assert console_errors(browser) == []


def test_play_advances_and_pause_stops(browser, page, output):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(page.as_uri())
    Select(browser.find_element(By.ID, "speed")).select_by_value("50")
    browser.find_element(By.ID, "play").click()
    time.sleep(0.4)
    browser.find_element(By.ID, "play").click()  # pause
    stopped = heading(browser)
    assert stopped != expected_heading(0, output)
    time.sleep(0.3)
    assert heading(browser) == stopped
    assert console_errors(browser) == []


def test_phone_width_does_not_overflow_and_the_screenshot_is_not_blank(browser, page):
    from PIL import Image

    browser.set_window_size(375, 800)
    browser.get(page.as_uri())
    inner = browser.execute_script("return window.innerWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= inner, f"the page is {scroll} px wide in a {inner} px window"
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    assert len(shot.getcolors(maxcolors=1 << 20) or range(2)) > 1
    browser.set_window_size(1200, 900)


def test_the_gradient_page_plays_its_frames(browser, tmp_path):
    from click.testing import CliRunner
    from selenium.webdriver.common.keys import Keys

    from convtrace.cli import cli

    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(DOC))
    page = tmp_path / "grad.html"
    result = CliRunner().invoke(cli, ["grad", str(doc), "--only", "bias", "--export", str(page)])
    assert result.exit_code == 0
    browser.get(page.as_uri())
    first = heading(browser)
    press(browser, Keys.ARROW_RIGHT)
    assert heading(browser) != first
    press(browser, Keys.END)
    assert "frame" in body_text(browser)
    assert console_errors(browser) == []


def test_the_notebook_player_runs_inside_its_frame(browser, tmp_path, output):
    from IPython.core.interactiveshell import InteractiveShell
    from selenium.webdriver.common.by import By

    import convtrace

    shell = InteractiveShell.instance()
    html = shell.display_formatter.format(convtrace.show(DOC))[0]["text/html"]
    cell = tmp_path / "cell.html"
    cell.write_text(f"<!DOCTYPE html><html><body>{html}</body></html>", encoding="utf-8")
    browser.get(cell.as_uri())
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "iframe.convtrace-player"))
    try:
        assert heading(browser) == expected_heading(0, output)
    finally:
        browser.switch_to.default_content()
    assert console_errors(browser) == []


def test_large_float_frames_stay_within_a_phone_screen(browser, tmp_path):
    """Long decimals and 7x7 windows over 3 channels: the grids scroll inside their boxes, the page does not."""
    from click.testing import CliRunner
    from selenium.webdriver.common.keys import Keys

    from convtrace.cli import cli

    rng = np.random.default_rng(1)
    doc = {"images": (rng.integers(0, 256, (1, 3, 30, 30)) / 255).tolist(),
           "kernels": rng.normal(0, 0.1, (2, 3, 7, 7)).tolist(), "stride": 2, "padding": 3}
    (tmp_path / "doc.json").write_text(json.dumps(doc))
    page = tmp_path / "wide.html"
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "doc.json"), "--limit", "60", "--export", str(page)])
    assert result.exit_code == 0
    browser.set_window_size(375, 800)
    try:
        browser.get(page.as_uri())
        press(browser, Keys.END)
        assert "showing rows" in body_text(browser)  # the 36x36 padded image is cut around the window
        inner = browser.execute_script("return window.innerWidth")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
        assert console_errors(browser) == []
    finally:
        browser.set_window_size(1200, 900)
