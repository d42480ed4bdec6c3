"""One boto3 session per process, one cached client per (service, region), one read cache.

boto3 is imported on first use, so ``pytest --help`` and collection never pay for it.
Every client gets the run's retry handler, shared rate limiter and fail-fast breaker
(:mod:`.retries`); every call is made and its errors mapped by :mod:`.awscalls`.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any, Optional

from .errors import ConfigError
from .readcache import ReadCache
from .redaction import Redactor

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient

    from .config import Settings
    from .errors import CredentialsError
    from .retries import Resilience


class AwsContext:
    """Credentials, region and client cache shared by every resource handle."""

    def __init__(
        self,
        region: Optional[str] = None,
        profile: Optional[str] = None,
        role_arn: Optional[str] = None,
        external_id: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        retry_mode: str = "adaptive",
        max_attempts: int = 3,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        throttle_attempts: int = 12,
        concurrency: int = 16,
    ) -> None:
        self.profile = profile
        self.role_arn = role_arn
        self.external_id = external_id
        self.endpoint_url = endpoint_url
        self.retry_mode = retry_mode
        self.max_attempts = max_attempts
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.throttle_attempts = throttle_attempts
        #: Reads in flight at once (the prefetch's); each client's connection pool holds
        #: as many, so no connection is dropped and set up again (a TLS handshake).
        self.concurrency = concurrency
        self.redactor = Redactor()
        #: Every handle's reads, made once per context (see :mod:`.readcache`).
        self.reads = ReadCache()
        self._credentials_check: Optional[tuple[Optional[CredentialsError]]] = None
        self._region = region
        self._clients: dict[tuple[str, str], BaseClient] = {}
        self._lock = threading.RLock()

    @classmethod
    def from_settings(cls, settings: Settings) -> AwsContext:
        """Build a context from resolved plugin settings."""
        names = ("region", "profile", "role_arn", "external_id", "endpoint_url", "retry_mode",
                 "max_attempts", "connect_timeout", "read_timeout", "throttle_attempts",
                 "concurrency")
        return cls(**{name: settings[name] for name in names if name in settings.values})

    def __repr__(self) -> str:
        return f"AwsContext(region={self._region!r}, profile={self.profile!r})"

    @cached_property
    def session(self) -> boto3.Session:
        """The boto3 session, with the role assumed when one is configured."""
        import boto3

        with self._lock:
            base = boto3.Session(profile_name=self.profile, region_name=self._region)
            return self._assume_role(base) if self.role_arn else base

    @cached_property
    def resilience(self) -> Resilience:
        """Retry handler parts, the shared rate limiter, the breaker and call counts."""
        from .retries import Resilience

        return Resilience(self.retry_mode, self.max_attempts, self.throttle_attempts)

    def _assume_role(self, base: boto3.Session) -> boto3.Session:
        import boto3

        from .awscalls import Subject, call_aws
        from .errors import CouldNotCheck, CredentialsError

        params: dict[str, Any] = {"RoleArn": self.role_arn, "RoleSessionName": "pytest-awshealth"}
        if self.external_id:
            params["ExternalId"] = self.external_id
        sts = self.resilience.install(base.client(
            "sts", endpoint_url=self.endpoint_url, config=self._botocore_config()))
        role = Subject("role", str(self.role_arn), base.region_name or "")
        try:
            creds = call_aws(self, sts, "assume_role", params, role)["Credentials"]
        except CouldNotCheck as exc:
            if exc.reason != "access_denied" or isinstance(exc, CredentialsError):
                raise
            raise CredentialsError(role, exc.operation, exc.code, exc.message,
                                   exc.action) from None  # no role, no check can run
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=base.region_name,
        )

    @property
    def configured_region(self) -> Optional[str]:
        """The region if known without asking boto3 (for reprs), else None."""
        return self._region or (self.session.region_name if "session" in self.__dict__ else None)

    @property
    def region(self) -> str:
        """The configured region; a :class:`ConfigError` when none is set anywhere."""
        region = self._region or self.session.region_name
        if not region:
            raise ConfigError("no AWS region: pass --aws-region, set AWS_REGION, or set a "
                              "region in your AWS profile")
        return region

    def _botocore_config(self) -> Any:
        from botocore.config import Config

        return Config(
            retries=self.resilience.botocore_retries,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=max(10, self.concurrency),  # botocore's default is 10
            user_agent_extra="pytest-awshealth",
        )

    def client(self, service: str, region: Optional[str] = None) -> BaseClient:
        """A cached boto3 client for ``service`` in ``region`` (default: the context's)."""
        key = (service, region or self.region)
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self.resilience.install(self.session.client(
                        service, region_name=key[1], endpoint_url=self.endpoint_url,
                        config=self._botocore_config()))
                    self.redactor.watch(client, self.session.get_credentials())
                    self._clients[key] = client  # watched before any other thread sees it
        return client

    @cached_property
    def identity(self) -> dict[str, str]:
        """The STS caller identity: ``Account``, ``Arn`` and ``UserId``."""
        from .awscalls import Subject, call_aws

        caller = Subject("caller identity", "", self._region or "")
        response = call_aws(self, self.client("sts"), "get_caller_identity", {}, caller)
        return {k: response[k] for k in ("Account", "Arn", "UserId")}

    def credentials_rejected(self) -> Optional[CredentialsError]:
        """The error STS answers GetCallerIdentity with when it rejects the credentials,
        else None; asked once per run (for S3 HEAD's bare 400/403)."""
        from .errors import CouldNotCheck, CredentialsError

        with self._lock:
            if self._credentials_check is None:
                try:
                    self.identity  # noqa: B018
                    found: Optional[CredentialsError] = None
                except CredentialsError as exc:
                    found = exc
                except CouldNotCheck:
                    found = None
                self._credentials_check = (found,)
            return self._credentials_check[0]

    @property
    def account(self) -> str:
        """The account ID of the caller (one STS call, cached)."""
        return self.identity["Account"]
