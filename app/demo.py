"""The demo org: believable teams, people and four quarterly cycles of varied responses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from .comparisons import store_team_scores
from .extensions import db
from .models import (
    ActionStatus,
    Answer,
    Assignment,
    Cycle,
    Membership,
    ModuleProgress,
    Org,
    QuizAttempt,
    Response,
    StepCheck,
    Team,
    TeamMember,
    User,
)
from .questionnaires import import_file, model_of

DEMO_PASSWORD = "ascent-demo"

BUSINESS_UNITS = {
    "Retail Banking": ["Fraud Detection", "Credit Risk", "Customer Churn", "Next Best Offer"],
    "Insurance": [
        "Claims Triage",
        "Pricing Models",
        "Document Intelligence",
        "Underwriting Assist",
    ],
    "Operations": [
        "Demand Forecasting",
        "Supply Chain Optimisation",
        "Contact Centre AI",
        "Predictive Maintenance",
    ],
}

FIRST = [
    "Amara",
    "Ben",
    "Chiara",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Maya",
    "Nikolai",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Anders",
    "Bianca",
    "Carlos",
    "Dana",
    "Emeka",
    "Fatima",
    "Gustav",
    "Hana",
    "Ivan",
    "Julia",
    "Kwame",
    "Lena",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomás",
    "Uma",
    "Viktor",
    "Wanjiru",
    "Yara",
    "Zain",
    "Aiko",
    "Bruno",
    "Clara",
    "Diego",
    "Esther",
    "Felix",
    "Greta",
    "Hugo",
    "Isla",
    "Jamal",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Rossi",
    "Tanaka",
    "Haddad",
    "Kowalski",
    "Fernández",
    "Schmidt",
    "Nakamura",
    "Osei",
    "Petrov",
    "Silva",
    "Dubois",
    "Jensen",
    "Mehta",
    "Walsh",
    "Costa",
    "Berg",
    "Ibrahim",
    "Laurent",
    "Chen",
    "Garcia",
    "Kim",
    "Murphy",
    "Andersen",
    "Rahman",
    "Ortiz",
    "Vogel",
]

CYCLES = [
    ("2026-Q1", datetime(2026, 1, 12, 9), datetime(2026, 2, 6, 17)),
    ("2026-Q2", datetime(2026, 4, 13, 9), datetime(2026, 5, 8, 17)),
    ("2026-Q3", datetime(2026, 7, 13, 9), datetime(2026, 8, 7, 17)),
    ("2026-Q4", datetime(2026, 10, 12, 9), None),
]

COMMENTS = {
    "data": [
        "Contracts exist for the card feed only; the merchant feed still changes without notice.",
        "Quality checks run in the nightly job but only warn, nobody looks at them.",
        "We found out about the schema change from a broken dashboard, again.",
    ],
    "ownership": [
        "Everyone assumes the platform team owns retraining; the platform team does not agree.",
        "We have a RACI on Confluence but it predates the reorg.",
    ],
    "infrastructure": [
        "Deploys go through the shared pipeline now, rollback is one command.",
        "Still copying model files by hand to the scoring server.",
    ],
    "monitoring": [
        "Drift alerts fire weekly and get ignored; thresholds were never tuned.",
        "We only learn about degradation from the business monthly report.",
        "Override rate is tracked in the case tool, not linked to model versions.",
    ],
    "governance": [
        "Risk review happened once at launch, not for the retrained versions.",
        "No idea whether a bias audit was ever done.",
    ],
    "culture": [
        "The claims handlers were part of the pilot and now ask for more.",
        "Training budget was cut this year.",
    ],
    "cost": [
        "GPU costs are on the central bill; we cannot see our share.",
        "We cache embeddings now, cost per prediction dropped by a third.",
    ],
    "integration": [
        "The CRM connector breaks every time the vendor ships an update.",
        "Scores are written back as events now, consumers subscribe on their own.",
    ],
}


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names, seen = [], set()
    while len(names) < count:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if (first, last) in seen:
            continue
        seen.add((first, last))
        email = f"{first}.{last}@demo.ascent".lower()
        for a, b in (("á", "a"), ("é", "e"), ("ó", "o"), ("í", "i"), ("ú", "u")):
            email = email.replace(a, b)
        names.append((f"{first} {last}", email))
    return names


def create_demo(seed: int = 7) -> str:
    """Create the demo org with its people, teams, cycles and responses; return a summary."""
    rng = random.Random(seed)
    folder = Path(current_app.config["QUESTIONNAIRE_DIR"])
    version, _ = import_file(folder / "ai-scaling-v1.yaml")
    questionnaire = model_of(version)
    # The open cycle runs on the newest version, so the version change shows in the demo.
    newest = version
    if (folder / "ai-scaling-v2.yaml").exists():
        newest, _ = import_file(folder / "ai-scaling-v2.yaml")
    org = Org(slug="demo", name="Northwind Financial Group")
    db.session.add(org)
    db.session.flush()
    password_hash = generate_password_hash(DEMO_PASSWORD)

    def person(name: str, email: str, role: str = "member") -> User:
        user = User(email=email, name=name, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(org_id=org.id, user_id=user.id, role=role))
        return user

    person("Alex Admin", "admin@demo.ascent", "admin")
    person("Eve Executive", "exec@demo.ascent", "executive")
    person("Ruth Okafor", "cdo@demo.ascent", "executive")
    named_lead = person("Lena Lead", "lead@demo.ascent")
    named_member = person("Max Member", "member@demo.ascent")

    team_names = [(unit, name) for unit, names in BUSINESS_UNITS.items() for name in names]
    sizes = [5, 4, 5, 4, 6, 4, 5, 4, 5, 4, 5, 4]
    pool = iter(_people(rng, sum(sizes) - 2))
    teams: list[tuple[Team, list[User], dict]] = []
    for index, ((unit, name), size) in enumerate(zip(team_names, sizes, strict=True)):
        team = Team(org_id=org.id, name=name, business_unit=unit)
        db.session.add(team)
        db.session.flush()
        members = []
        for position in range(size):
            if index == 0 and position == 0:
                user = named_lead
            elif index == 0 and position == 1:
                user = named_member
            else:
                full_name, email = next(pool)
                user = person(full_name, email)
            members.append(user)
            db.session.add(
                TeamMember(
                    team_id=team.id,
                    user_id=user.id,
                    role="lead" if position == 0 else "member",
                    job_role=JOB_ROLES[(index + position) % len(JOB_ROLES)],
                )
            )
        teams.append((team, members, _profile(rng, questionnaire)))
    db.session.flush()

    cycles = []
    for name, opened, closed in CYCLES:
        cycle = Cycle(
            org_id=org.id,
            name=name,
            questionnaire_id=(version if closed else newest).id,
            opened_at=opened,
            closed_at=closed,
        )
        db.session.add(cycle)
        cycles.append(cycle)
    db.session.flush()

    counts = {"responses": 0, "answers": 0}
    for number, cycle in enumerate(cycles):
        answered = model_of(version if cycle.closed_at else newest)
        for team, members, profile in teams:
            _respond(rng, answered, cycle, number, team, members, profile, counts, named_member)
    db.session.flush()
    for cycle in cycles:
        store_team_scores(cycle)
    _plans(rng, org, teams, cycles)
    _training(rng, teams, cycles)
    people = db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership).where(Membership.org_id == org.id)
    )
    return (
        f"Created the demo org '{org.name}': {len(teams)} teams in {len(BUSINESS_UNITS)} business "
        f"units, {people} people, {len(cycles)} cycles, {counts['responses']} responses, "
        f"{counts['answers']} answers."
    )


JOB_ROLES = (
    "ml_engineering",
    "data_science",
    "data_engineering",
    "platform_engineering",
    "business_owner",
    "governance",
    "security_privacy",
    "enablement",
)
OUTSIDERS = {
    "executive_sponsor": ["Marta Ruiz (COO)", "Daniel Price (CRO)", "Helen Achebe (CDO)"],
    "business_owner": ["Head of Cards", "Claims Operations Lead", "Supply Planning Director"],
    "governance": ["Model Risk Office", "Compliance: J. Weber"],
    "security_privacy": ["Data Protection Officer", "AppSec: R. Lindqvist"],
    "finance": ["FinOps: P. Laine", "Finance partner, Retail"],
}
HIGH_RISK = (
    "Fraud Detection",
    "Credit Risk",
    "Claims Triage",
    "Underwriting Assist",
    "Pricing Models",
)
LOW_RISK = ("Demand Forecasting", "Supply Chain Optimisation", "Predictive Maintenance")


def _plans(rng: random.Random, org: Org, teams, cycles) -> None:
    """Give the demo target profiles, named role holders and a history of marked actions."""
    from .roadmap import operations as plan_ops
    from .roadmap.queries import plan_teams

    high = plan_ops.save_profile(
        org.id,
        "Customer-facing, high risk",
        {"governance": 4, "monitoring": 4},
        "Decisions about customers or money: governance and monitoring at Optimized.",
    )
    low = plan_ops.save_profile(
        org.id,
        "Internal, low risk",
        {"governance": 2, "cost": 4},
        "Internal planning models: light governance, cost discipline first.",
    )
    for team, members, _ in teams:
        if team.name in HIGH_RISK:
            plan_ops.apply_profile(team, high)
        elif team.name in LOW_RISK:
            plan_ops.apply_profile(team, low)
        if team.name == "Contact Centre AI":
            team.phase_capacity = 3
        holders = {}
        for user in members:
            role = db.session.scalar(
                sa.select(TeamMember.job_role).where(
                    TeamMember.team_id == team.id, TeamMember.user_id == user.id
                )
            )
            holders.setdefault(role, (user.id, ""))
        for role, names in OUTSIDERS.items():
            if role not in holders and rng.random() < 0.75:
                holders[role] = (None, rng.choice(names))
        if team.name == "Next Best Offer":  # one person holds every Accountable role: a finding
            holders = dict.fromkeys(holders, (members[0].id, ""))
        plan_ops.save_ownership(team, {}, {}, holders)
    db.session.flush()
    team_list = [t for t, _, _ in teams]
    lead_of = {t.id: m[0] for t, m, _ in teams}
    for cycle, statuses in (
        (cycles[2], ("done", "done", "in_progress")),
        (cycles[3], ("in_progress", "planned")),
    ):
        plans = plan_teams(cycle, team_list)
        for team in team_list:
            open_now = [a for a in plans[team.id].roadmap.phase("now") if a.status == "open"]
            for action, status in zip(
                open_now, statuses[: rng.randint(1, len(statuses))], strict=False
            ):
                db.session.add(
                    ActionStatus(
                        team_id=team.id,
                        question_id=action.question_id,
                        from_level=action.from_level,
                        status=status,
                        # Due at the end of the phase: Now within 30 days, planned ones in 90.
                        due_on=(
                            cycle.opened_at + timedelta(days=90 if status == "planned" else 30)
                        ).date(),
                        updated_at=cycle.opened_at + timedelta(days=rng.randint(10, 60)),
                        updated_by_id=lead_of[team.id].id,
                    )
                )
        db.session.flush()


EVIDENCE = [
    "https://git.northwind.example/ml/contracts/pull/{n}",
    "https://wiki.northwind.example/ai/{n}",
    "Filled template is in the team drive, reviewed with the business owner",
    "https://grafana.northwind.example/d/model-health-{n}",
]


def _training(rng: random.Random, teams, cycles) -> None:
    """Assign modules after each closed cycle and add believable progress on them."""
    from .curricula import latest_versions, module_of, sync_library
    from .training.operations import run_assignments

    sync_library(current_app.config["CURRICULA_DIR"])
    versions = latest_versions()
    team_list = [t for t, _, _ in teams]
    pace = {t.id: profile["pace"] for t, _, profile in teams}
    closed = [c for c in cycles if c.closed_at is not None]
    for index, cycle in enumerate(closed):
        run_assignments(cycle, team_list)
        db.session.flush()
        rows = db.session.scalars(
            sa.select(Assignment).where(Assignment.cycle_id == cycle.id)
        ).all()
        end = cycles[index + 1].opened_at if index + 1 < len(cycles) else datetime(2026, 11, 20, 12)
        for assignment in rows:
            assignment.assigned_at = cycle.closed_at + timedelta(hours=2)
            assignment.due_at = cycle.closed_at + timedelta(days=45)
            version = versions[assignment.module_key]
            _progress(rng, assignment, version, module_of(version), pace[assignment.team_id], end)
    db.session.flush()
    _current_work(teams, versions)


def _current_work(teams, versions) -> None:
    """Give the demo lead's team a module assigned by hand this quarter, part done."""
    from .training.operations import assign_by_hand, refresh_progress

    team, members, _ = teams[0]
    lead, member = members[0], members[1]
    key = "monitoring-first-drift-monitors"
    assign_by_hand(team, [m.id for m in members], key, datetime(2026, 12, 18), lead)
    version = versions[key]
    for step in range(3):
        db.session.add(
            StepCheck(user_id=member.id, module_version_id=version.id, step=step, checked=True)
        )
    db.session.flush()
    refresh_progress(member, version)


