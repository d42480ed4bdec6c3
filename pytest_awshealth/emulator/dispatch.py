"""moto's request dispatcher, remembering which backend serves each host.

moto finds the backend of every request by listing its own package folder (a sorted
``listdir`` and an ``isdir`` per entry, ~160 of them) before matching URL patterns: about
a quarter of the server's time for a small call. The answer for a host never changes, so
this dispatcher asks moto once per host. Imported when an :class:`~.server.Emulator`
starts (it imports moto's server)."""

from __future__ import annotations

from typing import Any

from moto.server import DomainDispatcherApplication


class Dispatcher(DomainDispatcherApplication):  # type: ignore[misc]
    """:class:`moto.server.DomainDispatcherApplication` with a memo of
    :meth:`get_backend_for_host` (moto calls it under its own lock)."""

    def __init__(self, create_app: Any) -> None:
        super().__init__(create_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        try:
            return self._backends[host]
        except KeyError:
            backend = self._backends[host] = super().get_backend_for_host(host)
            return backend
