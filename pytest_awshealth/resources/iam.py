"""IAM roles and what their policies allow (via ``SimulatePrincipalPolicy``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional
from urllib.parse import unquote

from ..probes import empty, probe, truthy
from ..remediation import Hint
from .policy import allows
from .base import Resource

ALLOWED = "allowed"
SIMULATE = ("get_role", "simulate_principal_policy")  # GetRole only for the ARN, when not given (so not prefetched)
R = "--role-name {name}"
POLICIES = Hint(
    "IAM role {name} has unexpected policies",
    ("a policy was attached or removed outside the deploy",),
    (f"aws iam list-attached-role-policies {R}", f"aws iam list-role-policies {R}"),
    ("re-run the deploy so the role's policies match the definition",))


@dataclass(frozen=True)
class PermissionCheck:
    """The simulated decision for one action on one resource; true when allowed."""

    action: str
    resource: str
    decision: str
    matched: tuple[str, ...] = ()
    missing_context: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def __bool__(self) -> bool:
        return self.allowed

    def __repr__(self) -> str:
        return f"PermissionCheck({self.action} on {self.resource}: {self.decision})"

    def hint_context(self) -> dict[str, Any]:
        return {"action": self.action, "resource": self.resource, "decision": self.decision,
                "matched": ", ".join(self.matched) or "no statement", "verdict": self.verdict}

    @property
    def verdict(self) -> str:
        """The decision in words."""
        if self.decision == "explicitDeny":
            return (f"a Deny statement in {', '.join(self.matched) or 'a policy'} matches "
                    f"{self.action} on {self.resource} (e.g. a guard-rail policy)")
        if self.allowed:
            return f"{self.action} on {self.resource} is allowed"
        return f"no statement of the role's policies allows {self.action} on {self.resource}"


@dataclass(frozen=True)
class TrustCheck:
    """Whether the role's trust policy lets ``principal`` assume it; true when it does."""

    principal: str
    trusted: bool

    def __bool__(self) -> bool:
        return self.trusted


class DeniedActions(list):  # type: ignore[type-arg]
    """The actions (of those asked about) the role may not perform on ``resource``."""

    def __init__(self, denied: Iterable[str], resource: str,
                 checks: Iterable[PermissionCheck] = ()) -> None:
        super().__init__(denied)
        self.resource = resource
        self.checks = tuple(checks)

    def hint_context(self) -> dict[str, Any]:
        actions = " ".join(self) or "<action>"
        return {"actions": actions, "action": actions, "resource": self.resource,
                "decisions": ", ".join(f"{c.action}={c.decision}" for c in self.checks
                                       if not c.allowed) or "none"}


