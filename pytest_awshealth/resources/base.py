"""The base of every resource handle: lazy AWS calls, shared per session, and error mapping."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Optional

from ..clients import AwsContext
from ..errors import AwsCallError, ResourceNotFound
from ..probes import probe, truthy
from ..readcache import Key, read_key
from .registry import catalog, probes, register

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from ..remediation import Hint

NOT_FOUND_CODES = frozenset({
    "ResourceNotFoundException", "ResourceNotFound", "NoSuchBucket", "NoSuchEntity",
    "NotFoundException", "NotFound", "404", "EntityNotFoundException",
    "ParameterNotFound", "StateMachineDoesNotExist", "ClusterNotFoundException",
    "ServiceNotFoundException", "UserNotFoundException", "TargetGroupNotFound",
    "LoadBalancerNotFound", "NoSuchKey", "AWS.SimpleQueueService.NonExistentQueue",
})


def arn_region(name: str) -> Optional[str]:
    """The region of an ARN (``arn:aws:dynamodb:eu-west-1:...``); None for a global one
    (IAM, S3) or a plain name."""
    parts = name.split(":", 5)
    return (parts[3] or None) if len(parts) == 6 and parts[0] == "arn" else None


#: The service in an ARN where it differs from the boto3 client's name.
ARN_SERVICE_OF_CLIENT = {"elbv2": "elasticloadbalancing", "stepfunctions": "states",
                         "opensearch": "es", "apigatewayv2": "apigateway", "sesv2": "ses"}


class Resource:
    """A named AWS resource. Asks AWS only when a probe is read, and each read once per
    session (shared with every other handle of the same :class:`AwsContext`).

    A subclass that sets ``fixture`` registers itself: the plugin then offers that
    fixture and exports the class. Every subclass adds its probes' hints to the catalog."""

    #: The fixture name that yields this handle (``dynamo_table``); unset: not registered.
    fixture: ClassVar[str]
    #: Hints not tied to one probe, by key relative to ``hint_prefix`` (``missing``:
    #: the resource does not exist; probes may name a key here as their hint).
    hints: ClassVar[Mapping[str, Hint]] = {}
    #: The operations ``describe()`` makes: what a one-line :func:`~..probes.field` reads.
    describe_operations: ClassVar[tuple[str, ...]] = ()
    #: The probes (properties with a healthy check) that make up :attr:`healthy`, in the
    #: order they are read; the first that is not healthy decides, with its own hint.
    healthy_when: ClassVar[tuple[str, ...]] = ()
    service: ClassVar[str] = ""
    kind: ClassVar[str] = "resource"
    hint_prefix: ClassVar[str] = "resource"
    not_found_codes: ClassVar[frozenset[str]] = NOT_FOUND_CODES
    #: How ``awshealth init`` recognises an output naming this resource: ID prefixes
    #: (``vpc-``), ARN types (``"ec2:vpc"``: service and resource type) and the last words
    #: of output keys (``"hosted zone"``). Its generated check asserts ``healthy``.
    id_prefixes: ClassVar[tuple[str, ...]] = ()
    arn_types: ClassVar[tuple[str, ...]] = ()
    output_words: ClassVar[tuple[str, ...]] = ()
    #: The name a fixture uses when no ``aws_output`` binds it (e.g. ``CDKToolkit``).
    default_name: ClassVar[Optional[str]] = None
    #: How the ARN follows from the name (fields ``partition``, ``region``, ``account``,
    #: ``name``); empty when only AWS knows it (a random suffix, an ID...).
    arn_format: ClassVar[str] = ""
    #: True for a handle named by its name that also takes its ARN: the name is read from
    #: the ARN where ``arn_format`` puts it, and the ARN's region is the handle's.
    named_from_arn: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        catalog(cls)
        if "fixture" in cls.__dict__:
            register(cls)

    def __init__(self, name: str, *, aws: Optional[AwsContext] = None,
                 region: Optional[str] = None, output: Optional[str] = None) -> None:
        if name.startswith("arn:"):  # the resource is where its ARN says
            region = region or arn_region(name)
            if self.named_from_arn:
                name = self.name_in(name)
        self.name = name
        self.aws = aws if aws is not None else AwsContext(region=region)
        self.output = output
        #: Where the name came from when no output holds it, for hints (``output`` wins).
        self.origin: Optional[str] = None
        #: The key as the outputs file spells it, where ``output`` leaves out a CDK suffix.
        self.output_key: Optional[str] = None
        self._region = region
        #: Values a subclass derives and keeps per handle (reads go to ``aws.reads``).
        self._cache: dict[Any, Any] = {}
        #: The session cache's keys this handle has read, for :meth:`refresh`.
        self._keys: set[Key] = set()
        self._lock = threading.Lock()

    @classmethod
    def arn_services(cls) -> frozenset[str]:
        """The services an ARN naming this kind of resource is of (empty: not known)."""
        if not cls.service:
            return frozenset()
        found = {cls.service, ARN_SERVICE_OF_CLIENT.get(cls.service, cls.service)}
        found.update(t.split(":")[0] for t in cls.arn_types)
        if cls.arn_format:
            found.add(cls.arn_format.split(":")[2])
        return frozenset(found)

    @classmethod
    def name_in(cls, arn: str) -> str:
        """The name in ``arn`` (where ``arn_format`` puts ``{name}``), or ``arn`` itself when
        it is not an ARN of this kind."""
        parts, template = arn.split(":", 5), cls.arn_format.split(":", 5)
        prefix = template[-1].split("{name}")[0] if len(template) == 6 else None
        if prefix is None or len(parts) < 6 or not parts[5].startswith(prefix):
            return arn
        return parts[5][len(prefix):]

    def __repr__(self) -> str:
        region = self._region or self.aws.configured_region
        return f"{type(self).__name__}({self.name!r}, region={region!r})"

    @property
    def region(self) -> str:
        return self._region or self.aws.region

    @property
    def client(self) -> BaseClient:
        return self.aws.client(self.service, self.region)

    def hint_context(self) -> dict[str, Any]:
        """Values for hint templates; ``account`` is only fetched if a template uses it."""
        return {"name": self.name, "region": lambda: self.region, "kind": self.kind,
                "account": lambda: self.aws.account, "source": self.name_source,
                "output": self.output_key or self.output or self.name_source}

    @property
    def name_source(self) -> str:
        """Where the name came from, as hints say it: ``output 'table_name'``, or for a
        handle made by name ``the name passed to aws.dynamo_table()``."""
        if self.output and self.output_key not in (None, self.output):
            return f"output '{self.output}' ({self.output_key} in the outputs file)"
        if self.output:
            return f"output '{self.output}'"
        if self.origin:
            return self.origin
        if self.name == self.default_name:
            return f"the default name '{self.name}'"
        return f"the name given to {type(self).__name__}()"

    def known_arn(self, ask: bool = False) -> Optional[str]:
        """The ARN when it follows from the name; None when it needs an AWS call (or,
        with ``ask``, one STS GetCallerIdentity for the account, which any caller may make).
        Without ``ask`` the answer never depends on what was called before (an S3 bucket's
        ARN, which holds no account, is always known), so reports agree in every run mode."""
        if self.name.startswith("arn:"):
            return self.name
        if not self.arn_format:
            return None
        try:
            region = self.region
            needs_account = "{account}" in self.arn_format
            account = (self.aws.account if ask else None) if needs_account else ""
        except Exception:  # no region, or STS cannot answer either
            return None
        if account is None:
            return None
        return self.arn_format.format(partition=partition_of(region), region=region,
                                      account=account, name=self.name)

    def refresh(self) -> None:
        """Forget what this handle read (for every handle of the resource: the session's
        cache drops those reads), so the next probe asks AWS again."""
        self.aws.reads.drop(self._keys)
        self._keys.clear()
        self._cache.clear()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """``client.method(**params)``, asked once per session: every handle of the
        context shares the answer (see :mod:`..readcache`). AWS errors become
        :class:`ResourceNotFound` or :class:`AwsCallError`, as this handle maps them."""
        __tracebackhide__ = True
        key = read_key(self.service, self.region, method, params)
        self._keys.add(key)
        return self._answer(method, self.aws.reads.get(key, lambda: self._fetch(method, params)))

    def kept(self, name: str, params: Mapping[str, Any], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per session for this resource's ``name`` and ``params``, like
        a read (e.g. a scan over several pages that several probes look through); an
        :class:`AwsCallError` it raises is kept and raised again. :meth:`refresh` drops it."""
        __tracebackhide__ = True
        key = read_key(self.service, self.region, name, params)
        self._keys.add(key)

        def fetch() -> Any:
            try:
                return compute()
            except AwsCallError as exc:
                return exc

        return self._answer(name, self.aws.reads.get(key, fetch))

    def call_fresh(self, method: str, **params: Any) -> dict[str, Any]:
        """Call without caching (for actions and polling); errors mapped as in :meth:`call`."""
        __tracebackhide__ = True
        return self._answer(method, self._fetch(method, params))

    def _call_uncached(self, method: str, params: dict[str, Any]) -> Any:
        """The answer, or the mapped error as a value (see :mod:`..awscalls`)."""
        try:
            return self._answer(method, self._fetch(method, params))
        except AwsCallError as exc:
            return exc

    def _fetch(self, method: str, params: dict[str, Any]) -> Any:
        """The answer; or botocore's ClientError, which each reader maps (subclasses map
        some codes their own way); or the error already mapped when AWS did not answer."""
        from botocore.exceptions import ClientError

        from ..awscalls import attempt_call

        try:
            return attempt_call(self.aws, self.client, method, params, self, self.is_not_found,
                                reraise_client_errors=True)
        except ClientError as exc:
            return exc

    def _answer(self, method: str, outcome: Any) -> Any:
        """The answer of :meth:`_fetch`'s ``outcome``; a failure raised about this handle."""
        __tracebackhide__ = True
        if isinstance(outcome, AwsCallError):
            raise outcome.about(self)
        if isinstance(outcome, Exception):
            raise self._map_error(self.client, method, outcome)
        return outcome

    def _map_error(self, client: BaseClient, method: str, exc: Any) -> AwsCallError:
        """The one mapping of an AWS error answer (subclasses refine it)."""
        from ..awscalls import map_client_error

        return map_client_error(self.aws, self, client, method, exc, self.is_not_found)

    def is_not_found(self, code: str) -> bool:
        return code in self.not_found_codes

    def describe(self) -> dict[str, Any]:
        """The resource's main description; subclasses call their Describe/Get API."""
        raise NotImplementedError

    @property
    @probe("missing", truthy)
    def exists(self) -> bool:
        """True when the resource exists in this account and region."""
        return self._exists()

    @property
    def healthy(self) -> bool:
        """The one-glance verdict: the resource exists and each of ``healthy_when``'s
        probes is healthy (``assert dynamo_table.healthy``). Not a probe of its own: a
        failure carries the hint of the probe that saw the problem."""
        __tracebackhide__ = True
        if not self.exists:
            return False
        declared = probes(type(self))
        for name in self.healthy_when:
            check = declared[name].ok
            if check is not None and not check(getattr(self, name)):
                return False
        return True

    def _exists(self) -> bool:
        try:
            self.describe()
        except ResourceNotFound:
            return False
        return True


def partition_of(region: str) -> str:
    """The AWS partition of a region: ``aws``, ``aws-cn`` or ``aws-us-gov``."""
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def attempt(func: Callable[[], Any], default: Any = None) -> Any:
    """``func()``, or ``default`` when the resource is missing."""
    try:
        return func()
    except ResourceNotFound:
        return default
