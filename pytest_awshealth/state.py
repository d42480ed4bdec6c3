"""What the plugin keeps for one pytest run (in ``config.stash``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Optional

import pytest

from .clients import AwsContext
from .config import Settings
from .errors import ConfigError
from .outputs import Outputs, outputs_from_stacks
from .probes import ProbeRecord
from .remediation import Catalog


@dataclass
class RunState:
    """Settings, the AWS context, the hint catalog and the outputs of this run."""

    settings: Settings
    aws: AwsContext
    catalog: Catalog
    files: Optional[Outputs] = None
    _outputs: Optional[Outputs] = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def has_outputs(self) -> bool:
        return self.files is not None or self.settings.is_set("stack")

    def outputs(self) -> Outputs:
        """The merged outputs; a live ``--aws-stack`` is read on first use, not before."""
        with self._lock:
            if self._outputs is None:
                self._outputs = self._load()
                self.aws.redactor.update(self._outputs.sensitive_values)
            return self._outputs

    def _load(self) -> Outputs:
        if not self.has_outputs:
            raise ConfigError("no deploy outputs: pass --aws-outputs PATH (e.g. from "
                              "`terraform output -json`) or --aws-stack NAME")
        if not self.settings.is_set("stack"):
            assert self.files is not None
            return self.files
        from .resources.cloudformation import CfnStack

        name = self.settings["stack"]
        # through a handle: AWS errors become ResourceNotFound / CouldNotCheck with hints
        answer = CfnStack(name, aws=self.aws).call("describe_stacks", StackName=name)
        live = outputs_from_stacks(answer, f"stack:{name}")
        return live if self.files is None else self.files.merged_with(live)


STATE = pytest.StashKey[RunState]()
RECORDS = pytest.StashKey[list[ProbeRecord]]()
