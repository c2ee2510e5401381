"""``python -m starter.cli``: the same as the ``safeside`` console script."""

from starter.cli import main

main()
