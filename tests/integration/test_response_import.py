"""`flask responses import` on files from elsewhere: encodings, limits, batches, new people."""

import pytest
import sqlalchemy as sa

from app import dbutil, imports
from app.dbutil import upsert
from app.extensions import db
from app.models import Answer, Cycle, Response, Team, User
from tests.conftest import PASSWORD

HEADER = "team,respondent,question,level,comment"
ROWS = [
    "Claims Triage,alice@acme.test,data.contracts,3,from the spreadsheet",
    "Claims Triage,alice@acme.test,data.quality-gates,1,",
    "Claims Triage,bob@acme.test,data.contracts,2,",
]


def write(tmp_path, rows, name="answers.csv", encoding="utf-8", header=HEADER):
    """Write a CSV in an encoding and return its path."""
    path = tmp_path / name
    path.write_bytes((header + "\n" + "\n".join(rows) + "\n").encode(encoding))
    return str(path)


def run_import(runner, path, *extra):
    """Run the import command into Acme's open cycle; it may refuse, never crash."""
    result = runner.invoke(
        args=["responses", "import", "--org", "acme", "--cycle", "2026-Q4", *extra, path]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def count(model) -> int:
    """Return the number of rows of a table."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def levels() -> dict[tuple[str, str], int | None]:
    """Return the stored level of each (respondent, question)."""
    rows = db.session.execute(
        sa.select(User.email, Answer.question_id, Answer.level)
        .join(Response, Response.id == Answer.response_id)
        .join(User, User.id == Response.user_id)
    )
    return {(email, qid): level for email, qid, level in rows}


def test_utf8_with_a_byte_order_mark_is_imported(runner, world, tmp_path):
    path = write(tmp_path, ROWS, encoding="utf-8-sig")
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "Imported 3 answers in 2 responses" in result.output
    assert levels()[("alice@acme.test", "data.contracts")] == 3


def test_accents_in_utf8_are_kept(runner, world, tmp_path):
    path = write(tmp_path, ["Claims Triage,alice@acme.test,data.contracts,3,déjà vérifié ✓"])
    assert run_import(runner, path).exit_code == 0
    assert db.session.scalar(sa.select(Answer.comment)) == "déjà vérifié ✓"


@pytest.mark.parametrize(
    ("encoding", "looks_like"),
    [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("latin-1", "Latin-1"), ("cp1252", "Latin-1")],
)
def test_other_encodings_are_refused_with_the_file_named(
    runner, world, tmp_path, encoding, looks_like
):
    rows = [*ROWS, "Claims Triage,bob@acme.test,data.lineage,1,déjà vu"]
    result = run_import(runner, write(tmp_path, rows, encoding=encoding))
    assert result.exit_code == 1
    assert "answers.csv is not UTF-8" in result.output
    assert looks_like in result.output and "save it as UTF-8" in result.output
    assert count(Answer) == 0 and count(Response) == 0


def test_a_latin1_file_names_the_line_where_it_stops_being_utf8(runner, world, tmp_path):
    rows = [*ROWS, "Claims Triage,bob@acme.test,data.lineage,1,déjà vu"]
    result = run_import(runner, write(tmp_path, rows, encoding="latin-1"))
    assert "from line 5 on" in result.output


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ("Claims Triage,alice@acme.test,data.contracts,3,a\x00b", "comment"),
        ("Claims\x00Triage,alice@acme.test,data.contracts,3,", "team"),
        ("Claims Triage,alice@acme.test,data.contracts\x1b,3,", "question"),
        ("Claims Triage,alice@acme\x7f.test,data.contracts,3,", "respondent"),
    ],
)
def test_a_control_character_in_a_cell_is_a_row_error(runner, world, tmp_path, cell, field):
    result = run_import(runner, write(tmp_path, [ROWS[1], cell]))
    assert result.exit_code == 1
    assert f"answers.csv:3: {field} holds a control character" in result.output
    assert "answers.csv:2" not in result.output
    assert count(Answer) == 0


def test_a_comment_follows_the_survey_forms_limit(runner, world, tmp_path):
    longest = "x" * 2000
    too_long = "y" * 2001
    rows = [
        f"Claims Triage,alice@acme.test,data.contracts,3,{longest}",
        f"Claims Triage,bob@acme.test,data.contracts,3,{too_long}",
    ]
    result = run_import(runner, write(tmp_path, rows))
    assert result.exit_code == 1
    assert "answers.csv:3: comment has 2,001 characters; the survey form allows 2,000" in (
        result.output
    )
    assert "answers.csv:2" not in result.output and too_long not in result.output
    assert count(Answer) == 0
    assert run_import(runner, write(tmp_path, rows[:1])).exit_code == 0
    assert db.session.scalar(sa.select(Answer.comment)) == longest


def test_team_respondent_and_question_follow_the_column_lengths(runner, world, tmp_path):
    rows = [
        f"{'T' * 201},alice@acme.test,data.contracts,3,",
        f"Claims Triage,{'a' * 250}@acme.test,data.contracts,3,",
        f"Claims Triage,alice@acme.test,data.{'q' * 120},3,",
    ]
    result = run_import(runner, write(tmp_path, rows), "--create-missing")
    assert result.exit_code == 1
    assert "answers.csv:2: team has 201 characters; at most 200" in result.output
    assert "answers.csv:3: respondent has 260 characters; at most 254" in result.output
    assert "answers.csv:4: question has 125 characters; at most 120" in result.output
    assert "q" * 100 not in result.output  # a long value is not repeated whole
    assert count(Team) == 1 and count(Answer) == 0


def test_a_file_of_bad_rows_names_the_first_hundred_and_counts_the_rest(runner, world, tmp_path):
    rows = [f"Claims Triage,alice@acme.test,data.contracts,{n + 5}," for n in range(150)]
    result = run_import(runner, write(tmp_path, rows))
    assert result.exit_code == 1
    assert "answers.csv:101:" in result.output and "answers.csv:102:" not in result.output
    assert "and 50 more rows with problems" in result.output


def test_a_cell_too_large_for_csv_is_a_row_error(runner, world, tmp_path):
    rows = [ROWS[0], "Claims Triage,bob@acme.test,data.contracts,3," + "z" * 140_000]
    result = run_import(runner, write(tmp_path, rows))
    assert result.exit_code == 1 and "answers.csv:3: this row cannot be read as CSV" in (
        result.output
    )
    assert count(Answer) == 0


def batch_file(tmp_path, rows_per_person, people, last=None):
    """Write answers of people of Claims Triage (Alice, Bob, the lead) to many questions."""
    questions = [
        f"{c}.{q}"
        for c, q in [
            ("data", "contracts"),
            ("data", "quality-gates"),
            ("data", "lineage"),
            ("data", "stewardship"),
            ("cost", "right-sizing"),
        ]
    ]
    rows = [
        f"Claims Triage,{person},{question},{(i + n) % 5},"
        for n, person in enumerate(people)
        for i, question in enumerate(questions[:rows_per_person])
    ]
    if last is not None:
        rows.append(last)
    return rows


def test_a_file_of_several_batches_imports_every_answer(runner, world, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 4)
    people = ["alice@acme.test", "bob@acme.test", "lead@acme.test"]
    rows = batch_file(tmp_path, 5, people)  # 15 answers: four batches
    result = run_import(runner, write(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert "Imported 15 answers in 3 responses" in result.output
    assert count(Answer) == 15 and count(Response) == 3
    assert levels()[("lead@acme.test", "cost.right-sizing")] == (4 + 2) % 5


def test_a_bad_row_in_the_last_batch_changes_nothing(runner, world, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 4)
    people = ["alice@acme.test", "bob@acme.test"]
    assert run_import(runner, write(tmp_path, batch_file(tmp_path, 5, people))).exit_code == 0
    before = levels()
    changed = [row.replace(",0,", ",4,") for row in batch_file(tmp_path, 5, people)]
    bad_last = "Claims Triage,lead@acme.test,data.contracts,9,"
    result = run_import(runner, write(tmp_path, [*changed, bad_last], name="again.csv"))
    assert result.exit_code == 1 and "again.csv:12: level '9'" in result.output
    assert levels() == before and count(Response) == 2  # the first batches were rolled back


def test_a_new_team_in_the_last_batch_is_not_created_when_a_row_is_bad(
    runner, world, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH", 2)
    rows = [
        "Pricing,new.person@acme.test,data.contracts,2,",
        "Pricing,new.person@acme.test,data.lineage,2,",
        "Claims Triage,alice@acme.test,data.contracts,2,",
        "Claims Triage,alice@acme.test,nonsense,2,",
    ]
    result = run_import(runner, write(tmp_path, rows), "--create-missing")
    assert result.exit_code == 1 and "answers.csv:5: unknown question 'nonsense'" in result.output
    assert db.session.scalar(sa.select(Team.id).where(Team.name == "Pricing")) is None
    assert db.session.scalar(sa.select(User.id).where(User.email == "new.person@acme.test")) is None
    assert count(Answer) == 0


def test_a_person_not_in_the_team_is_named_once_at_their_first_line(runner, world, tmp_path):
    rows = [
        ROWS[0],
        *[f"Claims Triage,exec@acme.test,data.{q},1," for q in ("contracts", "lineage")],
    ]
    result = run_import(runner, write(tmp_path, rows))
    assert result.exit_code == 1
    assert "answers.csv:3: exec@acme.test is not in team 'Claims Triage'" in result.output
    assert "answers.csv:4" not in result.output


def test_people_created_by_an_import_have_no_usable_password(
    runner, client, world, tmp_path, monkeypatch
):
    hashed = []
    monkeypatch.setattr("app.models.generate_password_hash", lambda *a, **k: hashed.append(a))
    rows = [f"Pricing,new{n}@acme.test,data.contracts,2," for n in range(3)]
    result = run_import(runner, write(tmp_path, rows), "--create-missing")
    assert result.exit_code == 0 and "1 teams and 3 people created" in result.output
    assert hashed == []  # no password hash computed for anybody
    person = db.session.scalar(sa.select(User).where(User.email == "new0@acme.test"))
    assert not person.has_usable_password and not person.must_change_password
    for guess in ("", person.password_hash, person.password_hash[1:], PASSWORD):
        assert not person.check_password(guess)
    assert db.session.scalar(sa.select(User).where(User.email == "alice@acme.test")).check_password(
        PASSWORD
    )


def test_signing_in_as_an_imported_person_looks_like_a_wrong_password(
    runner, client, world, tmp_path, monkeypatch
):
    run_import(
        runner, write(tmp_path, ["Pricing,new@acme.test,data.contracts,2,"]), "--create-missing"
    )
    person = db.session.scalar(sa.select(User).where(User.email == "new@acme.test"))
    spent = []
    monkeypatch.setattr("app.auth.views._spend_a_hash_check", spent.append)
    answers = {}
    for email, password in [
        ("new@acme.test", "whatever-they-try"),
        ("new@acme.test", person.password_hash),
        ("alice@acme.test", "not her password"),
        ("nobody@acme.test", "whatever-they-try"),
    ]:
        response = client.post("/login", data={"email": email, "password": password})
        page = response.get_data(as_text=True)
        answers[(email, password)] = (response.status_code, "do not match an account" in page)
    assert set(answers.values()) == {(401, True)}
    assert spent == ["whatever-they-try", person.password_hash, "whatever-they-try"]
    assert client.get("/account/password").status_code == 302  # nobody is signed in


def test_an_existing_account_of_another_org_is_not_joined(
    runner, world, tmp_path, make_org, make_user
):
    make_user("ada@globex.test", make_org("globex", "Globex"), "member", "Ada Secret")
    rows = ["Claims Triage,ada@globex.test,data.contracts,2,"]
    result = run_import(runner, write(tmp_path, rows), "--create-missing")
    assert result.exit_code == 1 and "ada@globex.test has an account outside acme" in result.output
    assert "Ada Secret" not in result.output and count(Answer) == 0


def test_closed_cycles_refuse_imports(runner, world, tmp_path):
    runner.invoke(args=["cycle", "close", "--org", "acme", "2026-Q4"])
    result = run_import(runner, write(tmp_path, ROWS))
    assert result.exit_code == 1 and "closed" in result.output
    assert db.session.scalar(sa.select(Cycle.closed_at)) is not None and count(Answer) == 0


@pytest.mark.parametrize("uniform", [True, False])
def test_upserts_never_bind_more_values_than_the_database_allows(world, monkeypatch, uniform):
    """With a limit of 60 values, 300 rows of 7 columns (2,100 values) still go in."""
    monkeypatch.setattr(dbutil, "MAX_VARIABLES", 60)
    response = Response(
        cycle_id=world["cycle"].id,
        team_id=world["team"].id,
        user_id=world["alice"].id,
        questionnaire_id=world["cycle"].questionnaire_id,
        status="submitted",
    )
    db.session.add(response)
    db.session.flush()
    rows = [
        {"response_id": response.id, "question_id": f"q{n}", "level": n % 5, "comment": ""}
        | ({} if uniform or n % 2 else {"not_applicable": False})
        | {"carried_over": False, "updated_at": response.created_at}
        for n in range(300)
    ]
    bound = []

    def record(conn, cursor, statement, parameters, context, executemany):
        bound.append(len(parameters[0]) if executemany else len(parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        upsert(Answer, rows, conflict=["response_id", "question_id"], update=["level"])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    db.session.commit()
    assert count(Answer) == 300
    assert bound and max(bound) <= 60
