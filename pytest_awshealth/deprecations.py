"""Old names that keep working for one release, with a ``DeprecationWarning``."""

from __future__ import annotations

import warnings
from typing import Any, Optional


class renamed:  # noqa: N801 - used like ``property``
    """A handle attribute that moved: ``workgroup_exists = renamed("exists")`` reads
    ``exists`` (a property, or a method to call) and warns once per place it is used."""

    def __init__(self, new: str, *, since: str = "0.2") -> None:
        self.new = new
        self.since = since
        self.old = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.old = name
        self.__doc__ = f"Deprecated since {self.since}: use ``{self.new}``."

    def __get__(self, handle: Optional[Any], owner: Optional[type] = None) -> Any:
        if handle is None:
            return self
        cls = type(handle).__name__
        warnings.warn(f"{cls}.{self.old} is deprecated, use {cls}.{self.new}",
                      DeprecationWarning, stacklevel=2)
        return getattr(handle, self.new)


def renamed_keys(key: str, known: Any) -> tuple[str, ...]:
    """The catalog keys ``key`` stands for: itself, or (with a ``DeprecationWarning``) the
    keys a 0.1 key was renamed to, when ``known`` (the catalog's keys) lacks it."""
    new = RENAMED_HINT_KEYS.get(key)
    if not new or key in known:
        return (key,)
    warnings.warn(f"hint key {key!r} is deprecated, use {' / '.join(new)} (the probes' names)",
                  DeprecationWarning, stacklevel=3)
    return new


class renamed_method(renamed):  # noqa: N801
    """A method that moved where the old name, read without calling it, was a trap
    (``assert secret.value`` always passed): ``value = renamed_method("reveal")``.
    Calling the old name warns and calls the new method; using it uncalled (a truth
    test, a comparison) raises ``TypeError`` saying what to call."""

    def __get__(self, handle: Optional[Any], owner: Optional[type] = None) -> Any:
        if handle is None:
            return self
        return _FormerMethod(handle, self.old, self.new)


class _FormerMethod:
    """``handle.<old>`` as read: callable for one release, never truthy."""

    __slots__ = ("_handle", "_old", "_new")

    def __init__(self, handle: Any, old: str, new: str) -> None:
        self._handle, self._old, self._new = handle, old, new

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        cls = type(self._handle).__name__
        warnings.warn(f"{cls}.{self._old}() is deprecated, use {cls}.{self._new}()",
                      DeprecationWarning, stacklevel=2)
        return getattr(self._handle, self._new)(*args, **kwargs)

    def _uncalled(self, *_: Any) -> Any:
        __tracebackhide__ = True
        cls = type(self._handle).__name__
        example = getattr(self._handle, "fixture", "handle")
        raise TypeError(f"{cls}.{self._old} is a method that was not called: "
                        f"use {cls}.{self._new}() (e.g. assert {example}.{self._new}())")

    __bool__ = __eq__ = __ne__ = _uncalled
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<deprecated method {type(self._handle).__name__}.{self._old}: call {self._new}()>"


class CallableCollection:
    """Mixin for a collection a property returns where a method used to be (``events()``
    became ``events``; :class:`renamed_method` is for a method that only moved): calling it
    (``cfn_stack.failed_events()``) keeps working for one release, with a
    ``DeprecationWarning``, and answers as the method that takes the arguments does."""

    _former: Optional[tuple[Any, str, str]] = None

    def formerly(self, handle: Any, old: str, method: str) -> Any:
        """Remember that ``handle.<old>()`` was a method, now ``handle.<method>(...)``."""
        self._former = (handle, old, method)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if self._former is None:
            raise TypeError(f"{type(self).__name__!r} object is not callable")
        handle, old, method = self._former
        cls = type(handle).__name__
        warnings.warn(f"{cls}.{old} is a property now: read {cls}.{old}, or call "
                      f"{cls}.{method}(...) for arguments", DeprecationWarning, stacklevel=2)
        return self if not args and not kwargs else getattr(handle, method)(*args, **kwargs)
class former_method_list(list):  # type: ignore[type-arg]  # noqa: N801
    """A collection that was a method in 0.1 (``ecs_service.events()``) and is now a
    property: it reads as the list; calling it, the old way, warns and answers as the
    method did (``call(*args, **kwargs)``)."""

    def __init__(self, items: Any = (), *, name: str = "", call: Any = None) -> None:
        super().__init__(items)
        self._name, self._call = name, call

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        warnings.warn(f"{self._name}() is deprecated: {self._name} is a property now "
                      "(read it without calling; slice it for fewer)",
                      DeprecationWarning, stacklevel=2)
        return self._call(*args, **kwargs) if self._call is not None else list(self)