def _progress(rng, assignment, version, module, pace, end) -> None:
    """Tick steps and take quizzes for one assignment: likelier done in faster teams."""
    roll = rng.random()
    chance = 0.5 + pace
    if roll > chance + 0.2:
        return  # not started
    start = assignment.assigned_at + timedelta(days=rng.randint(1, 20))
    finish = min(end - timedelta(days=1), start + timedelta(days=rng.randint(3, 40)))
    complete = roll < chance
    count = len(module.steps) if complete else rng.randint(1, len(module.steps) - 1)
    for step in range(count):
        when = start + (finish - start) * (step + 1) / count
        note = ""
        if rng.random() < 0.3:
            note = rng.choice(EVIDENCE).format(n=rng.randint(10, 400))
        db.session.add(
            StepCheck(
                user_id=assignment.user_id,
                module_version_id=version.id,
                step=step,
                checked=True,
                evidence=note,
                checked_at=when,
            )
        )
    passed_at = None
    if module.quiz and (complete or rng.random() < 0.4):
        total = len(module.quiz)
        if rng.random() < 0.35:  # a first try that falls short, kept
            db.session.add(
                _attempt(assignment, version, module, total - 2, finish - timedelta(days=1))
            )
        if complete:
            db.session.add(_attempt(assignment, version, module, total, finish))
            passed_at = finish
    db.session.add(
        ModuleProgress(
            user_id=assignment.user_id,
            module_version_id=version.id,
            started_at=start,
            completed_at=passed_at or (finish if complete and not module.quiz else None),
        )
    )


