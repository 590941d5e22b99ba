"""Small hand-built questionnaires for unit tests."""

from app.domain.questionnaire import Action, Challenge, Question, Questionnaire
from app.domain.vocabulary import CHALLENGE_KEYS


def question(qid: str, weight: float = 1) -> Question:
    """Return a question with placeholder levels and one action per step."""
    challenge = qid.split(".")[0]
    actions = tuple(
        Action(qid, step, f"lift {qid} from {step}", "S", "ml_engineering") for step in range(4)
    )
    return Question(qid, challenge, qid, weight, tuple(f"level {n}" for n in range(5)), actions)


def questionnaire(
    spec: dict[str, list[tuple[str, float]]], weights: dict[str, float] | None = None
):
    """Build a questionnaire of all eight challenges; spec gives (slug, weight) per challenge."""
    weights = weights or {}
    challenges = []
    for key in CHALLENGE_KEYS:
        questions = tuple(question(f"{key}.{slug}", w) for slug, w in spec.get(key, [("q1", 1)]))
        challenges.append(Challenge(key, key.title(), weights.get(key, 1), "", {}, questions))
    return Questionnaire("test", 1, "Test", tuple(challenges))
