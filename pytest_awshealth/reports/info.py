"""What a report says about the run as a whole."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional

from .. import __version__
from ..verdicts import HEALTHY
from .checks import Run


@dataclass
class RunInfo:
    """Plugin version, outputs files, region, account, duration and API cost of a run."""

    started: float = field(default_factory=time.time)
    version: str = __version__
    outputs: list[dict[str, str]] = field(default_factory=list)
    region: Optional[str] = None
    account: Optional[str] = None
    duration: float = 0.0
    calls: Optional[int] = None
    throttled: Optional[int] = None
    exit_code: Optional[int] = None

    def finish(self, run: Run, state: Any, exit_code: int, ask_sts: bool = False) -> None:
        """Fill in what is known at the end (``state`` is the plugin's RunState or None);
        ``ask_sts`` allows one STS call for the account when nothing else names it."""
        self.duration = time.time() - self.started
        self.calls, self.throttled = run.calls, run.throttled
        self.exit_code = int(exit_code)
        if state is None:
            return
        files = state.files
        if files is not None:
            self.outputs = [{"path": p, "format": f} for p, f in files.formats.items()]
        if state.settings.is_set("stack"):
            self.outputs.append({"path": f"stack:{state.settings['stack']}",
                                 "format": "cloudformation"})
        self.region = state.settings["region"] or state.aws.configured_region or \
            _first(c.resource.get("region") for c in run)
        self.account = _known_account(state) or run.account()
        if self.account is None and ask_sts and run.with_verdict(HEALTHY):
            self.account = _ask_account(state)


def _known_account(state: Any) -> Optional[str]:
    """The account if this process already asked STS (never a call of its own)."""
    identity = vars(state.aws).get("identity")
    return identity.get("Account") if isinstance(identity, dict) else None


def _ask_account(state: Any) -> Optional[str]:
    """One GetCallerIdentity; None when it fails (the report must still be written)."""
    try:
        return str(state.aws.account)
    except Exception:  # noqa: BLE001 - any failure means "unknown", never a crash
        return None


def _first(values: Any) -> Optional[str]:
    return next((v for v in values if v), None)
