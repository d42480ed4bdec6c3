"""The Mantissa Log example: its gate, outputs sample, CHECKS.md and stack."""
