"""The embedded local AWS: a moto server with fault injection, and an HTTP(S) stub.

Importing this package is cheap: moto, werkzeug and cryptography load only when an
:class:`Emulator` starts or an :class:`HttpStub` generates a certificate.
"""

from __future__ import annotations

from .blackhole import BlackHole, closed_port_url
from .httpstub import HttpStub, Route
from .server import Emulator

__all__ = ["BlackHole", "Emulator", "HttpStub", "Route", "closed_port_url"]
