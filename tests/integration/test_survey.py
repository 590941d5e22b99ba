"""Filling out the survey through the test client: drafts, validation, submit, carry-over."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Response
from app.orgs import operations as org_ops

BASE = "/o/acme/survey/2026-Q4"


def start(client, team_id, **form):
    return client.post(f"{BASE}/{team_id}/", data=form)


def answers_in_db(user_id):
    rows = db.session.execute(
        sa.select(
            Answer.question_id,
            Answer.level,
            Answer.not_applicable,
            Answer.comment,
            Answer.carried_over,
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Response.user_id == user_id)
    ).all()
    return {r.question_id: r for r in rows}


def test_saving_a_page_keeps_a_draft_that_counts_nowhere(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    assert start(client, team_id).headers["Location"].endswith(f"{BASE}/{team_id}/data")
    response = client.post(
        f"{BASE}/{team_id}/data",
        data={
            "answer-data.contracts": "2",
            "answer-data.lineage": "unknown",
            "answer-data.access": "na",
            "comment-data.contracts": "Two feeds only",
            "go": "next",
        },
    )
    assert response.headers["Location"].endswith(f"{BASE}/{team_id}/ownership")
    stored = answers_in_db(world["alice"].id)
    assert (
        stored["data.contracts"].level == 2 and stored["data.contracts"].comment == "Two feeds only"
    )
    assert stored["data.lineage"].level is None and not stored["data.lineage"].not_applicable
    assert stored["data.access"].not_applicable
    page = client.get(f"{BASE}/{team_id}/data").get_data(as_text=True)
    assert 'value="2" checked' in page and "Two feeds only" in page
    assert "3 of 48 questions answered" in page
    status = db.session.scalar(
        sa.select(Response.status).where(Response.user_id == world["alice"].id)
    )
    assert status == "draft"


def test_saving_twice_never_duplicates_an_answer(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    start(client, team_id)
    for level in ("1", "3", "3"):
        client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": level, "go": "stay"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 1
    assert answers_in_db(world["alice"].id)["data.contracts"].level == 3


def test_invalid_level_is_reported_and_other_answers_are_kept(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    response = client.post(
        f"{BASE}/{team_id}/data",
        data={
            "answer-data.contracts": "7",
            "answer-data.lineage": "3",
            "answer-cost.bogus": "2",
            "go": "next",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "&#39;7&#39; is not an answer" in page or "'7' is not an answer" in page
    assert "is not a question of ai-scaling v1" in page
    stored = answers_in_db(world["alice"].id)
    assert set(stored) == {"data.lineage"} and stored["data.lineage"].level == 3


def test_comment_without_a_choice_is_not_lost_silently(client, world, login):
    login("alice@acme.test")
    start(client, world["team"].id)
    response = client.post(
        f"{BASE}/{world['team'].id}/data",
        data={"comment-data.contracts": "Ask the platform team", "go": "next"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "so your comment can be kept" in page and "Ask the platform team" in page


def test_review_lists_unanswered_and_submit_is_idempotent(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "2", "go": "review"})
    review = client.get(f"{BASE}/{team_id}/review").get_data(as_text=True)
    assert "Still unanswered (47)" in review
    assert "How do you detect that the inputs to a production model" in review
    client.post(f"{BASE}/{team_id}/submit")
    client.post(f"{BASE}/{team_id}/submit")
    response = db.session.scalar(sa.select(Response).where(Response.user_id == world["alice"].id))
    assert response.status == "submitted" and response.submitted_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def test_changing_a_submitted_answer_needs_a_resubmit(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "2", "go": "review"})
    client.post(f"{BASE}/{team_id}/submit")
    # Saving the page unchanged keeps it submitted.
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "2", "go": "review"})
    assert db.session.scalar(sa.select(Response.status)) == "submitted"
    changed = client.post(
        f"{BASE}/{team_id}/data",
        data={"answer-data.contracts": "3", "go": "review"},
        follow_redirects=True,
    )
    assert "Your response is a draft again" in changed.get_data(as_text=True)
    assert db.session.scalar(sa.select(Response.status)) == "draft"
    client.post(f"{BASE}/{team_id}/submit")
    assert db.session.scalar(sa.select(Response.status)) == "submitted"


def test_closed_cycle_refuses_changes_and_keeps_answers(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "2", "go": "review"})
    org_ops.close_cycle(world["cycle"])
    db.session.commit()
    response = client.post(
        f"{BASE}/{team_id}/data", data={"answer-data.contracts": "4", "go": "review"}
    )
    assert response.status_code == 409
    assert "is closed" in response.get_data(as_text=True)
    assert answers_in_db(world["alice"].id)["data.contracts"].level == 2
    submit = client.post(f"{BASE}/{team_id}/submit", follow_redirects=True)
    assert "is closed" in submit.get_data(as_text=True)
    assert db.session.scalar(sa.select(Response.status)) == "draft"


def test_start_from_previous_cycle_marks_answers_carried_over(client, world, login, make_cycle):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    client.post(
        f"{BASE}/{team_id}/data",
        data={"answer-data.contracts": "2", "answer-data.lineage": "1", "go": "review"},
    )
    client.post(f"{BASE}/{team_id}/submit")
    org_ops.close_cycle(world["cycle"])
    db.session.commit()
    make_cycle(world["org"], "2027-Q1")
    intro = client.get(f"/o/acme/survey/2027-Q1/{team_id}/").get_data(as_text=True)
    assert "Start from your answers of 2026-Q4?" in intro
    client.post(f"/o/acme/survey/2027-Q1/{team_id}/", data={"from_previous": "yes"})
    page = client.get(f"/o/acme/survey/2027-Q1/{team_id}/data").get_data(as_text=True)
    assert page.count("Carried over") == 2
    review = client.get(f"/o/acme/survey/2027-Q1/{team_id}/review").get_data(as_text=True)
    assert "Carried over, not yet confirmed (2)" in review
    client.post(
        f"/o/acme/survey/2027-Q1/{team_id}/data",
        data={"answer-data.contracts": "2", "answer-data.lineage": "2", "go": "review"},
    )
    page = client.get(f"/o/acme/survey/2027-Q1/{team_id}/data").get_data(as_text=True)
    assert "Carried over" not in page
    # the old cycle keeps its answers
    old = db.session.scalars(
        sa.select(Answer.level)
        .join(Response)
        .where(Response.cycle_id == world["cycle"].id)
        .order_by(Answer.question_id)
    ).all()
    assert old == [2, 1]


def test_people_outside_the_team_cannot_open_its_survey(client, world, login, make_user):
    make_user("carol@acme.test", world["org"])
    login("carol@acme.test")
    assert client.get(f"{BASE}/{world['team'].id}/").status_code == 404
    assert client.post(
        f"{BASE}/{world['team'].id}/data", data={"answer-data.contracts": "2"}
    ).status_code in (302, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_unknown_challenge_page_is_404(client, world, login):
    login("alice@acme.test")
    start(client, world["team"].id)
    assert client.get(f"{BASE}/{world['team'].id}/wellbeing").status_code == 404


def test_a_kept_survey_page_shows_each_saved_answer(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    first = client.get(f"{BASE}/{team_id}/data").get_data(as_text=True)
    assert client.get(f"{BASE}/{team_id}/data").get_data(as_text=True) == first  # kept
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "3", "go": "review"})
    page = client.get(f"{BASE}/{team_id}/data").get_data(as_text=True)
    assert 'value="3" checked' in page and page != first


def test_continue_opens_the_first_page_with_unanswered_questions(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    data = {f"answer-{q}": "2" for q in ("data.contracts", "data.quality-gates", "data.lineage")}
    data |= {f"answer-{q}": "1" for q in ("data.stewardship", "data.access")}
    data |= {"answer-data.training-serving": "na", "go": "review"}
    client.post(f"{BASE}/{team_id}/data", data=data)
    home = client.get("/o/acme/").get_data(as_text=True)
    assert "Continue" in home
    resumed = client.get(f"{BASE}/{team_id}/")  # the link behind "Continue"
    assert resumed.headers["Location"].endswith(f"{BASE}/{team_id}/ownership")


def test_a_complete_draft_or_a_submitted_response_opens_the_review(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    client.post(f"{BASE}/{team_id}/submit")
    assert client.get(f"{BASE}/{team_id}/").headers["Location"].endswith(f"{BASE}/{team_id}/review")


def test_after_submitting_the_review_offers_what_to_do_next(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    start(client, team_id)
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "2", "go": "review"})
    before = client.get(f"{BASE}/{team_id}/review").get_data(as_text=True)
    assert "Submit my answers" in before and "What next" not in before
    page = client.post(f"{BASE}/{team_id}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Submit again" not in page and "Submit my answers" not in page
    next_steps = page.split("What next")[1].split("</section>")[0]
    assert f'href="/o/acme/teams/{team_id}/report?cycle=2026-Q4"' in next_steps
    assert f'href="/o/acme/teams/{team_id}/roadmap?cycle=2026-Q4"' in next_steps
    assert 'href="/o/acme/learning/">Open my assigned modules' in next_steps
    assert f'href="{BASE}/{team_id}/data">Change my answers' in next_steps
    org_ops.close_cycle(world["cycle"])
    db.session.commit()
    closed = client.get(f"{BASE}/{team_id}/review").get_data(as_text=True)
    assert "Change my answers" not in closed and "is closed" in closed


def test_an_executive_without_a_team_sees_the_open_cycle_and_its_progress(
    client, world, login, make_team, make_user
):
    from tests.conftest import submit_response

    other = make_user("carl@acme.test", world["org"])
    make_team(world["org"], "Pricing", other)
    submit_response(world["cycle"], world["team"], world["alice"], {"data.contracts": 2})
    submit_response(world["cycle"], world["team"], world["bob"], {}, status="draft")
    login("exec@acme.test")
    for url in ("/o/acme/", "/o/acme/survey/"):
        page = client.get(url).get_data(as_text=True)
        assert "There is no open survey" not in page
        assert "2026-Q4 is open." in page
        assert "1 of 2 teams have at least one submitted response" in page
        assert "1 response submitted, 1 more in draft" in page
    org_ops.close_cycle(world["cycle"])
    db.session.commit()
    assert "There is no open survey" in client.get("/o/acme/").get_data(as_text=True)
