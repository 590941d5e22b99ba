"""An executive compares three teams, filters by business unit and exports the CSV."""

import csv

from playwright.sync_api import expect

from app.comparisons import store_team_scores
from app.extensions import db
from tests.conftest import PASSWORD, submit_response


def test_executive_compares_three_teams_filters_and_exports(
    page, live_server, world, make_team, make_user, sign_in, tmp_path
):
    org, cycle = world["org"], world["cycle"]
    teams = [world["team"]]
    for name, unit in (("Pricing", "Insurance"), ("Churn", "Banking"), ("Fraud", "Banking")):
        lead = make_user(f"{name.lower()}@acme.test", org)
        teams.append(make_team(org, name, lead, unit=unit))
    for level, team in enumerate(teams):
        user = world["alice"] if team is world["team"] else team.members[0].user
        submit_response(
            cycle, team, user, {"data.contracts": level, "cost.right-sizing": 4 - level}
        )
    store_team_scores(cycle)
    db.session.commit()

    sign_in("exec@acme.test", PASSWORD)
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page.get_by_role("heading", name="Compare teams")).to_be_visible()
    for name in ("Claims Triage", "Pricing", "Churn"):
        page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Compare").click()
    table = page.locator("table.compare-table")
    for name in ("Claims Triage", "Pricing", "Churn"):
        expect(table.get_by_role("columnheader", name=name)).to_be_visible()
    expect(table.get_by_role("columnheader", name="Fraud")).to_have_count(0)
    expect(
        page.get_by_role(
            "img", name="Radar chart of the chosen teams against the org median, 2026-Q4"
        )
    ).to_be_visible()
    data_row = table.locator("tr").filter(has_text="Data foundations")
    expect(data_row).to_contain_text(
        "(62)"
    )  # Churn, 2 among 0, 1, 2, 3: 100 * (2 + 0.5) / 4 = 62.5
    page.screenshot(path=tmp_path / "compare.png", full_page=True)

    page.get_by_label("Business unit").select_option("Banking")
    page.get_by_role("button", name="Compare").click()
    expect(table.get_by_role("columnheader", name="Fraud")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Pricing")).to_have_count(0)

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    path = tmp_path / "compare.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert {r["team"] for r in rows} == {"Churn", "Fraud"}
    churn = next(r for r in rows if r["team"] == "Churn" and r["challenge"] == "data")
    assert (
        churn["score"] == "2.00"
        and churn["percentile"] == "62.50"
        and churn["org_median"] == "1.50"
    )
