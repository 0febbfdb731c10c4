"""The security and hygiene grade of an HTTP response: a pure function of what was observed.

Twelve categories share 100 points; each check in a category may lose up to its weight. The
score is 100 minus the points lost, the grade follows `GRADE_BOUNDARIES`. The table is
documented check by check in docs/probes/health-score.md; keep the two in step. The graders
sit in `_security_checks` (eight categories) and `_hygiene_checks` (four), the records they
fill in `_scorecard`.
"""

from __future__ import annotations

from typing import Final

from watchwire.probes.http._hygiene_checks import (
    grade_caching,
    grade_compression,
    grade_leakage,
    grade_response_time,
)
from watchwire.probes.http._scorecard import Grade, Observation
from watchwire.probes.http._security_checks import (
    grade_content_type_options,
    grade_cookies,
    grade_csp,
    grade_framing,
    grade_hsts,
    grade_https,
    grade_permissions_policy,
    grade_referrer_policy,
)

GRADE_BOUNDARIES: Final = (("A+", 95), ("A", 85), ("B", 70), ("C", 55), ("D", 40), ("F", 0))

GRADERS: Final = (
    grade_hsts,
    grade_csp,
    grade_framing,
    grade_content_type_options,
    grade_referrer_policy,
    grade_permissions_policy,
    grade_https,
    grade_cookies,
    grade_leakage,
    grade_compression,
    grade_caching,
    grade_response_time,
)


def letter(score: int) -> str:
    return next(grade for grade, low in GRADE_BOUNDARIES if score >= low)


def grade(obs: Observation) -> Grade:
    """Score an observed response from 0 to 100 and give it a letter."""
    categories = [grader(obs) for grader in GRADERS]
    score = max(0, min(100, sum(category.score for category in categories)))
    return Grade(score, letter(score), categories)
