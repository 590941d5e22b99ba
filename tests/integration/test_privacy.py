"""Privacy: teams below the respondent minimum, anonymous comments, frozen targets, data export
and erasure, with the shipped default of 3 respondents."""

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa

from app.comparisons import rebuild_stale
from app.extensions import db
from app.models import Answer, AuditEntry, Response, TeamScoreRow, User
from app.orgs import operations as org_ops
from app.orgs import privacy
from app.questionnaires import model_of
from app.roadmap import operations as plan_ops
from tests.conftest import submit_response

ROW = re.compile(r"<tr[^>]*>.*?</tr>", re.S)


@pytest.fixture
def small(make_org, make_user, make_team, make_cycle):
    """An org with the default minimum: Tiny has 1 respondent, Big and Mid have 3 each."""
    org = make_org("acme", "Acme", min_respondents=3)
    make_user("admin@acme.test", org, "admin", "Ada Admin")
    make_user("exec@acme.test", org, "executive", "Eli Exec")
    lead_tiny = make_user("tiny.lead@acme.test", org, "member", "Tia Tiny")
    lead_big = make_user("big.lead@acme.test", org, "member", "Bo Big")
    people = {n: make_user(f"{n}@acme.test", org, "member", n.title()) for n in "abcdef"}
    tiny = make_team(org, "Tiny Team", lead_tiny, [], "Risk")
    big = make_team(org, "Big Team", lead_big, [people["a"], people["b"], people["c"]], "Risk")
    mid = make_team(org, "Mid Team", None, [people["d"], people["e"], people["f"]], "Ops")
    cycle = make_cycle(org, "2026-Q4")
    questions = [q.id for q in model_of(cycle.questionnaire).questions]
    submit_response(
        cycle, tiny, lead_tiny, dict.fromkeys(questions, 1), comment="Our lead ignores drift"
    )
    for user in (people["a"], people["b"], people["c"]):
        submit_response(cycle, big, user, dict.fromkeys(questions, 4))
    for user in (people["d"], people["e"], people["f"]):
        submit_response(cycle, mid, user, dict.fromkeys(questions, 3))
    rebuild_stale(org.id)
    return {"org": org, "cycle": cycle, "tiny": tiny, "big": big, "mid": mid}


def _row_of(page: str, name: str) -> str:
    rows = [r for r in ROW.findall(page) if name in r]
    assert rows, f"no row for {name}"
    return rows[0]


def test_an_executive_never_sees_a_score_of_a_team_below_the_minimum(client, small, login):
    login("exec@acme.test")
    tiny = small["tiny"].id
    for path in ("/o/acme/", "/o/acme/teams/", "/o/acme/dashboard", "/o/acme/print"):
        page = client.get(path).get_data(as_text=True)
        row = _row_of(page, "Tiny Team")
        assert "fewer than 3 respondents" in row, path
        assert "1.0" not in row, path
        assert "4.0" in _row_of(page, "Big Team"), path
    heatmap = client.get("/o/acme/heatmap").get_data(as_text=True)
    assert "fewer than 3 respondents" in _row_of(heatmap, "Tiny Team")
    assert not re.search(r">\s*\d\.\d\s*<", _row_of(heatmap, "Tiny Team"))
    compare = client.get(f"/o/acme/compare?team={tiny}&team={small['big'].id}")
    text = compare.get_data(as_text=True)
    assert compare.status_code == 200 and "Scores hidden: fewer than 3 respondents" in text
    assert not re.search(r"<td[^>]*>\s*1\.0", text)  # neither its scores nor a percentile
    rows = list(csv.DictReader(io.StringIO(client.get(f"/o/acme/compare.csv?team={tiny}").text)))
    assert rows and all(r["score"] == "" and r["percentile"] == "" for r in rows)
    assert all(r["org_median"] == "3.00" for r in rows)  # the aggregate still counts it
    trend = client.get(f"/o/acme/trends?team={tiny}").get_data(as_text=True)
    assert "Tiny Team" in trend and not re.search(r"<td[^>]*>\s*1\.0", trend)
    shown = client.get(f"/o/acme/trends?team={small['big'].id}").get_data(as_text=True)
    assert re.search(r"<td[^>]*>\s*4\.0", shown)  # the same check sees a visible team's scores
    for path in (f"/o/acme/teams/{tiny}/report", f"/o/acme/teams/{tiny}/roadmap"):
        page = client.get(path).get_data(as_text=True)
        assert "Scores hidden" in page and "1.0" not in page, path
    for path in (f"/o/acme/teams/{tiny}/print", f"/o/acme/teams/{tiny}/report.pdf"):
        assert client.get(path).status_code == 403, path


