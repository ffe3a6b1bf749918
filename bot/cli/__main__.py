"""``python -m bot.cli``: the ``isobot`` command line without the installed script."""

from bot.cli.main import app

app()
