"""The iRacing Drivers Stats example: its gate, outputs sample, CHECKS.md and stack."""