class IamRole(Resource):
    """An IAM role: ``assert iam_role.can("s3:GetObject", "arn:aws:s3:::bucket/*")``."""

    fixture = "iam_role"
    service = "iam"
    kind = "IAM role"
    hint_prefix = "iam.role"
    describe_operations = ("get_role",)
    hints = {"missing": Hint(
        "IAM role {name} does not exist (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the role has another name (CDK and CloudFormation add generated suffixes)",
         "the checks run in another account than the deploy; output '{output}' is wrong"),
        (f"aws iam get-role {R}",
         "aws iam list-roles --query 'Roles[].RoleName'"),
        ("re-run the deploy so the role is created, or bind the check to the right output",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        role_name, arn = _parse_role(name)
        super().__init__(role_name, **kwargs)
        self._arn = arn

    def describe(self) -> dict[str, Any]:
        return self.call("get_role", RoleName=self.name)["Role"]

    @property
    def arn(self) -> str:
        """The role's ARN (as given, or from GetRole)."""
        return self._arn or self.describe()["Arn"]

    @property
    @probe(POLICIES, reads=("list_attached_role_policies",))
    def attached_policy_arns(self) -> list[str]:
        """ARNs of the managed policies attached to the role (list[str]; no healthy value)."""
        return [p["PolicyArn"] for p in self._pages("list_attached_role_policies",
                                                     "AttachedPolicies", RoleName=self.name)]

    @property
    @probe(POLICIES, reads=("list_role_policies",))
    def inline_policy_names(self) -> list[str]:
        """Names of the role's inline policies (list[str]; no healthy value)."""
        return list(self._pages("list_role_policies", "PolicyNames", RoleName=self.name))

    @probe(Hint(
        "IAM role {name} cannot be assumed by {principal}",
        ("the trust policy names another service or account principal",
         "the role was created for another service (e.g. ecs-tasks instead of lambda)"),
        (f"aws iam get-role {R} --query Role.AssumeRolePolicyDocument",),
        (f"aws iam update-assume-role-policy {R} --policy-document file://trust.json"
         "   # trust.json allows sts:AssumeRole to {principal}",)), truthy)
    def trusts(self, principal: str) -> TrustCheck:
        """Whether the trust policy lets ``principal`` (a service such as
        ``lambda.amazonaws.com``, or an ARN) assume the role (:class:`TrustCheck`, true
        when it does: healthy). Conditions are not evaluated."""
        document = self.describe().get("AssumeRolePolicyDocument") or {}
        if isinstance(document, str):
            document = json.loads(unquote(document))
        return TrustCheck(principal, allows(document, principal, "sts:AssumeRole"))

    @probe(Hint(
        "IAM role {name} may not perform {action} on {resource} ({decision})",
        ("{verdict}",
         "the action or resource ARN in the role's policies is misspelt or too narrow (a bucket "
         "ARN without /* does not cover its objects; check region and account in the ARN)",
         "a permissions boundary, SCP or unmet condition excludes it (see the simulator's details)"),
        ("aws iam simulate-principal-policy --policy-source-arn {arn} --action-names {action} "
         "--resource-arns '{resource}'",
         f"aws iam list-attached-role-policies {R}",
         f"aws iam list-role-policies {R}"),
        (f"aws iam put-role-policy {R} --policy-name allow-{{name}} "
         "--policy-document file://policy.json   # policy.json allows {action} on {resource}",)),
        lambda check: check.allowed, reads=SIMULATE)
    def can(self, action: str, resource: str = "*",
            context: Optional[Mapping[str, Any]] = None) -> PermissionCheck:
        """Whether the role's policies allow ``action`` on ``resource``, as IAM's policy
        simulator judges it (:class:`PermissionCheck`; healthy: allowed). ``context``
        supplies condition keys, such as ``{"aws:SourceIp": "10.0.0.1"}``."""
        return self._simulate([action], resource, context)[0]

    @probe(Hint(
        "IAM role {name} may not perform {actions} on {resource}",
        ("the simulator's decisions: {decisions} (implicitDeny: no statement allows it; "
         "explicitDeny: a Deny statement matches)",
         "a permissions boundary, SCP or unmet condition blocks them",
         "the policy names another resource ARN (check region, account and the /* suffix)"),
        ("aws iam simulate-principal-policy --policy-source-arn {arn} --action-names {actions} "
         "--resource-arns '{resource}'",
         f"aws iam list-attached-role-policies {R}",
         f"aws iam list-role-policies {R}"),
        (f"aws iam put-role-policy {R} --policy-name allow-{{name}} "
         "--policy-document file://policy.json   # policy.json allows {actions} on {resource}",)),
        empty, reads=SIMULATE)
    def denied_actions(self, actions: Iterable[str], resource: str = "*",
                       context: Optional[Mapping[str, Any]] = None) -> DeniedActions:
        """Those of ``actions`` the role may not perform on ``resource``
        (:class:`DeniedActions`, a list of action names; healthy: empty)."""
        checks = self._simulate(list(actions), resource, context)
        return DeniedActions([c.action for c in checks if not c.allowed], resource, checks)

    def _simulate(self, actions: list[str], resource: str,
                  context: Optional[Mapping[str, Any]]) -> list[PermissionCheck]:
        params: dict[str, Any] = {"PolicySourceArn": self.arn, "ActionNames": actions,
                                  "ResourceArns": [resource]}
        if context:
            params["ContextEntries"] = context_entries(context)
        results = self._pages("simulate_principal_policy", "EvaluationResults", **params)
        by_action = {r["EvalActionName"]: _check(r, resource) for r in results}
        return [by_action[a] if a in by_action else PermissionCheck(a, resource, "implicitDeny")
                for a in actions]

    def _pages(self, method: str, key: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        marker: Optional[str] = None
        while True:
            page = self.call(method, **params, **({"Marker": marker} if marker else {}))
            items += page.get(key, [])
            marker = page.get("Marker") if page.get("IsTruncated") else None
            if not marker:
                return items

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "arn": lambda: self.arn}


def _parse_role(name: str) -> tuple[str, Optional[str]]:
    """(role name, ARN or None) from a role name, role ARN or assumed-role ARN."""
    if name.startswith("arn:") and ":role/" in name:
        return name.rsplit("/", 1)[-1], name
    if name.startswith("arn:") and ":assumed-role/" in name:
        return name.split(":assumed-role/", 1)[1].split("/", 1)[0], None
    return name, None


def context_entries(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``ContextEntries`` for the simulator from a plain mapping of condition keys."""
    entries = []
    for key, value in context.items():
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        sample = values[0] if values else ""
        kind = ("boolean" if isinstance(sample, bool) else
                "numeric" if isinstance(sample, (int, float)) else "string")
        if isinstance(value, (list, tuple, set)):
            kind += "List"
        text = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
        entries.append({"ContextKeyName": key, "ContextKeyValues": text, "ContextKeyType": kind})
    return entries


def _check(result: Mapping[str, Any], resource: str) -> PermissionCheck:
    matched = tuple(f"{s.get('SourcePolicyId', '?')} ({s.get('SourcePolicyType', '?')})"
                    for s in result.get("MatchedStatements", []))
    return PermissionCheck(result["EvalActionName"], result.get("EvalResourceName", resource),
                           result["EvalDecision"], matched,
                           tuple(result.get("MissingContextValues", [])))


