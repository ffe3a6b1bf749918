"""The ``isobot`` command line (typer): one module per command or group, assembled in
:mod:`bot.cli.main`.

The commands sit in a package by what they are about: ``units/`` (the unit tree), ``people/``
(members, absences, invites, a person's data), ``documents/`` (directives, legal documents),
``records/`` (exports, the year's report, evidence), ``planning/`` (plan, simulate, the working
calendar); ``run``, ``demo`` and ``database`` (the bot and its database) and what every command
shares (context, errors, help texts, options, targeting, the lazy command table) stay here.

Adding a command:

1. Write it in its module with ``@with_context(LANG, NOW)`` (:mod:`bot.cli.context`) for its
   translator, settings, database and moment; fail with :func:`bot.cli.errors.fail`.
2. Name it in :data:`bot.cli.main.COMMANDS` (its module is imported when it is used).
3. Write its help in English where typer reads it: the function's docstring (the first sentence
   is the line ``isobot --help`` lists), ``help=`` of each ``typer.Option``/``typer.Argument``
   and of a new ``typer.Typer``. Do not wrap these in ``tr._()``: :mod:`bot.cli.help_texts`
   translates them when the command line starts, and ``make messages`` extracts them from the
   command tree; then translate the new ids in the vi catalog and ``make compile``
   (tests/acceptance/test_cli_language.py fails while one is missing).
4. What it prints goes through ``cli.tr._()`` like every text; a unit kind, a role or a reminder
   stage is shown by its label (:func:`jobs.text.labels.kind_text`,
   :func:`jobs.people.registration.role_text`, :func:`jobs.text.reminder_texts.days_left_text`),
   never by its code alone.
"""
