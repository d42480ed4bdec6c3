"""Route 53: hosted zones and their records, and health checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..errors import ResourceNotFound
from ..probes import probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

Z = "--hosted-zone-id {zone_id}"
NOT_FOUND = NOT_FOUND_CODES | {"NoSuchHostedZone", "NoSuchHealthCheck"}


def _dns(name: str) -> str:
    """A DNS name as Route 53 compares it: lower case, no trailing dot, ``\\052`` as ``*``."""
    return name.replace("\\052", "*").rstrip(".").lower()


def _target(name: str) -> str:
    """An alias target without the ``dualstack.`` prefix Route 53 adds to ELB targets."""
    name = _dns(name)
    return name[len("dualstack."):] if name.startswith("dualstack.") else name


@dataclass(frozen=True)
class RecordCheck:
    """What the zone holds for ``record`` (type ``type``): its values or alias target."""

    record: str
    type: str
    values: tuple[str, ...]
    expected: Optional[str] = None

    def __bool__(self) -> bool:
        if not self.values:
            return False
        return self.expected is None or _target(self.expected) in {_target(v) for v in self.values}

    def hint_context(self) -> dict[str, Any]:
        return {"record": self.record, "type": self.type, "expected": self.expected or "<target>",
                "found": ", ".join(self.values) or "no such record"}


class HostedZone(Resource):
    """A public or private hosted zone by ID (``Z123...``) or domain name:
    ``assert hosted_zone.resolves_to("api.example.com", alb_dns_name)``."""

    fixture = "hosted_zone"
    arn_types = ("route53:hostedzone",)
    output_words = ("hosted zone", "zone")
    service = "route53"
    kind = "Route 53 hosted zone"
    hint_prefix = "route53.zone"
    not_found_codes = NOT_FOUND
    describe_operations = ("get_hosted_zone", "list_hosted_zones_by_name")
    hints = {"missing": Hint(
        "Route 53 hosted zone {name} does not exist (account {account})",
        ("the deploy did not create it, or it lives in another account (DNS is often "
         "delegated to a shared account)",
         "output '{output}' holds the domain but the zone was made for another name"),
        ("aws route53 list-hosted-zones-by-name --dns-name {name}",),
        ("re-run the deploy, or point the check at the account that owns the zone",))}

    def describe(self) -> dict[str, Any]:
        __tracebackhide__ = True
        zone_id = self.name.split("/")[-1]
        if "." not in self.name:
            return self.call("get_hosted_zone", Id=zone_id)
        wanted = _dns(self.name)
        answer = self.call("list_hosted_zones_by_name", DNSName=wanted)
        for zone in answer.get("HostedZones", []):
            if _dns(zone["Name"]) == wanted:
                return self.call("get_hosted_zone", Id=zone["Id"].split("/")[-1])
        raise ResourceNotFound(self, "ListHostedZonesByName", "NoSuchHostedZone",
                               f"no hosted zone named {self.name}", "route53:ListHostedZonesByName")

    @property
    def zone_id(self) -> str:
        """The zone's ID (``Z123...``)."""
        return str(self.describe()["HostedZone"]["Id"]).split("/")[-1]

    @property
    def private(self) -> bool:
        """True for a private hosted zone (answers only inside its VPCs)."""
        return bool(self.describe()["HostedZone"].get("Config", {}).get("PrivateZone"))

    @property
    def name_servers(self) -> list[str]:
        """The zone's delegation set: what the parent domain's NS records must list."""
        return list(self.describe().get("DelegationSet", {}).get("NameServers", []))

    @probe(Hint(
        "Route 53 zone {name} has no {type} record {record} pointing at {expected} "
        "(found: {found})",
        ("the record was not created, or created in another zone (a private zone with the "
         "same name, or an old zone the domain no longer delegates to)",
         "the record points at an old load balancer or distribution that the deploy replaced",
         "an alias record is of another type (A vs AAAA vs CNAME) than the check asks for"),
        ("aws route53 list-resource-record-sets " + Z + " --query "
         "\"ResourceRecordSets[?Name=='{record}.']\"",
         "dig +short {record} {type}"),
        ("aws route53 change-resource-record-sets " + Z + " --change-batch file://upsert.json"
         "   # UPSERT {record} {type} -> {expected}; better: fix the record in the deploy",)),
     truthy, reads=("describe", "list_resource_record_sets"))
    def resolves_to(self, record: str, target: Optional[str] = None,
                    type: str = "A") -> RecordCheck:  # noqa: A002 - Route 53's own word
        """The ``type`` record called ``record`` and whether it points at ``target``: an
        alias target's DNS name, a CNAME's value or one of an A record's addresses (any
        target when None). Falls back to a CNAME when no ``type`` record exists."""
        found = self._record(record, type) or (self._record(record, "CNAME") if type != "CNAME" else ())
        return RecordCheck(_dns(record), type, found, target)

    @probe(Hint(
        "Route 53 zone {name} has no {type} record {record}",
        ("the record was never created or was deleted",
         "it exists in another zone for the same domain"),
        ("aws route53 list-resource-record-sets " + Z + " --query "
         "\"ResourceRecordSets[?Name=='{record}.']\"",),
        ("add the record to the deploy's DNS configuration and re-run it",)),
     truthy, reads=("describe", "list_resource_record_sets"))
    def has_record(self, record: str, type: str = "A") -> RecordCheck:  # noqa: A002
        """The ``type`` record called ``record``; true when it exists."""
        return RecordCheck(_dns(record), type, self._record(record, type))

    def _record(self, record: str, type_: str) -> tuple[str, ...]:
        wanted = _dns(record)
        answer = self.call("list_resource_record_sets", HostedZoneId=self.zone_id,
                           StartRecordName=wanted, StartRecordType=type_, MaxItems="10")
        for found in answer.get("ResourceRecordSets", []):
            if _dns(found["Name"]) == wanted and found["Type"] == type_:
                alias = found.get("AliasTarget")
                if alias:
                    return (_dns(alias["DNSName"]),)
                return tuple(r["Value"] for r in found.get("ResourceRecords", []))
        return ()

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "zone_id": lambda: self.zone_id}


