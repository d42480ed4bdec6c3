"""Which handles a test reaches and which of their attributes it reads, told from its source.

Nothing runs: the test function (and the module-level helpers and fixtures it calls) is
read as an AST and followed the way values flow, so ``dynamo_table.ttl_enabled``,
``aws.cfn_stack(stack).healthy``, ``group = aws.log_group(name); group.errors()`` and
``lambda_fn.log_group.errors()`` (an attribute whose return type is a handle) each count
for the right handle. A handle whose use cannot be told (passed to a function that is
not followed, stored, iterated) counts with :data:`EVERY` attribute.

Names are worked out where the source allows it without AWS: literals, test parameters,
module constants, ``aws_outputs[...]`` lookups and f-strings of those. Anything else is
unknown (None), and whoever uses the result covers every name.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import textwrap
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional

#: In a set of attribute names: the use could not be told, count every attribute.
EVERY = "*"
#: How deep calls into helper functions and fixtures are followed.
MAX_DEPTH = 4
#: Fixtures that are not handles but matter here.
FACTORY, OUTPUTS = "aws", "aws_outputs"
#: Methods of the ``aws`` factory that take a fixture name first.
BY_FIXTURE = {"from_output": "output", "resource": "name"}


@dataclass(eq=False)
class HandleUse:
    """A handle a test reaches and the attribute names it reads on it."""

    cls: type
    #: How its name is known: "fixture" (``ref`` is the test argument), "output" (``ref``
    #: an output key or JSONPath), "name" (``ref`` the name itself), "derived" (``ref`` the
    #: attribute of ``parent`` that returns it); ``ref`` None: unknown.
    source: str
    ref: Any = None
    attributes: set[str] = field(default_factory=set)
    parent: Optional[HandleUse] = None
    #: The test argument (or fixture) that holds it, when it is one.
    argument: Optional[str] = None

    def read(self, attribute: str) -> None:
        self.attributes.add(attribute)


@dataclass(frozen=True)
class Known:
    """A value worked out from the source (a literal, a parameter, an output...)."""

    value: Any


class _Opaque:
    """A value the analysis cannot follow."""


UNKNOWN = _Opaque()


@dataclass(frozen=True)
class _Factory:
    """The ``aws`` fixture (or one of its methods, when ``method`` is set)."""

    method: str = ""


@dataclass(frozen=True)
class _OutputsValue:
    """The ``aws_outputs`` fixture, backed by the loaded outputs when there are any."""

    outputs: Any = None


@dataclass(frozen=True)
class _Method:
    """A handle's attribute that is called: ``table.gsi_active`` in ``table.gsi_active(x)``."""

    use: HandleUse
    name: str


def probes_used(item: Any) -> dict[str, set[str]]:
    """``{fixture argument: attribute names}`` the test reads on each handle fixture it
    takes (``{"dynamo_table": {"ttl_enabled"}}``); :data:`EVERY` in a set when the
    attributes cannot be told. Handles made inside the test are not listed here (see
    :func:`handle_uses`)."""
    found: dict[str, set[str]] = {}
    for use in handle_uses(item):
        if use.source == "fixture" and use.argument is not None:
            found.setdefault(use.argument, set()).update(use.attributes)
    return found


def handle_uses(item: Any, outputs: Any = None) -> list[HandleUse]:
    """Every handle the test reaches (its fixtures', helpers' and its own), with the
    attributes read on each; ``outputs`` (an :class:`~pytest_awshealth.outputs.Outputs`)
    lets names looked up in ``aws_outputs`` be known."""
    function = getattr(item, "function", None)
    if function is None:
        return []
    params = dict(getattr(getattr(item, "callspec", None), "params", {}))
    walker = _Walker(item, params, outputs)
    walker.run_test(function)
    return walker.uses


# --------------------------------------------------------------------------- the walk


