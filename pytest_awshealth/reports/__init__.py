"""Where the verdicts go besides the terminal: an 80-column summary, GitHub Actions
annotations and job summary, a JSON report (with its JSON Schema), SARIF 2.1.0,
pytest-html extras and JUnit properties. One module per format; ``plugin`` has the hooks."""
