"""prep-bot's own sign-in page (issue 22 item 8): it names prep-bot and the home council in its
heading, says what to do, keeps the name after a wrong password and says why, at phone and desk
widths; the council is escaped."""

from __future__ import annotations

import re
import urllib.request

import pytest

from conftest import SIGNED_IN, served_app, sign_in
from pages import inspect, screenshot

pytestmark = [pytest.mark.server, pytest.mark.browser]
COUNCIL = "Bath & <b>North</b> East"
PASSWORD = "sam's password"


@pytest.fixture(scope="module")
def url(tmp_path_factory, embedder):
    from conftest import services_with

    services = services_with(embedder, data_dir=tmp_path_factory.mktemp("sign-in") / "data", council=COUNCIL)
    services.users.add("sam", PASSWORD, role="staff", team="Front door")
    try:
        with served_app(services) as address:
            yield address
    finally:
        services.close()


def test_the_page_names_prep_bot_and_the_council_escaped(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        page = response.read().decode()
    found, text = inspect(re.sub(r"<script>.*?</script>", "", page, flags=re.S))  # the page's own scripts aside
    assert found == [], found
    assert f"Sign in to prep-bot {COUNCIL}" in text
    assert "<b>North</b>" not in page and "&lt;b&gt;North&lt;/b&gt;" in page
    assert "Ask your prep-bot lead" in text


@pytest.mark.parametrize("width", [375, 1400])
def test_a_wrong_password_keeps_the_name_and_says_what_to_do(url, new_page, width):
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(url, wait_until="domcontentloaded")
    heading = page.get_by_role("heading", level=1)
    assert "prep-bot" in heading.inner_text() and COUNCIL in heading.inner_text()
    assert page.get_by_role("button", name="Login").count() == 0  # not Gradio's generic form
    page.get_by_label("username").fill("sam")
    page.get_by_label("password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    alert.get_by_text("do not match an account").wait_for(timeout=15_000)
    assert alert.inner_text().startswith("That name and password do not match an account.")
    assert "try again" in alert.inner_text()
    assert page.get_by_label("username").input_value() == "sam"
    assert page.get_by_label("password").input_value() == ""
    box = page.get_by_role("button", name="Sign in").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width  # no sideways scroll to reach it
    screenshot(page, f"sign-in-wrong-password-{width}")

    page.get_by_label("password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function(SIGNED_IN, timeout=60_000)
    assert "Signed in as sam" in page.locator("#signed-in").inner_text()


def test_signing_out_comes_back_to_the_page(url, new_page):
    page = new_page()
    sign_in(page, url, "sam", PASSWORD)
    page.locator("#signed-in a").click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert "prep-bot" in page.get_by_role("heading", level=1).inner_text()