def test_the_median_and_quartiles_still_count_the_hidden_team(app, small):
    stored = json.loads(
        db.session.scalar(
            sa.text("SELECT document FROM cycle_comparison WHERE cycle_id = :c"),
            {"c": small["cycle"].id},
        )
    )
    assert stored["median"]["overall"] == 3.0
    assert stored["quartiles"]["overall"] == [2.0, 3.5]  # of 1.0, 3.0 and 4.0
    tiny = next(t for t in stored["teams"] if t["team"] == "Tiny Team")
    assert tiny["suppressed"] and tiny["scores"]["overall"] is None
    assert tiny["percentiles"]["overall"] is None


def test_the_team_itself_always_sees_its_scores(client, small, login):
    login("tiny.lead@acme.test")
    report = client.get(f"/o/acme/teams/{small['tiny'].id}/report").get_data(as_text=True)
    assert "Scores hidden" not in report and "1.0" in report
    home = client.get("/o/acme/").get_data(as_text=True)
    assert "1.0" in _row_of(home, "Tiny Team")
    assert "fewer than 3" in _row_of(home, "Mid Team") or "3.0" in _row_of(home, "Mid Team")
    compare = client.get("/o/acme/compare").get_data(as_text=True)
    assert "Tiny Team" in compare and "1.0" in compare


def test_another_teams_lead_sees_the_notice(client, small, login):
    login("big.lead@acme.test")
    page = client.get(f"/o/acme/teams/{small['tiny'].id}/report").get_data(as_text=True)
    assert "Scores hidden" in page and "fewer than 3 respondents" in page


def test_a_minimum_of_one_turns_the_rule_off(client, small, login, runner):
    result = runner.invoke(args=["org", "settings", "acme", "--min-respondents", "1"])
    assert result.exit_code == 0, result.output
    assert "min respondents 1" in result.output
    rebuild_stale(small["org"].id)
    login("exec@acme.test")
    page = client.get("/o/acme/dashboard").get_data(as_text=True)
    assert "1.0" in _row_of(page, "Tiny Team")
    bad = runner.invoke(args=["org", "settings", "acme", "--min-respondents", "²"])
    assert bad.exit_code != 0 and "whole number" in bad.output


def test_the_settings_page_changes_the_rule_and_audits_it(client, small, login):
    login("admin@acme.test")
    page = client.get("/o/acme/admin/settings")
    assert page.status_code == 200 and 'value="3"' in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    bad = client.post(
        "/o/acme/admin/settings",
        data={"csrf_token": token, "min_respondents": "0", "audit_retention_days": "30"},
    )
    assert bad.status_code == 422 and "between 1 (off) and 50" in bad.get_data(as_text=True)
    ok = client.post(
        "/o/acme/admin/settings",
        data={
            "csrf_token": token,
            "min_respondents": "5",
            "comment_authors": "named",
            "audit_retention_days": "365",
        },
    )
    assert ok.status_code == 302
    db.session.refresh(small["org"])
    assert (small["org"].min_respondents, small["org"].comment_authors) == (5, True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.kind == "settings.privacy"))
    assert entry.actor == "Ada Admin"
    assert entry.before["min_respondents"] == 3 and entry.after["min_respondents"] == 5
    login_as_exec = client.post("/logout", data={"csrf_token": token})
    assert login_as_exec.status_code == 302


def test_only_admins_reach_the_settings_and_audit_pages(client, small, login):
    login("exec@acme.test")
    for path in ("/o/acme/admin/settings", "/o/acme/admin/audit", "/o/acme/admin/audit.csv"):
        assert client.get(path).status_code == 403, path


def test_targets_of_a_closed_cycle_do_not_change(client, small, login):
    big = small["big"]
    plan_ops.set_targets(big, {"data": 2})
    org_ops.close_cycle(small["cycle"])
    db.session.commit()
    plan_ops.set_targets(big, {"data": 4})
    db.session.commit()
    login("big.lead@acme.test")
    page = client.get(f"/o/acme/teams/{big.id}/targets").get_data(as_text=True)
    assert 'value="4"' in page or ">4<" in page
    report = client.get(f"/o/acme/teams/{big.id}/report?cycle=2026-Q4").get_data(as_text=True)
    # The closed cycle's report still plans against target 2 for data foundations.
    assert re.search(r"Data foundations.*?<td[^>]*>\s*2\s*</td>", report, re.S)
    org_ops.reopen_cycle(small["cycle"])
    db.session.commit()
    assert small["cycle"].frozen_targets is None


def test_a_person_downloads_their_own_data(client, small, login):
    login("tiny.lead@acme.test")
    response = client.get("/account/data.json")
    assert response.status_code == 200
    data = response.get_json()
    assert data["person"]["email"] == "tiny.lead@acme.test"
    assert data["responses"][0]["answers"][0]["comment"] == "Our lead ignores drift"
    assert data["teams"] == [{"org": "acme", "team": "Tiny Team", "role": "lead", "job_role": None}]
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.kind == "privacy.export"))


