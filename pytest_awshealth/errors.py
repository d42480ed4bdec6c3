"""Exceptions raised by pytest-awshealth; all derive from :class:`AwsHealthError`."""

from __future__ import annotations


class AwsHealthError(Exception):
    """Base class of every error this package raises."""


class ConfigError(AwsHealthError):
    """A setting, option or outputs file is unusable; shown once as a usage error."""


class OutputsError(ConfigError):
    """An outputs file is missing, malformed or contradicts another one. The message is
    one printable line: control characters from the file (a stack named ``"\\r"``) are
    escaped."""

    def __init__(self, message: str) -> None:
        super().__init__("".join(c if c.isprintable() else ascii(c)[1:-1] for c in message))


class UnknownOutputError(AwsHealthError, KeyError):
    """A key or JSONPath names no output."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SensitiveOutputError(AwsHealthError):
    """An output is a masked secret (e.g. Pulumi ``[secret]``) and has no usable value."""


class AwsCallError(AwsHealthError):
    """An AWS API call made for a resource handle failed."""

    def __init__(self, resource: object, operation: str, code: str, message: str,
                 action: str = "", hint: str = "") -> None:
        self.resource = resource
        self.operation = operation
        self.code = code
        self.message = message
        self.action = action
        self.hint = hint  # a catalog key that explains this failure better than its code
        super().__init__(f"{operation} on {resource!r} failed: {code}: {message}")

    def about(self, resource: object) -> AwsCallError:
        """A fresh copy (same class and fields, no traceback) about ``resource``: how a
        kept error is raised again, for another handle of the same resource too."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(vars(self))
        if resource is not self.resource:
            old, new = repr(self.resource), repr(resource)
            clone.args = tuple(str(a).replace(old, new) for a in self.args)
            clone.resource = resource
        else:
            clone.args = self.args
        clone.__suppress_context__ = True
        return clone


class ResourceNotFound(AwsCallError):
    """The resource a handle names does not exist (in that account and region)."""

    def __init__(self, resource: object, operation: str, code: str, message: str,
                 action: str = "") -> None:
        super().__init__(resource, operation, code, message, action)
        self.args = (f"{resource!r} does not exist ({code} from {operation})",)


class CouldNotCheck(AwsCallError):
    """The state could not be read, so the check is *inconclusive*, not broken.

    ``reason`` is one of ``access_denied``, ``throttled``, ``unreachable``, ``timeout``,
    ``server_error`` or ``credentials``.
    """

    def __init__(self, resource: object, operation: str, code: str, message: str,
                 action: str = "", hint: str = "", reason: str = "server_error") -> None:
        super().__init__(resource, operation, code, message, action, hint)
        self.reason = reason


class CredentialsError(CouldNotCheck):
    """AWS rejects or lacks the credentials: no check can run, the session stops."""

    def __init__(self, resource: object, operation: str, code: str, message: str,
                 action: str = "", hint: str = "") -> None:
        super().__init__(resource, operation, code, message, action, hint, "credentials")
