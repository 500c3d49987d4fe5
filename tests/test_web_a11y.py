"""Accessibility (WCAG 2.1 AA) of every page of the replay app, in the real browser.

axe-core (through axe-playwright-python) runs in Debian's chromium on each page:
any serious or critical violation fails. Then what axe cannot judge: the progress
charts are drawn with labelled axes and have a text alternative, and focus is visible.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from session_fixture import make_history, make_session, running_server

from voicecoach.delivery import Baseline, save_baseline
from voicecoach.dialogue import get_scenario
from voicecoach.dialogue.text_call import play_script
from voicecoach.session.store import open_store
from voicecoach.session.typed import save_typed_call
from voicecoach.web.report import build_report

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BLOCKING = ("serious", "critical")
CALM = Baseline(
    f0_median_hz=190.0,
    f0_spread_st=2.2,
    loudness_median_db=-20.0,
    loudness_crest_db=11.5,
    centroid_hz=1500.0,
    high_band_ratio_db=-20.0,
    speaking_rate_wpm=155.0,
    syllable_rate_per_s=4.0,
    speech_s=20.0,
    voiced_s=10.0,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Calls over two weeks for amy (with a calm baseline), bob's killed call, a typed call."""
    root = tmp_path_factory.mktemp("a11y")
    store = open_store(root / "data")
    history = make_history(store)
    killed = make_session(store, trainee="bob", finished=False)
    scenario = get_scenario("double_billing")
    typed = save_typed_call(
        store, play_script(scenario, scenario.model_call), trainee="amy", duration_s=80.0
    )
    save_baseline("amy", CALM)
    report = root / "report.html"
    report.write_text(build_report(store, history["amy"][0].info.id))
    with running_server(store) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        yield {
            "base": base,
            "spoken": history["amy"][0].info.id,
            "killed": killed.info.id,
            "typed": typed.id,
            "report": report.as_uri(),
        }
    store.close()


PAGES = {
    "sessions list": "{base}/sessions",
    "sessions list, a middle page": "{base}/sessions?per_page=1&page=2",
    "spoken session": "{base}/sessions/{spoken}",
    "typed session": "{base}/sessions/{typed}",
    "killed session": "{base}/sessions/{killed}",
    "trainee progress": "{base}/trainees/amy",
    "cohort progress": "{base}/progress",
    "error page": "{base}/sessions/20990101-000000-dead",
    "exported report": "{report}",
}


def blocking_violations(page) -> list[str]:
    """axe's serious and critical WCAG 2.1 AA violations on the page, one line each."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # charts drawn after load
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_wcag_violation(site, page, name):
    page.goto(PAGES[name].format(**site))
    blocking = blocking_violations(page)
    assert blocking == [], "\n".join(blocking)


def test_every_page_reaches_the_others_from_its_navigation(site, page):
    for name in ("sessions list", "spoken session", "trainee progress", "cohort progress"):
        page.goto(PAGES[name].format(**site))
        nav = page.locator("nav[aria-label=main]")
        assert nav.get_by_role("link", name="Sessions").is_visible(), name
        assert nav.get_by_role("link", name="Progress").is_visible(), name


def test_progress_charts_have_labelled_axes_and_a_text_alternative(site, page):
    page.goto(f"{site['base']}/trainees/amy")
    page.wait_for_selector("#score-chart canvas")
    axes = page.evaluate("window.voicecoachCharts.map(c => c.axes.map(a => a.label))")
    assert axes[0] == ["date", "score (0–100)"]
    assert ["date", "words/min"] in axes and ["date", "semitones"] in axes  # one unit per chart
    drawn = page.evaluate(
        """() => { const c = document.querySelector('#score-chart canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let ink = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
                   return ink; }"""
    )
    assert drawn > 1000  # the chart is drawn, not an empty canvas
    summary = page.inner_text("#score-summary")
    assert "4 scored call(s)" in summary and "pass mark (65)" in summary
    pace = page.locator("figure.multiple", has_text="Pace")
    assert "Your calm band: 130–180 words/min" in pace.inner_text()


def test_the_skip_link_and_focus_are_visible_from_the_keyboard(site, page):
    page.goto(f"{site['base']}/progress")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip" and skip.is_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_cohort_page_puts_the_weakest_step_first(site, page):
    page.goto(f"{site['base']}/progress")
    headers = page.locator("table.cohort thead th").all_inner_texts()
    assert headers[:3] == ["trainee", "calls", "latest score"]
    everyone = page.locator("table.cohort tr.all td.rate").all_inner_texts()
    rates = [int(text.rstrip("%")) for text in everyone]
    assert rates == sorted(rates) and rates[0] < 100  # weakest step first
    assert headers[3] == "Confirm the next step"  # amy met it once in four calls, bob never
    trainees = page.locator("table.cohort tbody th a").all_inner_texts()
    assert trainees == ["amy", "bob"]


def test_a_typed_call_reads_as_a_transcript_with_highlighted_evidence(site, page):
    page.goto(f"{site['base']}/sessions/{site['typed']}")
    page.wait_for_selector("#transcript .w")
    assert "typed call, no audio" in page.inner_text("#summary")
    assert not page.locator("#player").is_visible()
    assert page.title().startswith("Charged twice for one visit · amy")
    empathy = page.locator(".item[data-item='empathize']")
    assert "Empathize" in empathy.inner_text()
    empathy.locator("button.quote").first.click()
    highlighted = page.locator("#transcript .ev.step.flashed")
    assert highlighted.count() == 1 and highlighted.is_visible()
    faults = page.locator(".item[data-item='why_did_you']")
    assert "No accusatory questions" in faults.inner_text()
    assert faults.locator(".badge-mark").inner_text() == "✓"


def test_the_sign_in_page_and_the_signed_in_navigation_pass_too(tmp_path, page):
    store = open_store(tmp_path / "data")
    store.add_user("ivy", role="instructor", password="ivy-password", cohort="north")
    with running_server(store) as server:
        page.goto(f"{server.base_url}/login")
        assert blocking_violations(page) == []
        page.fill("#login-name", "ivy")
        page.fill("#login-password", "wrong-password")
        page.click("form.login button[type=submit]")
        page.wait_for_selector("p.error")
        assert blocking_violations(page) == []  # the error is announced (role=alert)
        page.fill("#login-password", "ivy-password")
        page.click("form.login button[type=submit]")
        page.wait_for_selector("nav form.signout")
        assert blocking_violations(page) == []
        nav = page.locator("nav[aria-label=main]")
        assert nav.get_by_role("button", name="Sign out").is_visible()
    store.close()
