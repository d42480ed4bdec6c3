"""SSM Parameter Store parameters. Metadata only; a value is read on an explicit call
and is masked in every report."""

from __future__ import annotations

from typing import Any, Optional

from ..deprecations import renamed_method
from ..errors import AwsCallError, ResourceNotFound
from ..probes import field, probe, truthy
from ..redaction import SecretValue
from ..remediation import Hint
from ..remediation.codes import ACCESS_DENIED
from .base import Resource, arn_region

MAX_PAGES = 20  # DescribeParameters may answer filtered queries with empty pages
N = "--name {name} --region {region}"
TYPE = Hint(
    "SSM parameter {name} in {region} is a {type}, not a SecureString",
    ("a secret (API key, token) was stored as plain String: it shows in the console and logs",),
    ("aws ssm describe-parameters --parameter-filters Key=Name,Option=Equals,Values={name} "
     "--region {region} --query 'Parameters[0].[Type,KeyId]'",),
    ("aws ssm put-parameter " + N + " --type SecureString --overwrite --value '<value>'"
     "   # type changes need the value again",))
MODIFIED = Hint(
    "SSM parameter {name} in {region} has an unexpected version or age",
    ("the value was not updated after the API key was rotated or expired",
     "someone overwrote it by hand"),
    ("aws ssm get-parameter-history " + N
     + " --query 'Parameters[].[Version,LastModifiedDate,LastModifiedUser]'",),
    ("aws ssm put-parameter " + N + " --type SecureString --overwrite --value '<new value>'",))


def _name_from_arn(name: str) -> tuple[str, Optional[str]]:
    """(parameter name, region) from a name or ``arn:aws:ssm:R:A:parameter/x/y``."""
    if not name.startswith("arn:") or ":parameter/" not in name:
        return name, None
    path = name.split(":parameter/", 1)[1]
    return ("/" + path if "/" in path else path), arn_region(name)


class SsmParameter(Resource):
    """An SSM parameter: ``assert ssm_parameter.is_secure`` (the value is never read)."""

    fixture = "ssm_parameter"
    service = "ssm"
    kind = "SSM parameter"
    hint_prefix = "ssm.parameter"
    #: DescribeParameters; GetParameter (not decrypted, the value dropped) without it.
    describe_operations = ("describe_parameters", "get_parameter")
    hints = {"missing": Hint(
        "SSM parameter {name} does not exist in {region} (account {account})",
        ("the parameter is created by hand (API keys often are) and nobody created it here",
         "the name differs per environment (stage prefix) or lacks its leading '/'",
         "the checks run in another region than the application"),
        ("aws ssm get-parameters-by-path --path \"$(dirname {name})\" --region {region} "
         "--query 'Parameters[].Name'",
         "aws ssm describe-parameters --parameter-filters Key=Name,Option=Equals,Values={name} --region {region}"),
        ("aws ssm put-parameter " + N + " --type SecureString --value '<value>'",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        name, region = _name_from_arn(name)
        kwargs["region"] = kwargs.get("region") or region
        super().__init__(name, **kwargs)

    def describe(self) -> dict[str, Any]:
        """The parameter's metadata from DescribeParameters (no value, nothing decrypted)."""
        key = ("describe", self.name)
        if key not in self._cache:
            self._cache[key] = self._metadata()
        found = self._cache[key]
        if isinstance(found, AwsCallError):
            raise found
        return found

    def _metadata(self) -> Any:
        try:
            return self._described()
        except ResourceNotFound as exc:
            return exc
        except AwsCallError as exc:
            if exc.code not in ACCESS_DENIED:
                return exc
        # no ssm:DescribeParameters: GetParameter (undecrypted), dropping the value at once
        answer = self._call_uncached("get_parameter", {"Name": self.name, "WithDecryption": False})
        if isinstance(answer, AwsCallError):
            return answer
        return {k: v for k, v in answer["Parameter"].items() if k != "Value"}

    def _described(self) -> dict[str, Any]:
        filters = [{"Key": "Name", "Option": "Equals", "Values": [self.name]}]
        token: Optional[str] = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"ParameterFilters": filters, "MaxResults": 50}
            if token:
                params["NextToken"] = token
            answer = self.call("describe_parameters", **params)
            for parameter in answer.get("Parameters", []):
                if parameter.get("Name") == self.name:
                    return parameter
            token = answer.get("NextToken")
            if not token:
                break
        raise ResourceNotFound(self, "DescribeParameters", "ParameterNotFound",
                               f"Parameter {self.name} not found.", "ssm:DescribeParameters")

    type = field("Type", default="", then=str, hint=TYPE, doc="The parameter type (str: "
                 "String, StringList or SecureString); no healthy value (see ``is_secure``).")
    is_secure = field("Type", truthy, then=lambda kind: kind == "SecureString", hint=TYPE,
                      doc="True (healthy) for a SecureString (encrypted with KMS).")
    kms_key_id = field("KeyId", hint=TYPE, doc="The KMS key of a SecureString (str, "
                       "``alias/aws/ssm`` by default), else None; no healthy value.")
    last_modified = field("LastModifiedDate", hint=MODIFIED, doc="When the value last "
                          "changed (datetime); no healthy value.")
    version = field("Version", default=0, then=int, hint=MODIFIED,
                    doc="The parameter's version (int, 1 after the first put); no healthy value.")

    @probe(Hint(
        "SSM parameter {name} in {region} has an empty or unreadable value",
        ("the value was never set, or set to a placeholder",
         "the caller lacks ssm:GetParameter, or kms:Decrypt on the parameter's KMS key"),
        ("aws ssm get-parameter " + N + " --query 'Parameter.[Type,Version]'   # no --with-decryption",),
        ("aws ssm put-parameter " + N + " --type SecureString --overwrite --value '<value>'",)),
        truthy, reads=("get_parameter",))
    def reveal(self) -> SecretValue:
        """Read and decrypt the value, only on an explicit call: a :class:`SecretValue`,
        masked in every report (``.reveal()`` on it gives the plain string); healthy: not
        empty."""
        with self.aws.redactor.reading_secrets():  # botocore logs the answer before we see it
            answer = self.call("get_parameter", Name=self.name, WithDecryption=True)
        text = str(answer["Parameter"].get("Value", ""))
        self.aws.redactor.add_secret(text)
        return SecretValue(text)

    value = renamed_method("reveal")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(),
                "type": lambda: self.describe().get("Type", "unknown")}