@dataclass(frozen=True)
class CheckerReports:
    """What Route 53's health checkers last saw: one status line per checker region."""

    reports: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.reports) and all(r.startswith("Success") for r in self.reports)

    @property
    def failing(self) -> list[str]:
        return [r for r in self.reports if not r.startswith("Success")]

    def hint_context(self) -> dict[str, Any]:
        return {"report": (self.failing or ["no checker has reported yet"])[0]}


class HealthCheck(Resource):
    """A Route 53 health check by ID: ``assert route53_health_check.healthy``."""

    fixture = "route53_health_check"
    arn_types = ("route53:healthcheck",)
    output_words = ("health check",)
    service = "route53"
    kind = "Route 53 health check"
    hint_prefix = "route53.health_check"
    not_found_codes = NOT_FOUND
    describe_operations = ("get_health_check",)
    hints = {"missing": Hint(
        "Route 53 health check {name} does not exist (account {account})",
        ("the deploy did not create it, or replaced it (health check IDs change)",),
        ("aws route53 list-health-checks",),
        ("re-run the deploy and refresh the outputs file",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_health_check", HealthCheckId=self.name)["HealthCheck"]

    @property
    @probe(Hint(
        "Route 53 health check {name} reports the endpoint unhealthy: {report}",
        ("the endpoint is down or answers with an error status",
         "a security group or network ACL blocks Route 53's health checker IP ranges",
         "the check asks for the wrong path, port or search string"),
        ("aws route53 get-health-check-status --health-check-id {name}",
         "aws route53 get-health-check --health-check-id {name} "
         "--query 'HealthCheck.HealthCheckConfig'"),
        ("fix the endpoint, or the check's path/port in the deploy; allow the ranges "
         "from 'curl -s https://ip-ranges.amazonaws.com/ip-ranges.json' (service "
         "ROUTE53_HEALTHCHECKS)",)), truthy, reads=("get_health_check_status",))
    def status(self) -> CheckerReports:
        """The checkers' last reports; true when every checker saw success."""
        answer = self.call("get_health_check_status", HealthCheckId=self.name)
        return CheckerReports(tuple(o.get("StatusReport", {}).get("Status", "")
                                    for o in answer.get("HealthCheckObservations", [])))

    @property
    def healthy(self) -> bool:
        """True when the check exists and every health checker reports success."""
        __tracebackhide__ = True
        return self.exists and bool(self.status)