def _attempt(assignment, version, module, right: int, when) -> QuizAttempt:
    """Return a quiz attempt with the given number of right answers."""
    answers = [
        q.answer if i < right else (q.answer + 1) % len(q.options)
        for i, q in enumerate(module.quiz)
    ]
    score = right / len(module.quiz)
    return QuizAttempt(
        user_id=assignment.user_id,
        module_version_id=version.id,
        answers=answers,
        score=score,
        passed=score >= 0.8,
        created_at=when,
    )


def _profile(rng: random.Random, questionnaire) -> dict:
    """Return a team's starting level per challenge, its pace, and where it disagrees."""
    base = rng.uniform(0.6, 2.2)
    start = {
        c.key: min(3.6, max(0.2, base + rng.uniform(-0.8, 0.8))) for c in questionnaire.challenges
    }
    pace = rng.choice([0.05, 0.15, 0.25, 0.35, 0.5])
    focus = rng.sample([c.key for c in questionnaire.challenges], 2)
    return {
        "start": start,
        "pace": pace,
        "focus": focus,
        "split": rng.choice([c.key for c in questionnaire.challenges])
        if rng.random() < 0.5
        else None,
        "unknown": rng.uniform(0.02, 0.12),
    }


def _respond(rng, questionnaire, cycle, number, team, members, profile, counts, named_member):
    """Add the responses of one team in one cycle."""
    is_open = cycle.closed_at is None
    submitted_at = (cycle.closed_at or cycle.opened_at + timedelta(days=20)) - timedelta(
        days=rng.randint(1, 15)
    )
    for position, user in enumerate(members):
        if user is named_member and is_open:
            status, share = "draft", 0.3  # the demo member has a draft to resume
        elif is_open:
            roll = rng.random()
            status, share = (
                ("submitted", 1.0) if roll < 0.6 else ("draft", 0.5) if roll < 0.8 else (None, 0)
            )
        else:
            status, share = (
                ("submitted", 1.0) if rng.random() < 0.85 or position == 0 else (None, 0)
            )
        if status is None:
            continue
        result = db.session.execute(
            sa.insert(Response).values(
                cycle_id=cycle.id,
                team_id=team.id,
                user_id=user.id,
                questionnaire_id=cycle.questionnaire_id,
                status=status,
                created_at=cycle.opened_at + timedelta(days=1),
                updated_at=submitted_at,
                submitted_at=submitted_at if status == "submitted" else None,
            )
        )
        response_id = result.inserted_primary_key[0]
        bias = rng.uniform(-0.4, 0.4)
        rows = []
        questions = questionnaire.questions
        for question in questions[: max(1, int(len(questions) * share))]:
            rows.append(_answer(rng, response_id, question, number, profile, bias, submitted_at))
        db.session.execute(sa.insert(Answer), rows)
        counts["responses"] += 1
        counts["answers"] += len(rows)


def _answer(rng, response_id, question, number, profile, bias, when) -> dict:
    """Return one answer row drawn around the team's level for the question's challenge."""
    key = question.challenge
    pace = profile["pace"] * (1.8 if key in profile["focus"] else 1.0)
    level = profile["start"][key] + pace * number + bias + rng.gauss(0, 0.55)
    if key == profile["split"]:
        level += rng.choice([-1.3, 1.3])
    row = {
        "response_id": response_id,
        "question_id": question.id,
        "level": None,
        "not_applicable": False,
        "comment": "",
        "carried_over": False,
        "updated_at": when,
    }
    roll = rng.random()
    if roll < profile["unknown"] * (1.6 if key in ("governance", "cost") else 1.0):
        return row
    if roll > 0.985:
        row["not_applicable"] = True
        return row
    row["level"] = min(4, max(0, round(level)))
    if rng.random() < 0.04:
        row["comment"] = rng.choice(COMMENTS[key])
    return row
