"""The app in a real browser: ``python -m sim app`` is started on a free port of 127.0.0.1 and driven in
headless Chromium (Debian's ``chromium`` package, at /usr/bin/chromium or $CHROMIUM) with Playwright.

Outside CI these tests skip, saying why, when the browser or Playwright is missing; in CI (CI=true) they
fail instead. ``.ci/run`` installs chromium. The window is 1280 x 800, a student's laptop. With
SIM_APP_SCREENSHOT=docs/app.png, the stepping test also runs the app to month 36 and saves a screenshot
there (that is how docs/app.png is made).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: a fresh --user-data-dir is added by launch_persistent_context; the rest keep Chromium off the network
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_S = 30  # the server answers in about 3 s
WAIT_MS = 15_000  # the longest any one expectation waits
PAGE_LOAD_MS = 45_000  # a new session builds a model and draws three figures: slow on a busy machine
SCREENSHOT = os.environ.get("SIM_APP_SCREENSHOT")
SCREENSHOT_MONTHS = 36
VIEWPORT = {"width": 1280, "height": 800}
VIEWS = ("map", "metrics", "members")
#: each view's tab
TABS = {"map": "Map of this month", "metrics": "Measurements over time", "members": "Members"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def unavailable(reason: str) -> None:
    """Skip outside CI; fail in CI, where the browser test must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run; .ci/run installs chromium)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if not Path(CHROMIUM).is_file():
    unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM to its path)")
try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:
    unavailable("Playwright is not installed: pip install -e '.[test]'")
expect.set_options(timeout=WAIT_MS)  # expectations wait 5 s by default, whatever the context's timeout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python -m sim app --port N`` on a free port; stopped (terminated, killed if need be) at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "app", "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with status {proc.returncode}:\n{log.read_text()}", pytrace=False)
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the app did not answer within {SERVER_START_S} s:\n{log.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    """Headless Chromium with a fresh profile (closed before the server stops)."""
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(WAIT_MS)
        yield context
        context.close()


@pytest.fixture
def page(browser, server):
    """A new browser session of the app (so a fresh model), loaded; records what left the machine."""
    page = browser.new_page()
    page.outside = []  # requests to anywhere but the app's server
    page.failed = []
    page.errors = []
    page.on("request", lambda r: r.url.startswith((server, "blob:", "data:")) or page.outside.append(r.url))
    page.on("requestfailed", lambda r: page.failed.append(f"{r.url}: {r.failure}"))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server, wait_until="domcontentloaded")
    expect(page.locator(".sim-month")).to_have_text("Month 0 (2024-12)", timeout=PAGE_LOAD_MS)
    yield page
    page.close()


def image_hash(page: Page, view: str) -> str:
    """SHA-256 of the PNG the view's image shows now (its src is a blob: URL, new at every update)."""
    for _ in range(5):  # the blob can be revoked between reading src and fetching it: read again
        digest = page.locator(f"img.sim-{view}").evaluate(
            """async (img) => {
                try {
                    const data = await (await fetch(img.src)).arrayBuffer();
                    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
                    return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
                } catch (e) { return null; }
            }"""
        )
        if digest:
            return digest
        page.wait_for_timeout(100)
    raise AssertionError(f"could not read the {view} image")


