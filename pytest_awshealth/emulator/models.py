"""One botocore data loader per search path in the emulator's process.

moto makes a new ``boto3.Session`` for each backend it builds and for each
``get_available_regions`` it asks (EC2's import alone asks a dozen), and every new session
has its own loader, which parses the service's model JSON again: EC2's model is ~4 MB,
parsed in ~0.1 s each time. The model files are static, so sessions may share one loader;
each session still makes its own clients. ``awshealth demo`` of sake_sensei: 6.2 -> 4.5
CPU-seconds."""

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
