"""A lead works the roadmap; an executive reads the dashboard and takes the PDF to a meeting."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD, submit_response

ANSWERS = {
    "data.contracts": 1,
    "data.quality-gates": 1,
    "data.lineage": 1,
    "ownership.model-owner": 3,
}


def phase_rows(page, name):
    """Return the action rows of one phase of the roadmap table."""
    return page.locator(f"tbody[data-phase={name}] tr.action-row")


def test_lead_marks_an_action_done_and_the_next_moves_up(page, live_server, world, sign_in):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    sign_in("lead@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/teams/{world['team'].id}/targets")
    page.get_by_label("Actions per roadmap phase").fill("2")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved")).to_be_visible()
    page.get_by_role("link", name="Roadmap", exact=True).click()

    first_text = phase_rows(page, "now").locator(".action-text").first.inner_text()
    moving_text = phase_rows(page, "next").locator(".action-text").first.inner_text()
    expect(phase_rows(page, "now")).to_have_count(2)
    expect(page.get_by_role("button", name="Save changes")).to_have_count(1)

    row = phase_rows(page, "now").first
    expect(row.locator(".why")).not_to_be_visible()  # "why here" waits behind its expander
    row.get_by_text("Why here", exact=True).click()
    expect(row.locator(".why")).to_be_visible()
    row.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Save changes").click()

    message = page.locator(".alert-success")
    expect(message).to_contain_text(f"Done: “{first_text[:40]}")
    expect(message).to_be_in_viewport()  # the page opens at its top, where the message is
    expect(phase_rows(page, "now").locator(".action-text")).not_to_contain_text([first_text])
    expect(phase_rows(page, "now").locator(".action-text").last).to_have_text(moving_text)
    expect(phase_rows(page, "closed")).to_have_count(1)


def test_lead_ticks_actions_sets_status_and_due_date_at_once(page, live_server, world, sign_in):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    sign_in("lead@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/teams/{world['team'].id}/roadmap")
    page.locator("tbody[data-phase=now]").get_by_label("tick all").check()
    count = phase_rows(page, "now").count()
    expect(page.locator("[data-ticked-count]")).to_have_text(f"{count} ticked")
    page.get_by_label("Set status").select_option("in_progress")
    page.get_by_label("Set due date").fill("2020-01-31")
    page.get_by_role("button", name="Apply to ticked").click()

    expect(page.locator(".alert-success")).to_be_in_viewport()
    rows = phase_rows(page, "now")
    for n in range(count):
        expect(rows.nth(n).get_by_label("Status")).to_have_value("in_progress")
        expect(rows.nth(n).get_by_label("Due date")).to_have_value("2020-01-31")
        expect(rows.nth(n).get_by_text("Overdue", exact=True)).to_be_visible()
    expect(phase_rows(page, "next").first.get_by_label("Due date")).to_have_value("")


def test_a_dismissal_without_reason_is_refused_in_view_and_keeps_the_choice(
    page, live_server, world, sign_in
):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    sign_in("lead@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/teams/{world['team'].id}/roadmap")
    row = phase_rows(page, "next").first
    row.get_by_label("Status").select_option("dismissed")
    expect(row.get_by_label("Reason to dismiss")).to_be_visible()  # shown once it is needed
    page.get_by_role("button", name="Save changes").click()

    message = page.locator(".alert-danger")
    expect(message).to_contain_text("Say why you dismiss this action")
    expect(message).to_be_in_viewport()
    row = page.locator("tr.action-row.table-danger")
    expect(row.get_by_label("Status")).to_have_value("dismissed")
    row.get_by_label("Reason to dismiss").fill("A vendor owns this feed")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".alert-success")).to_contain_text("Dismissed")
    closed = phase_rows(page, "closed")
    expect(closed).to_have_count(1)
    page.get_by_text("Done and dismissed: 1 action").click()
    closed.get_by_text("Why here", exact=True).click()
    expect(closed.get_by_text("A vendor owns this feed")).to_be_visible()


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
    expect(page.locator("#phase-now")).to_be_visible()
    with page.expect_download() as download_info:
        page.goto(f"{live_server}/o/acme/teams/{world['team'].id}/print")
        page.get_by_role("link", name="Download PDF").click()
    team_pdf = tmp_path / "team.pdf"
    download_info.value.save_as(team_pdf)
    assert team_pdf.read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename == "ascent-claims-triage-2026-Q4.pdf"
