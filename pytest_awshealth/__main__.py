"""``python -m pytest_awshealth`` is the ``awshealth`` command."""

import sys

from .cli import main

sys.exit(main())
