"""Zalo: the Zalo Bot Platform through our own small client (numbered replies, no edits).

``messenger.MESSENGER`` is the plug-in the runtime loops over (loaded by
:func:`bot.messengers.installed`; ``settings`` alone is read by every command); ``client``
speaks the HTTP API, ``adapter`` translates updates and messages, ``connection`` polls or takes
the webhook, ``sandbox`` is a local platform for tests and the demo, ``phone`` the person's side
of it.
"""