class _Walker:
    """Follows one test: its fixtures, its body and the helpers it calls."""

    def __init__(self, item: Any, params: Mapping[str, Any], outputs: Any) -> None:
        from .resources import RESOURCE_TYPES

        self.item = item
        self.params = params
        self.outputs = outputs
        self.handles = RESOURCE_TYPES
        self.uses: list[HandleUse] = []
        self._fixtures: dict[str, Any] = {}

    def run_test(self, function: Callable[..., Any]) -> None:
        arguments = {name: self.fixture_value(name) for name in _parameters(function)}
        for name in getattr(self.item, "fixturenames", ()):  # autouse and indirect ones
            self.fixture_value(name)
        self.call(function, arguments, depth=0)

    # ------------------------------------------------------------------ fixtures

    def fixture_value(self, name: str) -> Any:
        """The abstract value of the fixture (or parameter) ``name``."""
        if name not in self._fixtures:
            self._fixtures[name] = UNKNOWN  # a cycle stays unknown
            self._fixtures[name] = self._resolve_fixture(name)
        return self._fixtures[name]

    def _resolve_fixture(self, name: str) -> Any:
        definition = _fixture_function(self.item, name)
        if definition is not None and not _is_library(definition):
            arguments = {arg: self.fixture_value(arg) for arg in _parameters(definition)
                         if arg != "request"}
            return self.call(definition, arguments, depth=1)
        if name in self.handles:
            return self.new_use(self.handles[name], "fixture", name, argument=name)
        if name == FACTORY:
            return _Factory()
        if name == OUTPUTS:
            return _OutputsValue(self.outputs)
        if name in self.params:
            return Known(self.params[name])
        return UNKNOWN

    def new_use(self, cls: type, source: str, ref: Any, parent: Optional[HandleUse] = None,
                argument: Optional[str] = None) -> HandleUse:
        use = HandleUse(cls, source, ref, parent=parent, argument=argument)
        self.uses.append(use)
        return use

    # ------------------------------------------------------------------ functions

    def call(self, function: Callable[..., Any], arguments: Mapping[str, Any],
             depth: int) -> Any:
        """Walk ``function`` with its parameters bound to ``arguments``; its return value."""
        tree = _function_tree(function)
        if tree is None or depth > MAX_DEPTH:
            for value in arguments.values():
                self.escape(value)
            return UNKNOWN
        frame = _Frame(self, dict(arguments), getattr(function, "__globals__", {}), depth)
        frame.statements(tree.body)
        returned = [value for value in frame.returned if value is not UNKNOWN]
        return returned[0] if len(returned) == 1 else UNKNOWN

    def escape(self, value: Any) -> None:
        """``value`` goes where it cannot be followed: every attribute may be read."""
        if isinstance(value, HandleUse):
            value.read(EVERY)
        elif isinstance(value, _Method):
            value.use.read(value.name)
        elif isinstance(value, (list, tuple)):
            for part in value:
                self.escape(part)


