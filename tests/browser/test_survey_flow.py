"""A member fills out the survey over two visits and submits; the lead sees the scores."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def answer_page(page, level: int):
    """Choose the same level for every question on the current page, by keyboard-labelled radios."""
    groups = page.locator("fieldset.question")
    for index in range(groups.count()):
        groups.nth(index).get_by_role("radio", name=f"{level} ·").check()


def test_member_fills_leaves_resumes_submits_and_lead_sees_scores(
    page, live_server, world, sign_in, tmp_path
):
    sign_in("alice@acme.test", PASSWORD)
    page.get_by_role("link", name="Start the survey for Claims Triage, 2026-Q4").click()
    page.get_by_role("button", name="Start the survey").click()
    expect(page.get_by_role("heading", name="Data foundations")).to_be_visible()

    answer_page(page, 2)
    page.get_by_label("Comment").first.fill("Contracts exist for two feeds only.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Ownership and operating model")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="questions answered")).to_contain_text(
        "6 of 48"
    )
    answer_page(page, 1)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Infrastructure and serving")).to_be_visible()
    page.screenshot(path=tmp_path / "survey-page.png", full_page=True)

    # Leave: sign out, and come back later.
    page.get_by_role("button", name="Sign out").click()
    sign_in("alice@acme.test", PASSWORD)
    expect(page.get_by_text("12 of 48 questions answered")).to_be_visible()
    page.get_by_role("link", name="Continue the survey for Claims Triage, 2026-Q4").click()
    # Continue opens the first page with unanswered questions, not the review.
    expect(page.get_by_role("heading", name="Infrastructure and serving")).to_be_visible()
    answer_page(page, 3)
    page.get_by_role("button", name="Save and review").last.click()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    expect(page.get_by_text("Still unanswered (30)")).to_be_visible()

    for challenge in [
        "Model drift and monitoring",
        "Governance and trust",
        "Culture and skills",
        "Cost and efficiency",
        "Integration and lock-in",
    ]:
        page.get_by_role("link", name=challenge).first.click()
        expect(page.get_by_role("heading", name=challenge)).to_be_visible()
        answer_page(page, 3)
        page.get_by_role("button", name="Save and review").last.click()
        expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()

    expect(page.get_by_text("Every question has an answer.")).to_be_visible()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Your answers for Claims Triage count in 2026-Q4")).to_be_visible()
    expect(page.get_by_role("button", name="Submit again")).to_have_count(0)
    expect(page.get_by_role("link", name="See Claims Triage's report")).to_be_visible()
    expect(page.get_by_role("link", name="Open my assigned modules")).to_be_visible()
    expect(page.get_by_role("link", name="Change my answers")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("lead@acme.test", PASSWORD)
    page.get_by_role("link", name="Claims Triage", exact=True).click()
    expect(page.get_by_role("heading", name="Claims Triage")).to_be_visible()
    rows = page.locator("table.score-table tbody tr")
    expect(rows.filter(has_text="Data foundations")).to_contain_text("2.0")
    expect(rows.filter(has_text="Ownership and operating model")).to_contain_text("1.0")
    expect(rows.filter(has_text="Cost and efficiency")).to_contain_text("3.0")
    expect(page.locator(".stat").filter(has_text="Respondents")).to_contain_text("1")
    expect(page.get_by_text("Contracts exist for two feeds only.")).to_be_visible()
    page.screenshot(path=tmp_path / "lead-report.png", full_page=True)
