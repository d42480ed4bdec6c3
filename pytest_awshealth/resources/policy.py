"""Reading resource-based policy documents (bucket, function and trust policies).

Only Effect, Principal, Action and Resource are evaluated, plus ``aws:SourceArn``
conditions where a caller asks; other conditions are ignored, so an Allow with a condition
counts as an Allow.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Callable, Mapping, Optional

Statement = Mapping[str, Any]


def as_list(value: Any) -> list[Any]:
    """A policy field as a list: IAM allows a single value or a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements(document: Mapping[str, Any]) -> list[Statement]:
    return as_list(document.get("Statement"))


def principal_forms(principal: str) -> set[str]:
    """An account ID and its root ARN name the same principal."""
    if principal.isdigit():
        return {principal, f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:aws:iam::") and principal.endswith(":root"):
        return {principal, principal.split("::", 1)[1].split(":", 1)[0]}
    return {principal}


def statement_principals(statement: Statement) -> set[str]:
    """Every principal a statement names (services, accounts, ARNs), or ``{"*"}``."""
    principal = statement.get("Principal")
    if principal == "*":
        return {"*"}
    if isinstance(principal, Mapping):
        return {p for values in principal.values() for p in as_list(values)}
    return set(as_list(principal))


def names_principal(statement: Statement, principal: str) -> bool:
    principals = statement_principals(statement)
    return "*" in principals or bool(principals & principal_forms(principal))


def names_action(statement: Statement, action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), str(a).lower())
               for a in as_list(statement.get("Action")))


def names_resource(statement: Statement, arn: str) -> bool:
    return any(fnmatch.fnmatchcase(arn, r) or arn == r for r in as_list(statement.get("Resource")))


def source_arn_patterns(statement: Statement) -> Optional[list[str]]:
    """The SourceArn values a statement's conditions admit, or None when unrestricted."""
    patterns: Optional[list[str]] = None
    for operator, conditions in (statement.get("Condition") or {}).items():
        for key, values in conditions.items():
            if key.lower() == "aws:sourcearn" and operator.removesuffix("IfExists") in (
                    "ArnLike", "ArnEquals", "StringEquals", "StringLike"):
                patterns = (patterns or []) + as_list(values)
    return patterns


def allows(document: Mapping[str, Any], principal: str, action: str,
           resource: Optional[str] = None,
           condition: Callable[[Statement], bool] = lambda statement: True) -> bool:
    """True when a statement allows ``principal`` to do ``action`` (on ``resource``) and
    no statement denies it."""
    matching = [s for s in statements(document)
                if names_principal(s, principal) and names_action(s, action)
                and (resource is None or names_resource(s, resource)) and condition(s)]
    return (any(s.get("Effect") == "Allow" for s in matching)
            and not any(s.get("Effect") == "Deny" for s in matching))
