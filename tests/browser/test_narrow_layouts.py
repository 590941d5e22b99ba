"""At 390 px: the ownership findings are on screen, the dashboard heatmap scrolls in its own box."""

from playwright.sync_api import expect

from app.comparisons import store_team_scores
from app.extensions import db
from tests.conftest import PASSWORD, submit_response

PHONE = {"width": 390, "height": 844}


def _within_width(locator, width: int = 390) -> bool:
    """Return True when the element lies inside the page's width."""
    box = locator.bounding_box()
    return box["x"] >= 0 and box["x"] + box["width"] <= width


def test_ownership_findings_are_readable_on_a_phone(page, live_server, world, sign_in):
    page.set_viewport_size(PHONE)
    sign_in("lead@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/teams/{world['team'].id}/ownership")
    finding = page.get_by_text("Nobody named for Data engineering, the Accountable role.")
    expect(finding).to_be_visible()
    finding.scroll_into_view_if_needed()
    assert _within_width(finding)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the findings come before the matrix, not after ten columns of it
    matrix = page.locator("table.raci-table")
    assert finding.bounding_box()["y"] < matrix.bounding_box()["y"]
    expect(matrix.get_by_role("rowheader", name="Data foundations")).to_contain_text("⚠")


def test_the_dashboard_heatmap_scrolls_in_its_box_with_the_team_column_in_view(
    page, live_server, world, make_team, make_user, sign_in
):
    org, cycle = world["org"], world["cycle"]
    submit_response(cycle, world["team"], world["alice"], {"data.contracts": 2})
    lead = make_user("ops@acme.test", org)
    other = make_team(org, "Supply Chain Optimisation", lead, unit="Operations")
    submit_response(cycle, other, lead, {"integration.connectors": 3})
    store_team_scores(cycle)
    db.session.commit()
    page.set_viewport_size(PHONE)
    sign_in("exec@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/dashboard")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("section[aria-labelledby=heatmap-heading] .table-responsive")
    box.scroll_into_view_if_needed()
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it scrolls, by itself
    assert _within_width(box)
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    last = box.get_by_role("columnheader", name="Integr.")
    assert _within_width(last), "the last challenge cannot be reached"
    team = box.get_by_role("link", name="Supply Chain Optimisation")
    expect(team).to_be_visible()
    assert _within_width(team) and team.bounding_box()["x"] < 60  # still at the left edge
