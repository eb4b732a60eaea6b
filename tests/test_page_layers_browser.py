"""The page player for other layers in headless Chromium: a max pool, a transposed and a 1-D convolution.

What is checked is what a person sees (document.body.innerText after pressing
keys) and the console log. Expected cells and values come from the vectorized
engine and from windows worked out here, not from the page's data.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from browser import console_errors, require_browser, start_chromium, stop_chromium
from convtrace.engine.dispatch import layer_output
from convtrace.text import number
from convtrace.source.problem import problem_from_document

pytestmark = pytest.mark.browser

DOCS = {
    "max": {"title": "max pool", "images": [[[1, 5, 2, 0], [3, 4, 8, 1], [0, 2, 6, 7], [9, 1, 3, 2]]],
            "pool": "max", "pool_size": 3, "stride": 2, "padding": 1},
    "transposed": {"title": "transposed", "images": [[[1, 2], [3, 4]]], "kernels": [[[[1, -1], [2, 0.5]]]],
                   "transposed": True, "stride": 2},
    "1d": {"title": "causal 1-D", "dims": 1, "images": [[1, 2, 3, 4, 5, 6], [0, 1, 0, -1, 0, 2]],
           "kernels": [[1, -1, 2], [0.5, 0, 1]], "causal": True},
}


@pytest.fixture(scope="module")
def browser():
    require_browser()
    driver = start_chromium()
    yield driver
    stop_chromium(driver)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from click.testing import CliRunner

    from convtrace.cli import cli

    folder, made = tmp_path_factory.mktemp("layer-pages"), {}
    for name, doc in DOCS.items():
        (folder / f"{name}.json").write_text(json.dumps(doc))
        result = CliRunner().invoke(cli, ["run", str(folder / f"{name}.json"), "--export", str(folder / f"{name}.html")])
        assert result.exit_code == 0, result.output
        made[name] = folder / f"{name}.html"
    return made


def output(name) -> np.ndarray:
    return layer_output(problem_from_document(DOCS[name]))


def squeeze(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text)


def body_text(driver) -> str:
    return squeeze(driver.execute_script("return document.body.innerText"))


def heading(driver) -> str:
    return squeeze(driver.execute_script("return document.querySelector('#frame h2').innerText"))


def press(driver, key) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()


def cell(index, out) -> str:
    where = ",".join(str(int(i)) for i in np.unravel_index(index, out.shape))
    return f"out[{where}] = {number(out.reshape(-1)[index])}"


def expected_heading(index, out) -> str:
    return f"step {index} ({index + 1} of {out.size}): {cell(index, out)}"


@pytest.mark.parametrize("name", list(DOCS))
def test_keys_step_and_the_text_names_the_cell_and_value(browser, pages, name):
    from selenium.webdriver.common.keys import Keys

    out = output(name)
    browser.get(pages[name].as_uri())
    assert heading(browser) == expected_heading(0, out)
    press(browser, Keys.ARROW_RIGHT)
    press(browser, Keys.ARROW_RIGHT)
    assert heading(browser) == expected_heading(2, out)
    assert cell(2, out) in body_text(browser)  # the heading and the position line under the controls
    press(browser, Keys.ARROW_LEFT)
    assert heading(browser) == expected_heading(1, out)
    press(browser, Keys.END)
    assert heading(browser) == expected_heading(out.size - 1, out)
    press(browser, Keys.HOME)
    assert heading(browser) == expected_heading(0, out)
    assert console_errors(browser) == []


def test_max_pool_frame_marks_the_maximum(browser, pages):
    from selenium.webdriver.common.keys import Keys

    out = output("max")
    browser.get(pages["max"].as_uri())
    press(browser, Keys.ARROW_RIGHT)  # out[0,0,0,1]: the window at (0,2) of the padded input; 8 wins
    text = body_text(browser)
    assert f"[{number(out[0, 0, 0, 1])}]" in text and f"max = {number(out[0, 0, 0, 1])}" in text
    assert "first met at input (1,2)" in text  # x[1][2] = 8, found by hand
    assert "[ ] the window's first maximum" in text  # the footer says what the marks mean
    assert browser.execute_script("return document.querySelectorAll('#frame h2').length") == 1  # one frame at a time


def test_transposed_frame_shows_inserted_zeros(browser, pages):
    from selenium.webdriver.common.keys import Keys

    out = output("transposed")
    browser.get(pages["transposed"].as_uri())
    for _ in range(5):
        press(browser, Keys.ARROW_RIGHT)
    text = body_text(browser)
    # out[0,0,1,1]: its window over the zero-inserted input [[1,·],[·,·]] (x[0,0] then an inserted zero row)
    assert heading(browser) == expected_heading(5, out)
    assert "zero-inserted" in text and "kernel (rotated)" in text
    patch = browser.execute_script("return document.querySelector('#frame table').innerText")
    assert patch.split() == ["1", "·", "·", "·"]
    assert f"= {number(out[0, 0, 1, 1])}" in text


def test_1d_frame_is_one_row_and_jump_takes_three_indices(browser, pages):
    from selenium.webdriver.common.by import By

    out = output("1d")
    browser.get(pages["1d"].as_uri())
    rows = browser.execute_script("return document.querySelectorAll('#frame table tr').length")
    assert rows == 4  # 2 channels x (patch, kernel), each one row of cells
    box = browser.find_element(By.ID, "jump-to")
    box.send_keys("out[0,0,4]\n")
    assert heading(browser) == expected_heading(int(np.ravel_multi_index((0, 0, 4), out.shape)), out)
    box.clear()
    box.send_keys("out[0,0]\n")
    assert "out[n,k,col]" in body_text(browser)
    assert console_errors(browser) == []


def test_phone_width_does_not_overflow(browser, pages):
    browser.set_window_size(375, 800)
    try:
        for page in pages.values():
            browser.get(page.as_uri())
            inner = browser.execute_script("return window.innerWidth")
            assert browser.execute_script("return document.documentElement.scrollWidth") <= inner
    finally:
        browser.set_window_size(1200, 900)


def test_the_notebook_player_plays_a_layer(browser, tmp_path):
    from IPython.core.interactiveshell import InteractiveShell
    from selenium.webdriver.common.by import By

    import convtrace

    html = InteractiveShell.instance().display_formatter.format(convtrace.show(DOCS["max"]))[0]["text/html"]
    (tmp_path / "cell.html").write_text(f"<!DOCTYPE html><html><body>{html}</body></html>", encoding="utf-8")
    browser.get((tmp_path / "cell.html").as_uri())
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "iframe.convtrace-player"))
    try:
        assert heading(browser) == expected_heading(0, output("max"))
    finally:
        browser.switch_to.default_content()
    assert console_errors(browser) == []