def wait_for_new_image(page: Page, view: str, old: str) -> str:
    """The view's image hash once it differs from ``old`` (the image arrives just after the step counter)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while (new := image_hash(page, view)) == old:
        assert time.monotonic() < deadline, f"the {view} image did not change"
        page.wait_for_timeout(100)
    return new


def show_tab(page: Page, view: str) -> None:
    """Open the view's tab and wait until its image is shown and the tabs' sliding has ended (a tab's
    content is put on the page the first time it is opened)."""
    page.get_by_role("tab", name=TABS[view]).click()
    expect(page.locator(f"img.sim-{view}")).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.v-window__container--is-active')")


def month(page: Page) -> int:
    """The month the sidebar says the model is at."""
    return int(page.locator(".sim-month").inner_text().split()[1])


def step(page: Page, to_month: int) -> None:
    page.get_by_role("button", name="Step").click()
    expect(page.locator(".sim-month")).to_have_text(re.compile(rf"^Month {to_month} \("))


def box(page: Page, selector: str) -> dict[str, float]:
    """Where an element is on the page (x, y, width, height in CSS pixels)."""
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def test_page_loads_with_controls_and_views_and_nothing_from_the_internet(page):
    title = "Layered security cooperation in Southeast Asia"
    expect(page.get_by_role("banner").get_by_text(title)).to_be_visible()  # the title bar
    expect(page).to_have_title(title)  # the browser tab
    expect(page.get_by_text("How to use this page")).to_be_visible()
    expect(page.locator(".sim-intro")).to_contain_text("press RESET to start that scenario")
    for label in ["Japan: Quad", "Japan: bilateral", "Japan: ASEAN-led forums", "Japan: capacity building"]:
        expect(page.get_by_label(label)).to_be_checked()
    for label in [
        "JPN weight: Quad: 0.15",
        "JPN weight: capacity: 0.55",
        "JPN via ASEAN: 0.30",
        "China ship-days: 180",
        "Withdraws in month: 24 (2026-12)",
    ]:
        expect(page.get_by_text(label, exact=True)).to_be_visible()  # each slider shows its value
    expect(page.get_by_label("Japan's plan (fixed or adaptive)")).to_be_visible()
    expect(page.get_by_label("Partner that withdraws")).to_be_visible()
    expect(page.get_by_label("Seed")).to_have_value("42")
    for view in VIEWS:
        show_tab(page, view)
        image = page.locator(f"img.sim-{view}")
        assert image.evaluate("img => img.complete && img.naturalWidth") > 300, view  # a decoded figure
    expect(page.locator(".sim-status")).to_contain_text("Month 0 (2024-12")
    expect(page.locator(".sim-scenario")).to_contain_text("China 180 ship-days a month · seed 42")
    expect(page.locator(".sim-pending")).to_have_count(0)
    for name in ["Reset", "Play", "Step"]:
        expect(page.get_by_role("button", name=name)).to_be_enabled()
    page.wait_for_load_state("networkidle")
    assert page.outside == [] and page.failed == [] and page.errors == []


def test_step_advances_the_counter_and_changes_the_plots(page):
    before = {}
    for view in VIEWS:  # each tab opened once: its image is on the page from then on, drawn every month
        show_tab(page, view)
        before[view] = image_hash(page, view)
    step(page, 1)
    expect(page.locator(".sim-status")).to_contain_text("Month 1 (2025-01) · stability index 0.")
    for view in VIEWS:
        wait_for_new_image(page, view, before[view])
    if SCREENSHOT:
        for month in range(2, SCREENSHOT_MONTHS + 1):
            step(page, month)
        expect(page.locator(".sim-status")).to_contain_text(f"Month {SCREENSHOT_MONTHS} (")
        show_tab(page, "map")  # the page as a student first sees it
        page.wait_for_timeout(1000)
        page.screenshot(path=ROOT / SCREENSHOT)
        assert (ROOT / SCREENSHOT).stat().st_size > 50_000
    assert page.errors == []


def test_a_slider_shows_its_new_value_and_the_page_asks_for_reset(page):
    slider = page.get_by_role("slider", name=re.compile(r"^JPN via ASEAN"))
    slider.focus()
    slider.press("ArrowRight")  # one step of 0.05
    expect(page.get_by_text("JPN via ASEAN: 0.35", exact=True)).to_be_visible()
    expect(page.locator(".sim-pending")).to_contain_text("Changed since the last Reset: JPN via ASEAN")
    expect(page.locator(".sim-scenario")).to_contain_text("30% via ASEAN")  # the model: not yet changed
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".sim-scenario")).to_contain_text("35% via ASEAN")
    expect(page.locator(".sim-pending")).to_have_count(0)
    assert page.errors == []


def test_switching_a_layer_off_and_resetting_changes_the_model(page):
    step(page, 1)
    expect(page.locator(".sim-status")).to_contain_text("Month 1 (")
    all_layers = image_hash(page, "map")
    expect(page.locator(".sim-scenario")).to_contain_text("capacity 0.55")

    page.get_by_text("Japan: capacity building", exact=True).click()
    expect(page.get_by_label("Japan: capacity building")).not_to_be_checked()
    expect(page.locator(".sim-pending")).to_contain_text("Japan: capacity building")
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".sim-month")).to_have_text("Month 0 (2024-12)")
    expect(page.locator(".sim-pending")).to_have_count(0)
    scenario = page.locator(".sim-scenario")
    expect(scenario).to_contain_text("Japan's layers: Quad 0.15, bilateral 0.15, forums 0.15 · 30% via ASEAN")
    expect(scenario).not_to_contain_text("capacity")

    # same seed, same month, one layer fewer: a different map (Japan's capacity building is gone)
    before = image_hash(page, "map")
    step(page, 1)
    assert wait_for_new_image(page, "map", before) != all_layers
    assert page.errors == []


def test_at_1280_by_800_the_views_are_legible_and_the_maps_legend_is_beside_the_map(page):
    """On a 1280 x 800 window: the controls on the left; the introduction across the top, the tabs below
    it; each view's figure shown at its own size (its type as large as drawn, 8.5 pt and up: see
    tests/test_app.py); the map's legend to the right of the map and inside the window."""
    assert page.viewport_size == VIEWPORT
    intro, sidebar = box(page, ".sim-intro"), box(page, ".sim-run")
    assert sidebar["x"] + sidebar["width"] <= intro["x"]  # the controls on the left of it all
    for view in VIEWS:
        show_tab(page, view)
        b = box(page, f"img.sim-{view}")
        assert b["y"] >= intro["y"] + intro["height"], view
        assert b["x"] + b["width"] <= VIEWPORT["width"] and b["y"] < VIEWPORT["height"], view
        natural, shown = page.locator(f"img.sim-{view}").evaluate("img => [img.naturalWidth, img.clientWidth]")
        assert shown >= 0.95 * natural, f"{view}: shown at {shown} px of {natural}: its type would shrink"
    show_tab(page, "map")
    world, legend = box(page, "img.sim-map"), box(page, ".sim-legend")
    assert legend["x"] >= world["x"] + world["width"]  # beside the map, on its right
    assert legend["y"] < world["y"] + world["height"] and world["y"] < legend["y"] + legend["height"]  # level
    assert legend["x"] + legend["width"] <= VIEWPORT["width"] and legend["y"] + legend["height"] <= VIEWPORT["height"]
    for words in ("Quad", "offer declined", "coercion at a feature", "toward China", "toward the partners"):
        expect(page.locator(".sim-legend")).to_contain_text(words)


