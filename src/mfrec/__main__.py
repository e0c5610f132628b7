"""Allow ``python -m mfrec``."""

from .cli import main

main()
