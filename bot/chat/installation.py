"""What this installation of isobot offers the conversation besides the database: the
messengers it runs and what each can do, who runs it, and the links its web server makes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from jobs.delivery.transport import Capabilities
from jobs.evidence.upload_links import UploadLinks
from jobs.people.invitations import JoinWay
from jobs.people.personal_data import Operator
from jobs.supervision.page_access import PageLinks


@dataclass(frozen=True)
class Installation:
    """Set once when the bot starts; every turn reads it (:class:`bot.chat.turn.Turn`)."""

    # What each installed messenger is and can do, by platform key (brand names, file limits).
    messengers: Mapping[str, Capabilities] = field(default_factory=dict)
    # Who runs isobot, for the notice on personal data (jobs.people.personal_data).
    operator: Operator = field(default_factory=Operator)
    # Links to send a file through isobot's web server; None without a public address.
    uploads: UploadLinks | None = None
    # Links to the supervisors' page (/tongquan); None without a public address.
    pages: PageLinks | None = None
    # How a person joins on each messenger, for invitation sheets and cards (/moi).
    join_ways: tuple[JoinWay, ...] = ()
