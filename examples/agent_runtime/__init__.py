"""The AWS Agent Runtime example: its gate, outputs sample, CHECKS.md and stack."""
