"""The compare page at 1280 px and 390 px: the org's columns in view, labels whole, a usable picker."""

from playwright.sync_api import expect

from app.comparisons import store_team_scores
from app.extensions import db
from tests.conftest import PASSWORD, submit_response

NAMES = (
    ("Supply Chain Optimisation", "Operations"),
    ("Document Intelligence", "Insurance"),
    ("Predictive Maintenance", "Operations"),
    ("Next Best Offer", "Retail Banking"),
    ("Contact Centre AI", "Operations"),
)


def _four_long_named_teams(world, make_team, make_user):
    """Score five teams with long names; return the world."""
    org, cycle = world["org"], world["cycle"]
    for number, (name, unit) in enumerate(NAMES):
        lead = make_user(f"lead{number}@acme.test", org)
        team = make_team(org, name, lead, unit=unit)
        submit_response(cycle, team, lead, {"data.contracts": number % 5, "cost.right-sizing": 2})
    store_team_scores(cycle)
    db.session.commit()
    return world


def _radar_labels_outside(page) -> list[str]:
    """Return the radar's axis labels whose drawn box leaves the chart's own area."""
    return page.evaluate(
        """() => {
          const svg = document.querySelector("figure.radar-chart svg");
          const box = svg.viewBox.baseVal;
          return [...svg.querySelectorAll("text.axis-label")].filter((label) => {
            const b = label.getBBox();
            return b.x < box.x || b.y < box.y || b.x + b.width > box.x + box.width
              || b.y + b.height > box.y + box.height;
          }).map((label) => label.textContent);
        }"""
    )


def test_four_teams_at_1280_keep_the_org_median_in_view_and_every_label_whole(
    page, live_server, world, make_team, make_user, sign_in
):
    _four_long_named_teams(world, make_team, make_user)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("exec@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/compare")

    # the filter narrows the list; ticked teams stay in it
    page.get_by_label("Filter the list of teams").fill("oper")
    expect(page.get_by_role("checkbox", name="Supply Chain Optimisation")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Document Intelligence")).to_be_hidden()
    page.get_by_role("checkbox", name="Supply Chain Optimisation").check()
    page.get_by_role("checkbox", name="Predictive Maintenance").check()
    page.get_by_label("Filter the list of teams").fill("")
    page.get_by_role("checkbox", name="Document Intelligence").check()
    page.get_by_role("checkbox", name="Next Best Offer").check()
    expect(page.locator("[data-chosen-count]")).to_have_text("(4 ticked)")
    page.get_by_role("button", name="Compare", exact=True).click()

    table = page.locator("table.compare-table")
    expect(table.get_by_role("columnheader")).to_have_count(8)
    for header in ("Org median", "Q1 – Q3", "Next Best Offer", "Supply Chain Optimisation"):
        cell = table.get_by_role("columnheader", name=header)
        expect(cell).to_be_in_viewport()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, header
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(
        "(() => { const t = document.querySelector('.table-responsive');"
        " return t.scrollWidth <= t.clientWidth; })()"
    ), "the table scrolls sideways with four teams at 1280 px"
    assert _radar_labels_outside(page) == []
    # ascent.css wins over Bootstrap: the outline buttons take the AA colour, not #6c757d
    expect(page.get_by_role("link", name="Trends")).to_have_css("color", "rgb(74, 83, 99)")
    expect(page.locator("figure.radar-chart")).to_contain_text("Infrastructure")
    expect(page.locator("figure.radar-chart")).to_contain_text("and serving")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    median = page.get_by_role("columnheader", name="Org median")
    median.scroll_into_view_if_needed()
    box = median.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert _radar_labels_outside(page) == []


def test_the_picker_works_without_javascript(browser, live_server, world, make_team, make_user):
    _four_long_named_teams(world, make_team, make_user)
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("exec@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/o/acme/compare")
    expect(page.get_by_label("Filter the list of teams")).to_be_hidden()
    page.get_by_role("checkbox", name="Contact Centre AI").check()
    page.get_by_role("checkbox", name="Next Best Offer").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    table = page.locator("table.compare-table")
    expect(table.get_by_role("columnheader", name="Contact Centre AI")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Next Best Offer")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Next Best Offer")).to_be_checked()
    context.close()