def test_every_control_a_student_sees_is_explained(page):
    from sim.app import CONTROL_HELP, RUN_HELP

    for text in [*RUN_HELP, *CONTROL_HELP.values()]:
        help_line = page.locator(".sim-help", has_text=text)
        expect(help_line).to_have_count(1)
        help_line.scroll_into_view_if_needed()
        expect(help_line).to_be_in_viewport()
    expect(page.get_by_text("hides or shows the controls")).to_be_visible()  # the title bar's ☰
    for mesa_control in ("Play Interval", "Render Interval", "Use Threads", "PAGE 0"):  # Mesa's, gone
        expect(page.get_by_text(mesa_control)).to_have_count(0)


def test_the_members_charts_name_every_member(page):
    from sim.app import MEMBER_NAMES

    show_tab(page, "members")
    key = page.locator(".sim-members-key")
    expect(key).to_be_visible()
    for iso3, name in MEMBER_NAMES.items():
        expect(key).to_contain_text(f"{iso3} {name}")


def test_play_runs_month_after_month_until_pause(page):
    before = image_hash(page, "map")
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_role("button", name="Step")).to_be_disabled()  # while playing
    expect(page.locator(".sim-month")).to_have_text(re.compile(r"^Month [3-9] \(.*playing$"), timeout=3 * WAIT_MS)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    expect(page.get_by_role("button", name="Step")).to_be_enabled()
    expect(page.locator(".sim-month")).not_to_contain_text("playing")
    paused = month(page)
    page.wait_for_timeout(4000)  # longer than a month takes to draw
    settled = month(page)
    assert settled - paused <= 1  # at most the month that was starting as Pause was pressed
    page.wait_for_timeout(4000)
    assert month(page) == settled  # stopped
    expect(page.locator(".sim-status")).to_contain_text(f"Month {settled} (")
    assert image_hash(page, "map") != before
    assert page.errors == []
