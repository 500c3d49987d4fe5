"""The replay app in a real headless browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import pytest
from session_fixture import make_session, running_server

from voicecoach.session.store import open_store
from voicecoach.web.report import build_report


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("browser") / "data")
    made = make_session(store, trainee="amy")
    killed = make_session(store, trainee="bob", finished=False)
    with running_server(store) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        yield {"store": store, "made": made, "killed": killed, "base": base}
    store.close()


def audio_time(page) -> float:
    return page.evaluate("document.getElementById('audio').currentTime")


def waveform_width_px(page) -> float:
    """How wide the drawn waveform is (wavesurfer renders into a shadow root)."""
    return page.evaluate(
        """() => { const host = document.querySelector('#waveform > div');
                   const canvas = host && host.shadowRoot.querySelector('canvas');
                   return canvas ? canvas.getBoundingClientRect().width : 0; }"""
    )


def word_span(page, text: str):
    return page.locator("#transcript .w").filter(has_text=text).first


def test_play_seek_by_word_comment_and_override_in_the_browser(site, page):
    made = site["made"]
    url = f"{site['base']}/sessions/{made.info.id}"
    page.goto(url)
    page.wait_for_selector("#transcript .w")
    page.wait_for_selector("#waveform >> css=div")  # wavesurfer drew its shadow root
    assert page.locator("#tracks canvas").count() >= 1 and page.locator("#mood canvas").count() >= 1
    page.wait_for_function("window.voicecoach.wave.getDuration() > 0")
    assert waveform_width_px(page) > 600
    coach_score = str(made.score["score"])
    assert page.inner_text("#score-value") == coach_score

    page.click("#play")
    page.wait_for_function("document.getElementById('audio').currentTime > 0.5", timeout=15000)
    page.click("#play")
    assert page.evaluate("document.getElementById('audio').paused")

    target = next(w for w in made.trainee_words() if w["w"] == "personally")
    word_span(page, "personally").click()
    assert abs(audio_time(page) - target["start"]) < 0.05
    page.wait_for_selector("#transcript .w.current")
    assert page.inner_text("#transcript .w.current") == "personally"

    page.locator(".quote").filter(has_text="why did you not call").click()
    fault_at = made.score["faults"]["why_did_you"]["evidence"][0]["start"]
    assert abs(audio_time(page) - fault_at) < 0.05

    page.locator("#waveform").scroll_into_view_if_needed()
    box = page.locator("#waveform").bounding_box()  # drag across it to pick a comment's span
    middle_y = box["y"] + box["height"] * 0.7
    page.mouse.move(box["x"] + box["width"] * 0.25, middle_y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, middle_y, steps=8)
    page.mouse.up()
    span_start, span_end = (
        float(page.input_value("#comment-at")),
        float(page.input_value("#comment-end")),
    )
    assert span_start == pytest.approx(made.duration_s * 0.25, abs=1.0)
    assert span_end == pytest.approx(made.duration_s * 0.5, abs=1.0)
    page.fill("#comment-end", "")

    page.fill("#reviewer-input", "Sam Instructor")  # asked once per browser
    page.click("#reviewer button[type=submit]")
    assert page.inner_text("#reviewer-name") == "Sam Instructor"
    page.fill("#comment-at", str(target["start"]))
    page.fill("#comment-text", "Good ownership: firm and warm.")
    page.click("#comment-add")
    page.wait_for_selector(".comment .text >> text=Good ownership: firm and warm.")
    page.reload()
    page.wait_for_selector(".comment .text >> text=Good ownership: firm and warm.")
    assert "Sam Instructor" in page.inner_text("#comments")
    page.locator(".comment .stamp").first.click()
    assert abs(audio_time(page) - target["start"]) < 0.05

    item = page.locator(".item[data-item='close_call']")
    assert (
        item.locator(".badge-mark").inner_text() == "✗" and "Follow up & close" in item.inner_text()
    )
    item.locator("button", has_text="change verdict").click()
    item.locator("input.reason").fill("Closed politely after the recording cut")
    item.locator("button.save").click()
    page.wait_for_function(
        f"document.getElementById('score-value').textContent !== '{coach_score}'"
    )
    new_score = page.inner_text("#score-value")
    assert int(new_score) > int(coach_score)
    assert f"automatic score {coach_score}/100" in page.inner_text("#original-score")
    assert page.inner_text("#score-line").startswith("Instructor's score")
    page.reload()
    page.wait_for_selector(".item[data-item='close_call'] .override-note")
    assert page.inner_text("#score-value") == new_score
    note = page.inner_text(".item[data-item='close_call'] .override-note")
    assert "Sam Instructor" in note and "Automatic verdict: not met" in note
    assert site["store"].get_session(made.info.id).adjusted_score == float(new_score)


def test_the_exported_report_works_from_a_file_with_no_server(site, page, tmp_path):
    made = site["made"]
    site["store"].add_comment(made.info.id, t_s=6.5, text="Report comment", author="lee")
    report = tmp_path / "report.html"
    report.write_text(build_report(site["store"], made.info.id))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.wait_for_selector("#transcript .w")
    assert page.locator("#comment-add").count() == 0  # read-only
    assert "Report comment" in page.inner_text("#comments")
    assert page.locator("#tracks canvas").count() >= 1
    page.wait_for_function("window.voicecoach.wave.getDuration() > 0")
    assert waveform_width_px(page) > 600
    assert page.evaluate("document.getElementById('audio').src").startswith("data:audio/wav")
    word_span(page, "frustrating").click()
    target = next(w for w in made.trainee_words() if w["w"] == "frustrating")
    assert abs(audio_time(page) - target["start"]) < 0.05
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests


def test_two_instructors_editing_one_comment_lose_neither_edit(site, browser):
    made, store = site["made"], site["store"]
    comment = store.add_comment(made.info.id, t_s=2.0, text="Opening", author="sam")
    context = browser.new_context(bypass_csp=True)
    first, second = context.new_page(), context.new_page()
    selector = f".comment[data-id='{comment.id}']"
    for page_, text in ((first, "Warm opening"), (second, "Opening too fast")):
        page_.goto(f"{site['base']}/sessions/{made.info.id}")
        row = page_.locator(selector)
        row.locator("button.edit").click()
        row.locator("textarea").fill(text)
    first.locator(selector).locator("button.save").click()
    first.wait_for_selector(f"{selector} .text >> text=Warm opening")

    row = second.locator(selector)
    row.locator("button.save").click()
    second.wait_for_selector(f"{selector} .flash")
    warning = second.inner_text(f"{selector} .flash")
    assert "Someone else changed this comment" in warning and "Warm opening" in warning
    assert row.locator("textarea").input_value() == "Opening too fast"  # the edit is kept
    row.locator("textarea").fill("Warm opening, but too fast")
    row.locator("button.save").click()
    second.wait_for_selector(f"{selector} .text >> text=Warm opening, but too fast")
    saved = store.get_comment(comment.id)
    assert (saved.text, saved.version) == ("Warm opening, but too fast", 3)
    context.close()


def test_a_killed_call_replays_from_both_sides_with_measured_tracks(site, page):
    killed = site["killed"]
    page.goto(f"{site['base']}/sessions/{killed.info.id}")
    page.wait_for_selector("#transcript .w")
    assert "incomplete" in page.inner_text("#summary")
    assert "Rebuilt from the events log" in page.inner_text("#transcript")
    page.wait_for_selector("#tracks canvas", timeout=30000)  # measured on demand
    page.click("#play")
    page.wait_for_function("document.getElementById('audio').currentTime > 0.3", timeout=15000)
    duration = page.evaluate("document.getElementById('audio').duration")
    assert duration == pytest.approx(killed.duration_s, abs=0.1)


def test_the_trainee_page_charts_progress_and_steps(site, page):
    page.goto(f"{site['base']}/trainees/amy")
    page.wait_for_selector("#score-chart canvas")
    assert "Score by date" in page.inner_text("main")
    assert "pass mark" in page.inner_text("#score-h + figure")
    rates = page.locator("table.rates")
    assert "Empathize" in rates.inner_text() and "No dismissive remarks" in rates.inner_text()
    assert "empathize" not in rates.inner_text() and "why_did_you" not in page.inner_text("main")
    rows = page.locator("table.calls tbody tr")
    assert rows.count() == 1 and "Charged twice for one visit" in rows.first.inner_text()
    rows.first.locator("a").click()
    page.wait_for_selector("#transcript .w")
    assert site["made"].info.id in page.url


def contrast_ratio(foreground: str, background: str = "rgb(255, 255, 255)") -> float:
    """WCAG contrast of two CSS rgb()/rgba() colours (alpha blended over the background)."""

    def rgb(text: str) -> tuple[float, ...]:
        return tuple(float(v) for v in text[text.index("(") + 1 : -1].split(","))

    *fg, alpha = (*rgb(foreground), 1.0)[:4]
    bg = rgb(background)[:3]
    mixed = [alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg, strict=True)]

    def luminance(channels) -> float:
        lin = [
            c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(mixed), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_player_markers_and_evidence_work_from_the_keyboard(site, page):
    made = make_session(site["store"], trainee="kim")  # a session with no comments yet
    page.goto(f"{site['base']}/sessions/{made.info.id}")
    page.wait_for_function("window.voicecoach.wave && window.voicecoach.wave.getDuration() > 0")
    assert page.locator("#play").count() == 1 and page.locator("audio[controls]").count() == 0
    page.locator("h1").click()  # focus on the page, not a control
    page.keyboard.press("Space")
    page.wait_for_function("!document.getElementById('audio').paused")
    page.keyboard.press("Space")
    assert page.evaluate("document.getElementById('audio').paused")
    page.evaluate("window.voicecoach.seek(0)")
    page.keyboard.press("ArrowRight")
    assert audio_time(page) == pytest.approx(5.0, abs=0.05)

    first = min(
        ev["start"]
        for section, key in (("steps", "met"), ("faults", "present"))
        for item in made.score[section].values()
        if item[key]
        for ev in item["evidence"]
    )
    page.evaluate("window.voicecoach.seek(0)")
    page.keyboard.press("k")  # next marker: playback moves there and the marker takes focus
    assert audio_time(page) == pytest.approx(first, abs=0.05)
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Stay calm & thank at") and "thank you for calling" in focused
    tooltip = page.locator(".marker:focus .tip-box")
    assert tooltip.is_visible() and "Stay calm & thank" in tooltip.inner_text()
    page.keyboard.press("k")
    page.keyboard.press("j")
    assert audio_time(page) == pytest.approx(first, abs=0.05)

    fault = page.locator("#transcript .ev.fault[role=button]")
    assert fault.inner_text() == "why"  # the quote "why did you not call ..." starts here
    fault.focus()
    page.keyboard.press("Enter")
    fault_at = made.score["faults"]["why_did_you"]["evidence"][0]["start"]
    assert audio_time(page) == pytest.approx(fault_at, abs=0.05)
    assert page.evaluate("document.activeElement.textContent") == "Accusatory question"

    notch = page.evaluate(
        """() => { const host = document.querySelector('#waveform > div');
                   const notches = [...host.shadowRoot.querySelectorAll('[part~=timeline-notch]')]
                     .filter(n => n.textContent);
                   return notches.map(n => [getComputedStyle(n).color,
                                            getComputedStyle(n).opacity]); }"""
    )
    assert notch, "the timeline has labels"
    for colour, opacity in notch:
        assert float(opacity) == 1 and contrast_ratio(colour) >= 4.5, (colour, opacity)


def test_the_instructor_name_is_asked_once_and_errors_do_not_stay(site, page):
    made = site["made"]
    page.goto(f"{site['base']}/sessions/{made.info.id}")
    page.wait_for_selector("#comment-text")
    assert page.locator("#comment-form-box input[placeholder='your name']").count() == 0
    page.click("#comment-add")  # no name yet: the page asks for it at the top
    page.wait_for_selector("#reviewer .flash")
    assert page.evaluate("document.activeElement.id") == "reviewer-input"
    page.fill("#reviewer-input", "Lee")
    page.keyboard.press("Enter")
    page.click("#comment-add")  # an empty comment: one error
    page.wait_for_selector("#comment-form-box .flash")
    page.fill("#comment-text", "Calm and clear opening")
    page.click("#comment-add")
    page.wait_for_selector(".comment .text >> text=Calm and clear opening")
    assert page.locator("#comment-form-box .flash").count() == 0  # no stale error
    page.reload()
    page.wait_for_selector("#reviewer-name")
    assert page.inner_text("#reviewer-name") == "Lee" and "Lee" in page.inner_text("#comments")


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    """A server with accounts: instructor ivy and trainee amy (cohort north), a call of amy's."""
    store = open_store(tmp_path_factory.mktemp("school") / "data")
    store.add_user("ivy", role="instructor", password="ivy-password", cohort="north")
    store.add_user("amy", role="trainee", password="amy-password", cohort="north")
    made = make_session(store, trainee="amy")
    with running_server(store) as server:
        yield {"store": store, "made": made, "base": server.base_url}
    store.close()


