"""Sake Sensei's own error codes (SS-001...SS-008 of its troubleshooting guide) as hints.

A hint added under ``error.code.<CODE>`` is shown for a failing check that saw the code,
e.g. in a log line its ``log_group.errors()`` read. Any project adds its codes this way.
"""

from __future__ import annotations

from pytest_awshealth import Hint

LOGS = "aws logs tail {name} --since 1h --region {region}"

APPLICATION_ERRORS = {
    "SS-001": Hint("{code} in {name}: the user's preferences are missing",
                   ("the user has not completed the preference survey",),
                   fix=("complete the preference survey",)),
    "SS-002": Hint("{code} in {name}: the sake id names no sake in the database",
                   ("the sake catalog was not loaded, or the client sent a stale id",),
                   fix=("check the sake id",)),
    "SS-003": Hint("{code} in {name}: the agent invocation failed (AgentCore error)",
                   diagnose=(LOGS,), fix=("read the agent's logs",)),
    "SS-004": Hint("{code} in {name}: generating recommendations failed",
                   ("the model call failed (Bedrock access, model id, throttling)",),
                   (LOGS,), ("read the Lambda function's logs",)),
    "SS-005": Hint("{code} in {name}: image recognition failed",
                   diagnose=(LOGS,), fix=("retry with another image",)),
    "SS-006": Hint("{code} in {name}: creating the tasting record failed (database error)",
                   diagnose=(LOGS,), fix=("read the DynamoDB-facing function's logs",)),
    "SS-007": Hint("{code} in {name}: the authentication token failed JWT validation",
                   ("the token expired, or was issued by another user pool",),
                   fix=("sign in again",)),
    "SS-008": Hint("{code} in {name}: the gateway tool is not registered",
                   fix=("register the Lambda targets on the gateway again "
                        "(add_gateway_targets.py)",)),
}


def pytest_awshealth_hints(catalog, config):
    for code, hint in APPLICATION_ERRORS.items():
        catalog[f"error.code.{code}"] = hint
