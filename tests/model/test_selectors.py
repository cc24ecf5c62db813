"""The one label-selector parser used by the simulated server, the log service and the table filter."""

from __future__ import annotations

import pytest

from kdash.model.selectors import parse_label_selector, split_requirements


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("app=web", {"app": "web"}, True),
        ("app==web,tier!=db", {"app": "web", "tier": "fe"}, True),
        ("app=web,tier!=db", {"app": "web", "tier": "db"}, False),
        ("tier!=db", {}, True),  # != also matches a missing label, as the API server does
        ("env in (prod, staging),!canary", {"env": "prod"}, True),
        ("env in (prod, staging),!canary", {"env": "prod", "canary": "1"}, False),
        ("env notin (prod)", {"env": "prod"}, False),
        ("env notin (prod)", {}, True),
        ("team", {"team": "x"}, True),
        ("team", {}, False),
        ("!team", {"team": "x"}, False),
        ("", {"any": "thing"}, True),
    ],
)
def test_selector_semantics(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_label_selector(selector).matches(labels) is expected


def test_commas_inside_parentheses_do_not_split() -> None:
    assert split_requirements("a in (x,y),b=c") == ["a in (x,y)", "b=c"]


@pytest.mark.parametrize("bad", ["app=(web", "!env in (a)", "a b", "=x"])
def test_invalid_selector_uses_the_api_servers_words(bad: str) -> None:
    with pytest.raises(ValueError, match="unable to parse requirement"):
        parse_label_selector(bad)