def sign_in(page, base: str, name: str, password: str, target: str) -> None:
    page.goto(f"{base}{target}")  # sent to the sign-in form, then back where it was going
    page.wait_for_selector("form.login")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{base}{target}")


def test_an_instructor_signs_in_comments_as_themselves_and_signs_out(school, page):
    sid = school["made"].info.id
    page.goto(f"{school['base']}/login")
    page.fill("#login-name", "ivy")
    page.fill("#login-password", "wrong-password")
    page.click("form.login button[type=submit]")
    assert page.inner_text("p.error") == "wrong account name or password"
    sign_in(page, school["base"], "ivy", "ivy-password", f"/sessions/{sid}")
    page.wait_for_selector("#transcript .w")
    assert page.inner_text("#reviewer-name") == "ivy"
    page.fill("#comment-text", "Signed comment")
    page.click("#comment-add")
    page.wait_for_selector(".comment .text >> text=Signed comment")
    assert [c.author for c in school["store"].list_comments(sid)] == ["ivy"]
    page.click("nav form.signout button")
    page.wait_for_selector("form.login")
    page.goto(f"{school['base']}/sessions/{sid}.json")
    assert "sign in first" in page.inner_text("body")


def test_a_trainee_replays_their_call_without_annotation_controls(school, page):
    sid = school["made"].info.id
    sign_in(page, school["base"], "amy", "amy-password", f"/sessions/{sid}")
    page.wait_for_selector("#transcript .w")
    page.wait_for_function("window.voicecoach.wave.getDuration() > 0")
    assert "Signed in as amy" in page.inner_text("#reviewer")
    assert page.locator("#comment-add").count() == 0
    assert page.locator("button", has_text="change verdict").count() == 0
