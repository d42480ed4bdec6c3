"""The example gates, installed as ``pytest_awshealth.examples``: one folder per example
system with its test module, outputs sample, ``CHECKS.md`` and the ``stack.py`` that
provisions it on the emulator (``awshealth demo --example NAME``)."""
