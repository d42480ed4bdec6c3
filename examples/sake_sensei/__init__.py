"""The Sake Sensei example: its gate, outputs sample, CHECKS.md and stack."""
