"""The chat commands, each declared once: dispatch, ``/help`` and the messengers' menus read them.

A command is a :class:`Command`: its name, the other words people type for it, one help line
(a gettext message id), who may use it and the handler that does it. Features declare theirs
(see :class:`bot.chat.feature.Feature`); :class:`Commands` holds them all. Adding a command is one
declaration, its handler and the catalog entries of its texts.

Zalo users often type a command without the slash ("viec", "ngôn ngữ"): a command's name and
aliases are matched without slash, letter case or diacritics, so "Việc", "/viec" and "viec" are
one command. An alias may be several words; keep those to words nobody starts a report with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot import parsing
from bot.chat.turn import Turn
from jobs.text.i18n import N_, Translator
from storage.models import Member, Role, Unit


class Audience(StrEnum):
    """Who a command is for."""

    UNREGISTERED = "unregistered"  # no account yet: before the invite code
    EVERYONE = "everyone"  # any registered person, whatever their role
    OFFICER = Role.OFFICER.value
    HEAD = Role.HEAD.value
    SUPERVISOR = Role.SUPERVISOR.value


ANYONE = frozenset({Audience.UNREGISTERED, Audience.EVERYONE})
_ROLES = frozenset({Audience.OFFICER, Audience.HEAD, Audience.SUPERVISOR})
# What the messengers' command menu lists: what an officer or a newcomer can use. Supervisors
# read their own commands in /help.
MENU_AUDIENCE = frozenset({Audience.UNREGISTERED, Audience.EVERYONE, Audience.OFFICER})
DEFAULT_REFUSAL = N_("This command is not available to your account. Type /help to see the "
                     "commands you can use.")

# Telegram's rule for a command (Bot API, BotCommand: "1-32 characters. Can contain only
# lowercase English letters, digits and underscores"); its description is 1-256 characters.
_NAME = re.compile(r"[a-z0-9_]{1,32}")
MAX_HELP = 256

Handler = Callable[[Turn, str], None]


@dataclass(frozen=True)
class Command:
    """One chat command.

    ``help`` is the message id of its one line in /help and in the menu. ``handler`` gets the
    turn and what followed the command ("/xuat 2026" -> "2026"). Someone outside ``audience``
    is told ``refusal`` (a message id) and nothing runs. A command ends the task under way
    unless ``keeps_flow`` (``/huy`` ends it itself; ``/ngonngu`` works alongside it). A name
    that is an everyday word once its marks are gone ("roi" is "rồi", done) ``needs_slash``:
    typed bare it is an ordinary reply; its aliases still work without one. ``listed_for``
    narrows whom /help offers it to (``/start`` is offered to newcomers only).
    """

    name: str
    help: str
    audience: frozenset[Audience]
    handler: Handler = field(compare=False)
    aliases: tuple[str, ...] = ()
    refusal: str = DEFAULT_REFUSAL
    keeps_flow: bool = False
    needs_slash: bool = False
    listed_for: frozenset[Audience] | None = None  # whom /help shows it to; None: its audience

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"command name {self.name!r}: 1-32 of a-z, 0-9 and _")
        if not 0 < len(self.help) <= MAX_HELP:
            raise ValueError(f"/{self.name}: its help line must have 1-{MAX_HELP} characters")
        object.__setattr__(self, "audience", frozenset(self.audience))

    def allows(self, who: frozenset[Audience]) -> bool:
        """Whether a person in the audiences ``who`` may use it."""
        return bool(self.audience & who)


def audiences(members: Sequence[tuple[Member, Unit]]) -> frozenset[Audience]:
    """The audiences a person belongs to, from their memberships."""
    if not members:
        return frozenset({Audience.UNREGISTERED})
    roles = {Audience(m.role) for m, _ in members if m.role in _ROLES}
    return frozenset({Audience.EVERYONE, *roles})


@dataclass(frozen=True)
class Typed:
    """A command as typed: the command (None when unknown), the word used, what followed."""

    command: Command | None
    word: str
    args: str


class Commands:
    """Every chat command, in the order /help and the menus list them."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self._commands = list(commands)
        self._by_words: dict[str, Command] = {}
        for command in self._commands:
            for word in (command.name, *command.aliases):
                key = parsing.fold(word)
                if self._by_words.setdefault(key, command) is not command:
                    raise ValueError(f"{word!r} names both /{self._by_words[key].name} and "
                                     f"/{command.name}")
        self._longest = max((len(k.split()) for k in self._by_words), default=1)
        # What a plain first word may be, without a slash.
        self._bare = [k for k in self._by_words if " " not in k
                      and not (self._by_words[k].needs_slash and k == self._by_words[k].name)]

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)

    def find(self, text: str) -> Typed | None:
        """The command ``text`` starts with; None when it is not a command at all.

        A slash always makes a command (an unknown one has ``command`` None); without a slash
        only a known name or alias counts, so an ordinary reply is never taken for one.
        """
        words = text.strip().lstrip("/").split()
        for n in range(min(len(words), self._longest), 1, -1):  # "ngôn ngữ" before "ngôn"
            key = parsing.fold(" ".join(words[:n]))
            if key in self._by_words:
                return Typed(self._by_words[key], key, " ".join(words[n:]))
        found = parsing.parse_command(text, self._bare)
        if found is None:
            return None
        word, args = found
        return Typed(self._by_words.get(word), word, args)

    def available(self, who: frozenset[Audience]) -> list[Command]:
        """The commands a person in the audiences ``who`` may use."""
        return [c for c in self._commands if c.allows(who)]

    def help_lines(self, who: frozenset[Audience], tr: Translator) -> list[str]:
        """One line per command the person may use, as /help lists them."""
        return [f"/{c.name} — {tr._(c.help)}" for c in self.available(who)
                if c.name != "help" and (c.listed_for is None or c.listed_for & who)]

    def menu(self, tr: Translator) -> list[tuple[str, str]]:
        """The messengers' command menu: (name, description) for officers and newcomers."""
        return [(c.name, tr._(c.help)) for c in self.available(MENU_AUDIENCE)]
