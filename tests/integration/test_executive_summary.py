"""The executive summary at the top of the dashboard, its print view and page 1 of the org PDF."""

import pytest

from app.comparisons import rebuild_stale
from app.orgs import operations as org_ops
from app.questionnaires import model_of
from app.reports import pdf as pdf_module
from tests.conftest import submit_response


@pytest.fixture
def two_cycles(make_org, make_user, make_team, make_cycle):
    """Tiny (1 respondent) falls from 4 to 0, Big (3) from 4 to 2, Mid (3) stays at 2."""
    from app.extensions import db

    org = make_org("acme", "Acme", min_respondents=3)
    make_user("exec@acme.test", org, "executive", "Eli Exec")
    tiny_lead = make_user("tiny@acme.test", org)
    people = [make_user(f"p{n}@acme.test", org) for n in range(6)]
    tiny = make_team(org, "Tiny Secret Team", tiny_lead, [], "Risk")
    big = make_team(org, "Big Team", None, people[:3], "Risk")
    mid = make_team(org, "Mid Team", None, people[3:], "Ops")
    levels = {"Q3": {tiny.id: 4, big.id: 4, mid.id: 2}, "Q4": {tiny.id: 0, big.id: 2, mid.id: 2}}
    for name in ("2026-Q3", "2026-Q4"):
        cycle = make_cycle(org, name)
        questions = [q.id for q in model_of(cycle.questionnaire).questions]
        level = levels[name[-2:]]
        submit_response(cycle, tiny, tiny_lead, dict.fromkeys(questions, level[tiny.id]))
        for team, members in ((big, people[:3]), (mid, people[3:])):
            for user in members:
                submit_response(cycle, team, user, dict.fromkeys(questions, level[team.id]))
        db.session.commit()
        rebuild_stale(org.id)
        if name == "2026-Q3":
            org_ops.close_cycle(cycle)
            db.session.commit()
    return {"org": org, "tiny": tiny, "big": big}


def _summary(page: str) -> str:
    """Return the summary section of a page."""
    return page.split("executive-summary")[1].split("</section>")[0]


def test_the_dashboard_opens_with_a_summary_that_never_names_a_hidden_team(
    client, two_cycles, login
):
    login("exec@acme.test")
    page = client.get("/o/acme/dashboard?cycle=2026-Q4").get_data(as_text=True)
    summary = _summary(page)
    assert page.index("executive-summary") < page.index("heatmap-heading")
    assert (
        "3 of 3 teams scored in 2026-Q4; the median overall score is 2.0 (Repeatable)." in summary
    )
    assert "1 of them has too few respondents" in summary
    assert "The mean overall score is down" in summary and "in 2026-Q3" in summary
    assert "Big Team, Data foundations −2.0" in summary
    assert "Largest gaps" in summary and "teams below target" in summary
    assert "is in 2 teams&#39; roadmaps." in summary  # Big and Mid share a step from level 2
    assert "Tiny Secret Team" not in summary and "−4.0" not in summary
    assert "Tiny Secret Team" in page  # named in the heatmap, with its scores hidden
    printed = _summary(client.get("/o/acme/print?cycle=2026-Q4").get_data(as_text=True))
    assert "Big Team, Data foundations −2.0" in printed and "Tiny Secret Team" not in printed


def test_page_one_of_the_org_pdf_opens_with_the_summary(client, two_cycles, login, monkeypatch):
    written: list[tuple[int, str]] = []
    for method in ("cell", "multi_cell"):
        original = getattr(pdf_module.Report, method)

        def record(self, *args, _original=original, **kwargs):
            text = kwargs.get("text", args[2] if len(args) > 2 else "")
            written.append((self.page_no(), str(text)))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(pdf_module.Report, method, record)
    login("exec@acme.test")
    response = client.get("/o/acme/report.pdf?cycle=2026-Q4")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    page_one = [text for page, text in written if page == 1]
    for label in ("Where we stand", "Since last cycle", "Largest gaps", "Most common action"):
        assert label in page_one
    assert any(t.startswith("3 of 3 teams scored in 2026-Q4") for t in page_one)
    assert any("Big Team, Data foundations −2.0" in t for t in page_one)
    summary_texts = page_one[: page_one.index("All teams by challenge")]
    assert not any("Tiny Secret Team" in t for t in summary_texts)
    assert "Distribution of overall maturity" in page_one  # page 1 is no longer 60% blank