def test_erasing_a_person_keeps_their_answers_and_the_team_scores(client, small, login):
    big = small["big"]
    a = db.session.scalar(sa.select(User).where(User.email == "a@acme.test"))
    db.session.execute(
        sa.update(Answer)
        .where(Answer.response_id.in_(sa.select(Response.id).where(Response.user_id == a.id)))
        .values(comment="Ask Alex about the lineage tool")
    )
    db.session.commit()
    before = db.session.scalar(
        sa.select(TeamScoreRow.score).where(
            TeamScoreRow.team_id == big.id, TeamScoreRow.challenge == "overall"
        )
    )
    login("admin@acme.test")
    form = client.get(f"/o/acme/admin/people/{a.id}/erase").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    wrong = client.post(
        f"/o/acme/admin/people/{a.id}/erase", data={"csrf_token": token, "confirm": "x"}
    )
    assert wrong.status_code == 200 and "to confirm the erasure" in wrong.get_data(as_text=True)
    done = client.post(
        f"/o/acme/admin/people/{a.id}/erase",
        data={"csrf_token": token, "confirm": "a@acme.test"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    erased = db.session.get(User, a.id)
    assert erased.name.startswith("Erased person") and "acme.test" not in erased.email
    assert not erased.check_password("anything")
    comments = db.session.scalars(
        sa.select(Answer.comment).join(Response).where(Response.user_id == a.id)
    ).all()
    assert comments and all(c == "" for c in comments)
    after = db.session.scalar(
        sa.select(TeamScoreRow.score).where(
            TeamScoreRow.team_id == big.id, TeamScoreRow.challenge == "overall"
        )
    )
    assert after == before
    entries = db.session.scalars(sa.select(AuditEntry)).all()
    assert any(e.kind == "privacy.erased" for e in entries)
    assert not any("a@acme.test" in json.dumps(privacy.audit.as_dict(e)) for e in entries)
    people = client.get("/o/acme/admin/people").get_data(as_text=True)
    assert "a@acme.test" not in people


LEAK = re.compile(r"(?<![\d.])1\.00?(?![\d])")  # Tiny Team's score, 1.0, in any format
SKIP = ("/static/", "/bootstrap/", "/login", "/scoring", "/api/v1/openapi.json", "/api/v1/docs")


def _url(rule, values: dict) -> str | None:
    """Return the rule's URL with the walk's values, or None when a value is unknown."""
    url = rule.rule
    for name in rule.arguments:
        if name not in values:
            return None
        url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
    return url


def test_walking_every_page_and_api_route_as_an_executive_shows_no_hidden_score(
    app, client, small, login
):
    from app.api.auth import create_token

    executive = db.session.scalar(sa.select(User).where(User.email == "exec@acme.test"))
    _, token = create_token(executive, "walk")
    db.session.commit()
    login("exec@acme.test")
    tiny = small["tiny"].id
    values = {
        "slug": "acme",
        "team_id": tiny,
        "cycle_name": "2026-Q4",
        "challenge": "data",
        "fmt": "csv",
        "user_id": executive.id,
        "profile_id": 1,
        "key": "none",
    }
    walked = 0
    for rule in app.url_map.iter_rules():
        url = _url(rule, values)
        if "GET" not in rule.methods or url is None or url.startswith(SKIP):
            continue
        for query in ("", f"?team={tiny}", f"?team={tiny}&cycle=2026-Q4"):
            headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
            response = client.get(url + query, headers=headers)
            walked += 1
            assert response.status_code < 500, url
            if response.mimetype == "application/pdf" or response.status_code >= 300:
                continue
            text = re.sub(r"<svg.*?</svg>", "", response.get_data(as_text=True), flags=re.S)
            found = LEAK.search(text)
            assert found is None, (
                f"{url}{query}: {text[max(found.start() - 200, 0) : found.end() + 50]}"
            )
    assert walked > 100


def test_the_scores_export_leaves_small_teams_empty_unless_asked(runner, small):
    base = ["scores", "export", "--org", "acme", "--cycle", "2026-Q4", "--format", "json"]
    rows = json.loads(runner.invoke(args=base).output)
    tiny = [r for r in rows if r["team"] == "Tiny Team"]
    assert tiny and all(r["score"] is None for r in tiny) and tiny[0]["respondents"] == 1
    assert any(r["score"] == 4.0 for r in rows if r["team"] == "Big Team")
    every = json.loads(runner.invoke(args=[*base, "--include-small-teams"]).output)
    assert any(r["score"] == 1.0 for r in every if r["team"] == "Tiny Team")
