"""The Thera Pipeline example: its gate, outputs sample, CHECKS.md and stack."""
