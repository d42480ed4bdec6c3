"""One botocore data loader per search path in the emulator's process.

moto makes a new ``boto3.Session`` for the backends it builds and the region lists it
asks for, and every new session has its own loader, which parses the service's model JSON
again (EC2's takes ~0.1 s). The model files are static, so sessions may share one loader;
each session still makes its own clients. ``awshealth demo`` CPU per example: 2.9-8.7 ->
1.8-4.6 s."""

from __future__ import annotations

import functools


def share_service_models() -> None:
    """Make :func:`botocore.session.create_loader` hand out one loader per search path
    (idempotent; the plugin's own clients in this process share it too)."""
    import botocore.loaders
    import botocore.session

    if botocore.session.create_loader is botocore.loaders.create_loader:
        botocore.session.create_loader = functools.lru_cache(maxsize=None)(  # type: ignore[assignment]
            botocore.loaders.create_loader)
