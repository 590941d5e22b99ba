"""A member works through an assigned module; the lead sees the team's progress change."""

import re

from playwright.sync_api import expect

from app.curricula import latest_versions, module_of
from tests.conftest import KEY, PASSWORD


def test_member_completes_a_module_after_a_failed_quiz_and_lead_sees_it(
    page, live_server, runner, trained, sign_in, tmp_path
):
    runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    module = module_of(latest_versions()[KEY])
    sign_in("alice@acme.test", PASSWORD)
    page.get_by_role("link", name="Learning", exact=True).click()
    page.get_by_role("link", name=module.title).click()
    expect(page.get_by_role("heading", name=module.title, level=1)).to_be_visible()

    boxes = page.locator("#checklist input[type=checkbox]")
    expect(boxes).to_have_count(len(module.steps))
    boxes.nth(0).check()
    expect(page.locator("[data-status]")).to_have_text(
        re.compile(f"Saved: 1 of {len(module.steps)}")
    )  # saved by the page's script
    page.get_by_label("Evidence for step 1").fill("https://git.example/contracts/pull/12")
    for index in range(1, len(module.steps)):
        boxes.nth(index).check()
    page.get_by_role("button", name="Save progress").click()
    expect(page.get_by_text("Progress saved.")).to_be_visible()

    quiz = page.locator("#quiz")
    for index, question in enumerate(module.quiz):
        wrong = (question.answer + 1) % len(question.options)
        quiz.locator(f"input[name=q{index}][value='{wrong}']").check()
    quiz.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("not yet the 80% needed")).to_be_visible()
    expect(page.locator(".quiz-question.wrong")).to_have_count(len(module.quiz))
    expect(page.get_by_text(module.quiz[0].explanation[:50])).to_have_count(0)

    quiz = page.locator("#quiz")
    for index, question in enumerate(module.quiz):
        quiz.locator(f"input[name=q{index}][value='{question.answer}']").check()
    quiz.get_by_role("button", name="Retake the quiz").click()
    expect(page.get_by_text("Quiz passed with 100%. Module completed.")).to_be_visible()
    expect(page.get_by_text(module.quiz[0].explanation[:50])).to_be_visible()
    expect(page.locator(".module-side").get_by_text("Completed", exact=True)).to_be_visible()
    page.screenshot(path=tmp_path / "module.png", full_page=True)
    page.get_by_role("link", name="Learning", exact=True).click()
    expect(page.get_by_role("heading", name="Completed (1)")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("lead@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/teams/{trained['team'].id}/training")
    row = page.locator("tr").filter(has_text="Alice").filter(has_text=module.title)
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("https://git.example/contracts/pull/12")
    expect(page.locator(".stat").filter(has_text="Completed")).to_contain_text("1")
    page.screenshot(path=tmp_path / "team-training.png", full_page=True)
