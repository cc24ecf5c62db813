"""Scores and grades, simple enough that a user can predict them.

    object score    = max(0, 100 - 30 x errors - 10 x warnings - 2 x infos)   (ignored findings excluded)
    namespace score = mean of the scores of its objects
    cluster score   = mean of the scores of all objects (100 when there are none)
    grade           = A >= 90, B >= 80, C >= 70, D >= 60, else F

Scored objects: workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob; a CronJob's Jobs count
as the CronJob), pods without a controller, HPAs and ResourceQuotas; an object with no finding
scores 100. Averages are rounded to one decimal before grading, so the grade matches the number shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from kdash.model.findings import Finding, Severity

PENALTY = {Severity.ERROR: 30, Severity.WARNING: 10, Severity.INFO: 2}
GRADES = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))


def grade_for(score: float) -> str:
    """A >= 90, B >= 80, C >= 70, D >= 60, else F."""
    for floor, grade in GRADES:
        if score >= floor:
            return grade
    return "F"


def object_score(findings: Iterable[Finding]) -> float:
    """100 minus the penalties of the object's findings that are not ignored, floored at 0."""
    return float(max(0, 100 - sum(PENALTY[f.severity] for f in findings if not f.ignored)))


def mean_score(scores: Iterable[float]) -> float:
    """Mean rounded to one decimal; 100 for no objects (nothing is wrong with nothing)."""
    values = list(scores)
    return round(sum(values) / len(values), 1) if values else 100.0