class _Frame(ast.NodeVisitor):
    """One function body being walked: its local names and what it returns."""

    def __init__(self, walker: _Walker, local: dict[str, Any], module: Mapping[str, Any],
                 depth: int) -> None:
        self.walker = walker
        self.local = local
        self.module = module
        self.depth = depth
        self.returned: list[Any] = []

    # ------------------------------------------------------------------ statements

    def statements(self, body: Iterable[ast.stmt]) -> None:
        for statement in body:
            self.visit(statement)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.bind(target, value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.bind(node.target, self.eval(node.value))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.walker.escape(self.eval(node.value))
        self.bind(node.target, UNKNOWN)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.bind(node.target, self.eval(node.value))

    def visit_For(self, node: ast.For) -> None:
        self.walker.escape(self.eval(node.iter))
        self.bind(node.target, UNKNOWN)
        self.statements(node.body)
        self.statements(node.orelse)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            value = self.eval(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value)
        self.statements(node.body)

    visit_AsyncWith = visit_With

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.returned.append(self.eval(node.value))

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, (ast.Yield, ast.YieldFrom)):
            if node.value.value is not None:
                self.returned.append(self.eval(node.value.value))
            return
        self.eval(node.value)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.local[node.name] = UNKNOWN  # a nested function: its body runs when called
        self.statements(node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def generic_visit(self, node: ast.AST) -> None:
        """Any other statement: evaluate its expressions, walk its blocks."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.eval(child)
            elif isinstance(child, (ast.stmt, ast.excepthandler)):
                self.visit(child)
            elif isinstance(child, ast.AST):
                self.generic_visit(child)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.local[node.name] = UNKNOWN
        self.statements(node.body)

    def bind(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.local[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.walker.escape(value)
            for element in target.elts:
                self.bind(element, UNKNOWN)
        else:  # attribute or subscript target: the value is stored away
            self.walker.escape(value)
            self.eval(target)

    # ------------------------------------------------------------------ expressions

    def eval(self, node: Optional[ast.expr]) -> Any:
        """The abstract value of ``node``."""
        if node is None:
            return UNKNOWN
        method = getattr(self, f"eval_{type(node).__name__}", None)
        if method is not None:
            return method(node)
        for child in ast.iter_child_nodes(node):  # anything else: its parts escape
            if isinstance(child, ast.expr):
                self.walker.escape(self.eval(child))
            elif isinstance(child, ast.comprehension):
                self.walker.escape(self.eval(child.iter))
                self.bind(child.target, UNKNOWN)
                for condition in child.ifs:
                    self.eval(condition)
        return UNKNOWN

    def eval_Constant(self, node: ast.Constant) -> Any:
        return Known(node.value)

    def eval_Name(self, node: ast.Name) -> Any:
        if node.id in self.local:
            return self.local[node.id]
        if node.id in self.module:
            return Known(self.module[node.id])
        if hasattr(builtins, node.id):
            return Known(getattr(builtins, node.id))
        return UNKNOWN

    def eval_JoinedStr(self, node: ast.JoinedStr) -> Any:
        parts = []
        for value in node.values:
            part = self.eval(value.value if isinstance(value, ast.FormattedValue) else value)
            parts.append(part)
        if all(isinstance(p, Known) for p in parts):
            return Known("".join(str(p.value) for p in parts))
        self.walker.escape(parts)
        return UNKNOWN

    def eval_FormattedValue(self, node: ast.FormattedValue) -> Any:
        return self.eval(node.value)

    def eval_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(left, Known) and isinstance(right, Known) and isinstance(node.op, ast.Add):
            return _attempt(lambda: left.value + right.value)
        self.walker.escape(left)
        self.walker.escape(right)
        return UNKNOWN

    def eval_List(self, node: ast.List) -> Any:
        values = [self.eval(e) for e in node.elts]
        if all(isinstance(v, Known) for v in values):
            return Known([v.value for v in values])
        self.walker.escape(values)
        return UNKNOWN

    eval_Tuple = eval_List

    def eval_Subscript(self, node: ast.Subscript) -> Any:
        container, key = self.eval(node.value), self.eval(node.slice)
        if isinstance(key, Known) and isinstance(container, _OutputsValue):
            return _output(container.outputs, key.value)
        if isinstance(key, Known) and isinstance(container, Known):
            return _attempt(lambda: container.value[key.value])
        self.walker.escape(container)
        return UNKNOWN

    def eval_Attribute(self, node: ast.Attribute) -> Any:
        owner = self.eval(node.value)
        if isinstance(owner, HandleUse):
            return self.walker_attribute(owner, node.attr)
        if isinstance(owner, _Factory) and not owner.method:
            return _Factory(node.attr)
        if isinstance(owner, _OutputsValue) and owner.outputs is not None:
            return _outputs_attribute(owner.outputs, node.attr)
        if isinstance(owner, Known) and _safe_attribute(owner.value, node.attr):
            return _attempt(lambda: getattr(owner.value, node.attr))
        return UNKNOWN

    def walker_attribute(self, use: HandleUse, attribute: str) -> Any:
        """``use.attribute``: read it; the handle it returns, if its type says so."""
        returns = _returned_handle(use.cls, attribute)
        if returns is not None and not _is_method(use.cls, attribute):
            use.read(attribute)
            return self.walker.new_use(returns, "derived", attribute, parent=use)
        if _is_method(use.cls, attribute):
            return _Method(use, attribute)
        use.read(attribute)
        if attribute == "name" and use.source == "name" and isinstance(use.ref, str):
            return Known(use.ref)
        return UNKNOWN

    def eval_Call(self, node: ast.Call) -> Any:
        function = self.eval(node.func)
        args = [self.eval(a.value if isinstance(a, ast.Starred) else a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords}
        if isinstance(function, _Factory) and function.method:
            return self.factory_call(function.method, args, kwargs)
        if isinstance(function, _Method):
            return self.method_call(function, args, kwargs)
        if isinstance(function, Known) and _followable(function.value):
            bound = _bind(function.value, args, kwargs)
            if bound is not None:
                return self.walker.call(function.value, bound, self.depth + 1)
        if isinstance(function, Known) and isinstance(function.value, _OutputsMethod):
            return function.value.call(args, kwargs)
        for value in [*args, *kwargs.values()]:
            self.walker.escape(value)
        return UNKNOWN

    def method_call(self, method: _Method, args: list[Any], kwargs: dict[str, Any]) -> Any:
        use, name = method.use, method.name
        use.read(name)
        for value in [*args, *kwargs.values()]:
            self.walker.escape(value)
        returns = _returned_handle(use.cls, name)
        if returns is not None:
            return self.walker.new_use(returns, "derived", name, parent=use)
        return UNKNOWN

    def factory_call(self, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """``aws.dynamo_table(name)``, ``aws.from_output("event_rule", ref)``..."""
        handles = self.walker.handles
        if method in BY_FIXTURE:
            fixture = args[0] if args else kwargs.get("fixture", UNKNOWN)
            if not isinstance(fixture, Known) or fixture.value not in handles:
                return UNKNOWN
            ref = args[1] if len(args) > 1 else kwargs.get("ref", kwargs.get("name", UNKNOWN))
            return self._made(handles[fixture.value], BY_FIXTURE[method], ref)
        if method not in handles:
            return UNKNOWN
        ref = args[0] if args else kwargs.get("name", UNKNOWN)
        return self._made(handles[method], "name", ref)

    def _made(self, cls: type, source: str, ref: Any) -> HandleUse:
        known = ref.value if isinstance(ref, Known) and isinstance(ref.value, str) else None
        return self.walker.new_use(cls, source, known)


# --------------------------------------------------------------------------- helpers


class _OutputsMethod:
    """A bound method of the loaded outputs (``resolve``, ``get``), called with known
    arguments only."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method

    def call(self, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if not all(isinstance(v, Known) for v in [*args, *kwargs.values()]):
            return UNKNOWN
        return _attempt(lambda: self.method(*(a.value for a in args),
                                            **{k: v.value for k, v in kwargs.items()}))


def _output(outputs: Any, ref: Any) -> Any:
    if outputs is None or not isinstance(ref, str):
        return UNKNOWN
    return _attempt(lambda: outputs[ref])


def _attempt(func: Callable[[], Any]) -> Any:
    try:
        return Known(func())
    except Exception:
        return UNKNOWN


def _outputs_attribute(outputs: Any, name: str) -> Any:
    """``aws_outputs.resolve`` and friends, callable with known arguments."""
    if name.startswith("_"):
        return UNKNOWN
    value = getattr(outputs, name, None)
    return Known(_OutputsMethod(value)) if callable(value) else UNKNOWN


#: Attributes read on known values: those of an output record, and string methods.
_SAFE_TYPES = ("Output",)


def _safe_attribute(value: Any, attribute: str) -> bool:
    return type(value).__name__ in _SAFE_TYPES and not attribute.startswith("_")


#: Modules whose functions are not followed: pytest's and this plugin's own (its examples
#: are followed like any test module).
LIBRARIES = ("_pytest.", "pytest.", "pluggy.", "pytest_awshealth.")


def _followable(value: Any) -> bool:
    """A plain Python function of a test module, conftest or helper (not a library's)."""
    return inspect.isfunction(value) and not _is_library(value)


def _is_library(function: Any) -> bool:
    module = f"{getattr(function, '__module__', '')}."
    return module.startswith(LIBRARIES) and not module.startswith("pytest_awshealth.examples.")


def _bind(function: Callable[..., Any], args: list[Any],
          kwargs: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Parameter name -> abstract value of a call (defaults are known values)."""
    try:
        signature = inspect.signature(function)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    values = dict(bound.arguments)
    for name, parameter in signature.parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            values[name] = UNKNOWN
        elif name not in values:
            values[name] = Known(parameter.default)
    return values


def _parameters(function: Callable[..., Any]) -> list[str]:
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return []


def _fixture_function(item: Any, name: str) -> Optional[Callable[..., Any]]:
    """The function of the fixture ``name`` as the test sees it (closest definition)."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = getattr(info, "name2fixturedefs", {}).get(name) if info else None
    if not definitions:
        return None
    function = getattr(definitions[-1], "func", None)
    return inspect.unwrap(function) if function is not None else None


@functools.lru_cache(maxsize=512)
def _tree_of(code: Any, source: str) -> Optional[ast.FunctionDef]:
    try:
        module = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None
    found = module.body[0] if module.body else None
    return found if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _function_tree(function: Callable[..., Any]) -> Optional[ast.FunctionDef]:
    function = inspect.unwrap(function)
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return None
    return _tree_of(getattr(function, "__code__", None), source)


def _class_attribute(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _is_method(cls: type, name: str) -> bool:
    attribute = _class_attribute(cls, name)
    return inspect.isfunction(attribute)


@functools.lru_cache(maxsize=1024)
def _returned_handle(cls: type, name: str) -> Optional[type]:
    """The handle type the attribute ``name`` of ``cls`` returns (by its annotation)."""
    from .resources.base import Resource

    attribute = _class_attribute(cls, name)
    function = attribute.fget if isinstance(attribute, property) else attribute
    if not callable(function):
        return None
    function = inspect.unwrap(function)
    try:
        returned = typing.get_type_hints(function).get("return")
    except Exception:
        returned = _by_class_name(getattr(function, "__annotations__", {}).get("return"))
    options = [a for a in typing.get_args(returned) if a is not type(None)]
    if len(options) == 1:  # Optional[Handle]
        returned = options[0]
    return returned if isinstance(returned, type) and issubclass(returned, Resource) else None


def _by_class_name(annotation: Any) -> Optional[type]:
    from .resources.registry import handle_types

    if not isinstance(annotation, str):
        return None
    name = annotation.strip("'\"").rsplit(".", 1)[-1]
    return next((cls for cls in handle_types() if cls.__name__ == name), None)
