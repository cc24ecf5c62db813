"""The report's whole-cluster aggregates, kept up to date one object at a time.

`evaluate()` sorts every finding and every object score on each run. The incremental scorer
changes a handful of objects per run, so the sorted lists here are edited in place (bisect), and
the summary, namespace and cluster means are running totals.
What `report()` returns is equal, field by field and in order, to what `evaluate()` builds.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from kdash.health.evaluate import FindingMap, HealthReport, _finding_order, _zero_summary
from kdash.health.scoring import grade_for, object_score
from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.meta import ObjectKey

ObjectOrder = tuple[float, int, str, str, str]
_T = TypeVar("_T")
_LABELS = {s: s.label for s in Severity}


def _object_order(o: ObjectScore) -> ObjectOrder:
    """The order of `HealthReport.objects`: worst score first (unique: the key is in it)."""
    return (o.score, -(o.worst.severity if o.worst else 0), o.namespace, o.kind, o.name)


def score_of(key: ObjectKey, found: tuple[Finding, ...]) -> ObjectScore:
    """An object's score, as `evaluate()` computes it."""
    score = object_score(found)
    live = [f for f in found if not f.ignored]
    return ObjectScore(key.kind, key.namespace, key.name, score, grade_for(score), live[0] if live else None)


class Tally:
    """Sorted findings, sorted object scores and running totals over the scored objects.

    The lists are searched with their sort keys computed on the fly (no parallel key lists: at
    200,000 findings those took 24 MB). Findings that tie on `_finding_order` belong to one object
    (the key names it) and keep their order within it, as `evaluate()`'s stable sort keeps them.

    One insert or delete moves the rest of a list, so `apply()` of many objects at once (a kind
    that syncs late, a cluster rule that touches every namespace) filters and re-sorts instead:
    the kept part is one sorted run, and the stable sort merges the new run into it.
    """

    BATCH = 128  # changed objects from which `apply()` rebuilds the lists instead of editing them

    def __init__(self, batch_at: int = BATCH) -> None:
        self._batch_at = batch_at
        self._clear()

    def _clear(self) -> None:
        self.by_object: dict[ObjectKey, tuple[Finding, ...]] = {}
        self.scores: dict[ObjectKey, ObjectScore] = {}
        self._findings: list[Finding] = []
        self._objects: list[ObjectScore] = []
        self._live: dict[Severity, int] = dict.fromkeys(Severity, 0)
        self._ns: dict[str, list[int]] = {}  # namespace -> [sum of scores, objects]
        self._total = 0  # scores are whole numbers, so sums are exact and means match evaluate()'s
        self._last: HealthReport | None = None
        self._relisted = self._rescored = True  # findings / scores changed since the last report

    def load(self, by_object: Mapping[ObjectKey, tuple[Finding, ...]]) -> None:
        """Start from a complete set of objects (one sort, as `evaluate()` does)."""
        self._clear()
        findings = self._findings
        live = self._live
        for key, found in by_object.items():
            self.by_object[key] = found
            findings.extend(found)
            for f in found:
                if not f.ignored:
                    live[f.severity] += 1
            o = self.scores[key] = score_of(key, found)
            self._objects.append(o)
            self._add_score(o, 1)
        findings.sort(key=_finding_order)
        self._objects.sort(key=_object_order)

    def put(self, key: ObjectKey, found: tuple[Finding, ...]) -> None:
        """Score `key` with these findings (already in `_own_order`), replacing what it had."""
        old = self.by_object.get(key)
        if old is not None:
            if old == found:
                return
            self._unlist(old)
        self.by_object[key] = found
        self._list(found)
        self._relisted = True
        score = score_of(key, found)
        before = self.scores.get(key)
        if before is not None:
            if before == score:
                return  # same value: keep the instance the panes have cached rows for
            self._unscore(before)
        self._enscore(score)
        self.scores[key] = score
        self._rescored = True

    def apply(self, puts: Mapping[ObjectKey, tuple[Finding, ...]], drops: Iterable[ObjectKey]) -> None:
        """`put()` each of `puts` and `drop()` each of `drops`, with the lists rebuilt once when
        there are many (the result is the same either way)."""
        drops = list(drops)
        if len(puts) + len(drops) < self._batch_at:
            for key in drops:
                self.drop(key)
            for key, found in puts.items():
                self.put(key, found)
            return
        by_object, scores, live = self.by_object, self.scores, self._live
        gone_findings: set[int] = set()
        gone_scores: set[int] = set()
        new_findings: list[Finding] = []
        new_scores: list[ObjectScore] = []
        for key in drops:
            old = by_object.pop(key, None)
            if old is None:
                continue
            self._uncount(old, gone_findings)
            o = scores.pop(key)
            gone_scores.add(id(o))
            self._add_score(o, -1)
            self._relisted = self._rescored = True
        for key, found in puts.items():
            old = by_object.get(key)
            if old is not None:
                if old == found:
                    continue
                self._uncount(old, gone_findings)
            by_object[key] = found
            new_findings.extend(found)
            for f in found:
                if not f.ignored:
                    live[f.severity] += 1
            self._relisted = True
            score = score_of(key, found)
            before = scores.get(key)
            if before is not None:
                if before == score:
                    continue  # same value: keep the instance the panes have cached rows for
                gone_scores.add(id(before))
                self._add_score(before, -1)
            new_scores.append(score)
            self._add_score(score, 1)
            scores[key] = score
            self._rescored = True
        self._findings = self._merged(self._findings, gone_findings, new_findings, _finding_order)
        self._objects = self._merged(self._objects, gone_scores, new_scores, _object_order)

    def _uncount(self, found: tuple[Finding, ...], gone: set[int]) -> None:
        live = self._live
        for f in found:
            gone.add(id(f))
            if not f.ignored:
                live[f.severity] -= 1

    @staticmethod
    def _merged(items: list[_T], gone: set[int], new: list[_T], order: Callable[[_T], Any]) -> list[_T]:
        """`items` without the instances in `gone`, with `new` (in its own order within ties) merged in."""
        kept = [x for x in items if id(x) not in gone] if gone else items
        if new:
            new.sort(key=order)
            kept.extend(new)
            kept.sort(key=order)  # two sorted runs: timsort merges them
        return kept

    def drop(self, key: ObjectKey) -> None:
        """`key` is no longer scored."""
        old = self.by_object.pop(key, None)
        if old is not None:
            self._unlist(old)
            self._unscore(self.scores.pop(key))
            self._relisted = self._rescored = True

    def _list(self, found: tuple[Finding, ...]) -> None:
        findings, live = self._findings, self._live
        for f in found:  # in order, each after its equals: ties keep the object's order
            findings.insert(bisect_right(findings, _finding_order(f), key=_finding_order), f)
            if not f.ignored:
                live[f.severity] += 1

    def _unlist(self, found: tuple[Finding, ...]) -> None:
        findings, live = self._findings, self._live
        for f in found:
            at = bisect_left(findings, _finding_order(f), key=_finding_order)
            while findings[at] is not f:
                at += 1
            del findings[at]
            if not f.ignored:
                live[f.severity] -= 1

    def _enscore(self, o: ObjectScore) -> None:
        self._objects.insert(bisect_left(self._objects, _object_order(o), key=_object_order), o)
        self._add_score(o, 1)

    def _unscore(self, o: ObjectScore) -> None:
        del self._objects[bisect_left(self._objects, _object_order(o), key=_object_order)]
        self._add_score(o, -1)

    def _add_score(self, o: ObjectScore, sign: int) -> None:
        points = int(o.score)
        ns = self._ns.get(o.namespace)
        if ns is None:
            ns = self._ns[o.namespace] = [0, 0]
        ns[0] += sign * points
        ns[1] += sign
        if not ns[1]:
            del self._ns[o.namespace]
        self._total += sign * points

    def report(self, pod_findings: FindingMap, pods_changed: bool = True) -> HealthReport:
        """The report over the current objects. Its maps are copies (this tally goes on changing);
        parts that did not change since the last report are that report's own, and with nothing
        changed it is the last report itself (so readers comparing by identity skip their work)."""
        last = self._last
        if last is not None and not (self._relisted or self._rescored or pods_changed):
            return last
        if last is None or self._relisted:
            summary = _zero_summary()
            for severity, n in self._live.items():
                summary[_LABELS[severity]] = n
            findings = tuple(self._findings)
            by_object: FindingMap = MappingProxyType(dict(self.by_object))
            counts: Mapping[str, int] = MappingProxyType(summary)
        else:
            findings, by_object, counts = last.findings, last.by_object, last.summary
        if last is None or self._rescored:
            count = len(self._objects)
            score = round(self._total / count, 1) if count else 100.0
            objects = tuple(self._objects)
            scores: Mapping[ObjectKey, ObjectScore] = MappingProxyType(dict(self.scores))
            ns_scores: Mapping[str, float] = MappingProxyType(
                {ns: round(total / n, 1) for ns, (total, n) in sorted(self._ns.items())}
            )
        else:
            score, objects, scores, ns_scores = last.score, last.objects, last.scores, last.namespace_scores
        pods = MappingProxyType(dict(pod_findings)) if last is None or pods_changed else last.pod_findings
        self._last = HealthReport(
            findings=findings,
            objects=objects,
            score=score,
            grade=grade_for(score),
            summary=counts,
            namespace_scores=ns_scores,
            by_object=by_object,
            pod_findings=pods,
            scores=scores,
        )
        self._relisted = self._rescored = False
        return self._last
