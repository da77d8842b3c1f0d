"""``python -m pillars`` is the ``pillars`` command."""

from pillars.cli import command

command()
