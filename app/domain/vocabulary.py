"""The product's fixed vocabulary: challenges, levels, roles, efforts."""

CHALLENGE_KEYS = (
    "data",
    "ownership",
    "infrastructure",
    "monitoring",
    "governance",
    "culture",
    "cost",
    "integration",
)

CHALLENGE_TITLES = {
    "data": "Data foundations",
    "ownership": "Ownership and operating model",
    "infrastructure": "Infrastructure and serving",
    "monitoring": "Model drift and monitoring",
    "governance": "Governance and trust",
    "culture": "Culture and skills",
    "cost": "Cost and efficiency",
    "integration": "Integration and lock-in",
}

CHALLENGE_SHORT = {
    "data": "Data",
    "ownership": "Owners",
    "infrastructure": "Infra",
    "monitoring": "Drift",
    "governance": "Gov.",
    "culture": "Culture",
    "cost": "Cost",
    "integration": "Integr.",
}

# Foundations first, then the other five by key (the design's dependency order).
DEPENDENCY_ORDER = ("ownership", "data", "infrastructure") + tuple(
    sorted(set(CHALLENGE_KEYS) - {"ownership", "data", "infrastructure"})
)

LEVELS = (0, 1, 2, 3, 4)
LEVEL_NAMES = ("Ad hoc", "Emerging", "Repeatable", "Managed", "Optimized")
LEVEL_MEANINGS = (
    "nothing in place; depends on individuals",
    "first attempts, inconsistent, manual",
    "a documented practice, used by some",
    "standard practice, owned, measured",
    "automated, continuously improved, shared across teams",
)

ROLES = (
    "executive_sponsor",
    "business_owner",
    "data_science",
    "ml_engineering",
    "data_engineering",
    "platform_engineering",
    "security_privacy",
    "finance",
    "governance",
    "enablement",
)

ROLE_TITLES = {
    "executive_sponsor": "Executive sponsor",
    "business_owner": "Business owner",
    "data_science": "Data science",
    "ml_engineering": "ML engineering",
    "data_engineering": "Data engineering",
    "platform_engineering": "Platform and SRE",
    "security_privacy": "Security and privacy",
    "finance": "Finance (FinOps)",
    "governance": "Governance",
    "enablement": "Enablement",
}

RACI_LETTERS = ("R", "A", "C", "I")
EFFORTS = ("S", "M", "L")
EFFORT_MEANINGS = {"S": "days", "M": "weeks", "L": "a quarter"}

DISAGREEMENT_THRESHOLD = 1.0
DEFAULT_TARGET = 3


def stage_name(score: float | None) -> str | None:
    """Return the level name of floor(score), or None for an undefined score."""
    if score is None:
        return None
    level = min(max(int(score), 0), 4)
    return LEVEL_NAMES[level]