#: Hint keys of 0.1 -> the keys of the probes they were for (generated by
#: ``benchmarks/renamed_hint_keys.py``); the catalog still takes the old ones, with a warning.
RENAMED_HINT_KEYS: dict[str, tuple[str, ...]] = {'cdk.bootstrap.events': ('cdk.bootstrap.failed_events',),
 'cloudformation.stack.events': ('cloudformation.stack.failed_events',),
 'cloudwatch.alarms': ('cloudwatch.alarms_in_alarm',),
 'cloudwatch.metric': ('cloudwatch.metric_sum',),
 'cognito.user_pool.clients': ('cognito.user_pool.app_client_ids',),
 'cognito.user_pool.mfa': ('cognito.user_pool.mfa_configuration',),
 'dynamodb.table.billing': ('dynamodb.table.billing_mode',),
 'dynamodb.table.gsi': ('dynamodb.table.all_gsis_active',
                        'dynamodb.table.gsi_active',
                        'dynamodb.table.gsis'),
 'dynamodb.table.items': ('dynamodb.table.item_count',),
 'dynamodb.table.keys': ('dynamodb.table.key_schema',),
 'dynamodb.table.pitr': ('dynamodb.table.pitr_enabled',),
 'dynamodb.table.stream': ('dynamodb.table.stream_enabled', 'dynamodb.table.stream_view_type'),
 'dynamodb.table.throttles': ('dynamodb.table.throttle_events',
                              'dynamodb.table.throttled_requests'),
 'dynamodb.table.ttl': ('dynamodb.table.ttl_enabled',),
 'ec2.security_group.ingress': ('ec2.security_group.allows_ingress',),
 'ecs.service.count': ('ecs.service.at_desired',
                       'ecs.service.desired_count',
                       'ecs.service.pending_count',
                       'ecs.service.running_count'),
 'ecs.service.rollout': ('ecs.service.rollout_state',),
 'elbv2.load_balancer.dns': ('elbv2.load_balancer.dns_name',),
 'elbv2.load_balancer.state': ('elbv2.load_balancer.status',),
 'elbv2.target_group.health': ('elbv2.target_group.all_healthy',
                               'elbv2.target_group.health_counts',
                               'elbv2.target_group.healthy_count',
                               'elbv2.target_group.unhealthy_targets'),
 'elbv2.target_group.health_check': ('elbv2.target_group.health_check_path',),
 'iam.role.denied': ('iam.role.denied_actions',),
 'iam.role.policies': ('iam.role.attached_policy_arns', 'iam.role.inline_policy_names'),
 'iam.role.trust': ('iam.role.trusts',),
 'lambda.function.activity': ('lambda.function.last_activity_age',),
 'lambda.function.concurrency': ('lambda.function.reserved_concurrency',),
 'lambda.function.duration': ('lambda.function.duration_ms',),
 'lambda.function.environment': ('lambda.function.env_var_names',),
 'lambda.function.event_sources': ('lambda.function.event_source_mappings',
                                   'lambda.function.event_sources_enabled'),
 'lambda.function.last_update': ('lambda.function.last_update_status',),
 'lambda.function.memory': ('lambda.function.memory_mb',),
 'lambda.function.permission': ('lambda.function.allows_invoke_by',),
 'lambda.function.role': ('lambda.function.role_arn',),
 'lambda.function.state': ('lambda.function.status',),
 'lambda.function.timeout': ('lambda.function.timeout_s',),
 'lambda.function.tracing': ('lambda.function.tracing_mode',),
 'logs.group.activity': ('logs.group.latest_event_age',),
 'logs.group.matching': ('logs.group.no_lines_matching',),
 'logs.group.retention': ('logs.group.retention_days',),
 'logs.group.secret': ('logs.group.value_absent',),
 's3.bucket.policy': ('s3.bucket.policy_allows',),
 's3.bucket.public_access': ('s3.bucket.public_access_blocked',),
 's3.bucket.region': ('s3.bucket.location',),
 'secretsmanager.secret.changed': ('secretsmanager.secret.last_changed',),
 'secretsmanager.secret.deletion': ('secretsmanager.secret.scheduled_for_deletion',),
 'secretsmanager.secret.kms': ('secretsmanager.secret.kms_key_id',),
 'secretsmanager.secret.rotation': ('secretsmanager.secret.last_rotated',
                                    'secretsmanager.secret.rotated_within',
                                    'secretsmanager.secret.rotation_enabled'),
 'secretsmanager.secret.value': ('secretsmanager.secret.reveal',),
 'sns.topic.pending': ('sns.topic.pending_subscriptions',),
 'sqs.queue.dlq': ('sqs.queue.dead_letter_queue',),
 'ssm.parameter.modified': ('ssm.parameter.last_modified', 'ssm.parameter.version'),
 'ssm.parameter.value': ('ssm.parameter.reveal',),
 'stepfunctions.state_machine.executions': ('stepfunctions.state_machine.last_execution_status',
                                            'stepfunctions.state_machine.recent_executions'),
 'stepfunctions.state_machine.failures': ('stepfunctions.state_machine.failed_executions',
                                          'stepfunctions.state_machine.last_failure')}
