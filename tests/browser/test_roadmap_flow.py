"""A lead works the roadmap; an executive reads the dashboard and takes the PDF to a meeting."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD, submit_response

ANSWERS = {
    "data.contracts": 1,
    "data.quality-gates": 1,
    "data.lineage": 1,
    "ownership.model-owner": 3,
}


def test_lead_marks_an_action_done_and_the_next_moves_up(page, live_server, world, sign_in):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    sign_in("lead@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/teams/{world['team'].id}/targets")
    page.get_by_label("Actions per roadmap phase").fill("2")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved")).to_be_visible()
    page.get_by_role("link", name="Roadmap", exact=True).click()

    now = page.locator("section.phase").filter(has=page.get_by_role("heading", name="Now"))
    next_phase = page.locator("section.phase").filter(has=page.get_by_role("heading", name="Next"))
    first_text = now.locator(".action-text").first.inner_text()
    moving_text = next_phase.locator(".action-text").first.inner_text()
    expect(now.locator(".action-card")).to_have_count(2)

    card = now.locator(".action-card").first
    card.get_by_label("Status").select_option("done")
    card.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Marked Done")).to_be_visible()
    now = page.locator("section.phase").filter(has=page.get_by_role("heading", name="Now"))
    expect(now.locator(".action-text")).not_to_contain_text([first_text])
    expect(now.locator(".action-text").last).to_have_text(moving_text)
    expect(page.locator("#phase-closed")).to_be_visible()


def test_executive_opens_dashboard_follows_a_team_and_downloads_pdf(
    page, live_server, world, sign_in, tmp_path
):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    sign_in("exec@acme.test", PASSWORD)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Executive dashboard")).to_be_visible()
    expect(
        page.get_by_role("img", name="Bar chart: number of teams at each overall stage in 2026-Q4")
    ).to_be_visible()
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    org_pdf = tmp_path / "org.pdf"
    download_info.value.save_as(org_pdf)
    assert org_pdf.read_bytes().startswith(b"%PDF") and org_pdf.stat().st_size > 10_000

    page.locator("table.overview-table").get_by_role("link", name="Claims Triage").click()
    expect(page.get_by_role("heading", name="Claims Triage")).to_be_visible()
    expect(page.get_by_text("Per question")).to_have_count(0)
    page.get_by_role("link", name="Roadmap", exact=True).click()
    expect(page.get_by_role("heading", name="Now")).to_be_visible()
    with page.expect_download() as download_info:
        page.goto(f"{live_server}/o/acme/teams/{world['team'].id}/print")
        page.get_by_role("link", name="Download PDF").click()
    team_pdf = tmp_path / "team.pdf"
    download_info.value.save_as(team_pdf)
    assert team_pdf.read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename == "ascent-claims-triage-2026-Q4.pdf"
