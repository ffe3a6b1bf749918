"""The tables. Storage knows tables, not rules: the rules live in ``jobs/`` and ``bot/``.

One module per concept; a new table goes in the module of its concept (or a new one) and is
re-exported here, so code imports every table from ``storage.models`` and importing this package
registers them all on ``SQLModel.metadata`` (Alembic's env.py relies on it).
"""

from storage.models.chats import ChatState, ProcessedUpdate
from storage.models.columns import AwareDateTime, timestamp_field
from storage.models.evidence import Event, EvidenceFile, EvidenceFileState
from storage.models.invitations import Invite, LinkCode, WrongCode
from storage.models.obligations import (
    Directive,
    LegalDocument,
    Obligation,
    ObligationSource,
    ObligationStatus,
)
from storage.models.planning import PlannerMemory
from storage.models.queues import (
    PENDING_REPLY,
    REPLY_KINDS,
    Inbox,
    InboxState,
    Outbox,
    OutboxState,
)
from storage.models.units import Absence, Member, Role, Unit, UnitChange, UnitKind

__all__ = [
    "PENDING_REPLY",
    "REPLY_KINDS",
    "Absence",
    "AwareDateTime",
    "ChatState",
    "Directive",
    "Event",
    "EvidenceFile",
    "EvidenceFileState",
    "Inbox",
    "InboxState",
    "Invite",
    "LegalDocument",
    "LinkCode",
    "Member",
    "Obligation",
    "ObligationSource",
    "ObligationStatus",
    "Outbox",
    "OutboxState",
    "PlannerMemory",
    "ProcessedUpdate",
    "Role",
    "Unit",
    "UnitChange",
    "UnitKind",
    "WrongCode",
    "timestamp_field",
]
