"""Sending a file to a task where the messenger passes on only photos: the link, in words.

A step that takes a file offers it (:func:`upload_line`); "gửi tệp" typed at such a step asks
for it. The file comes back as the person's next update (:mod:`bot.runtime.uploads`), checked
here against the link the task made (:func:`upload_matches`).
"""

from __future__ import annotations

from bot import parsing
from bot.chat.turn import IncomingFile, Turn

_ASK_WORDS = ("gui tep", "gui file", "send file", "send a file")


def asks_to_send_a_file(text: str) -> bool:
    """Whether ``text`` asks how to send a file: "gửi tệp", "gui tep", "send a file"."""
    return parsing.fold(text).strip(" .!?") in _ASK_WORDS


def upload_line(turn: Turn) -> str:
    """How this person sends a file: a link on isobot's web server where the messenger passes
    on only photos (or why there is none), else in the chat itself."""
    tr = turn.tr
    if turn.messenger.receives_documents:
        return tr._("Send the file here in the chat, as a document or a photo.")
    url = turn.upload_link()
    if url is None:
        return tr._("Files other than photos cannot be received on {brand} yet, because the "
                    "system operator has not set up isobot's web address. Please send a photo "
                    "of the document.").format(brand=turn.messenger.brand)
    return tr._("To send a PDF, Word or Excel file, open this link (it works once, for {minutes} "
                "minutes): {url}").format(minutes=turn.installation.uploads.minutes(), url=url)


def upload_matches(turn: Turn, incoming: IncomingFile) -> bool:
    """Whether a file sent through a link belongs to the task that made it (the link is then
    spent); True for any other file."""
    if incoming.upload is None:
        return True
    if turn.state.get("upload") != incoming.upload or not turn.state.get("flow"):
        return False
    turn.state.pop("upload", None)
    return True
