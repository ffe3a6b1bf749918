"""Telegram: the Bot API through python-telegram-bot (inline buttons, edits, files).

``messenger.MESSENGER`` is the plug-in the runtime loops over (loaded by
:func:`bot.messengers.installed`; ``settings`` alone is read by every command); ``adapter``
translates updates and messages, ``connection`` runs the application (polling or webhook),
``sandbox`` is a local Bot API server for tests and the demo, ``phone`` the person's side of it
in ``isobot demo``.
"""
