"""Adapters translate shapes and nothing else: the conversation's steps exist once.

A messenger adapter that grew its own copy of a step (asking for the document number, counting
nonconformities, confirming) would drift from the one every other messenger uses. These checks
read each messenger package's source (all but its sandbox and demo phone, which play the
platform and the person): it hands every update to ``Conversation.handle`` and never touches
the rules, the storage or the conversation's state itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import messengers

PACKAGES = [m.name for m in messengers.installed()]
# What plays the platform or the person, not the bot: test support, not adapters.
NOT_THE_BOT = ("sandbox", "phone.py", "__main__.py")
# Modules that hold the rules and the records; an adapter reaching them bypasses the conversation.
FORBIDDEN_MODULES = ("storage", "jobs.evidence", "jobs.people", "jobs.planning", "sqlmodel",
                     "sqlalchemy")
# What the conversation's state machine is made of: its steps, choice actions and state keys.
FLOW_WORDS = {"flow", "step", "number", "nonconformities", "confirm", "skip", "cancel",
              "pick", "done", "later", "guide", "choices", "lang", "channel"}
FLOW_FUNCTIONS = {"parse_intent", "parse_document_reference", "match_choice", "parse_command",
                  "looks_like_code", "redeem_invite", "log_submission", "claim_update",
                  "load_state", "save_state"}


def source(name: str) -> ast.Module:
    """The messenger package ``name``, every module the bot runs, as one tree."""
    folder = Path(messengers.__file__).parent / name
    modules = [p for p in sorted(folder.rglob("*.py"))
               if not any(part in NOT_THE_BOT for part in p.relative_to(folder).parts)]
    return ast.Module(body=[node for p in modules
                            for node in ast.parse(p.read_text(encoding="utf-8")).body],
                      type_ignores=[])


def handle_calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "handle"]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_update_goes_through_the_one_conversation(name):
    # An adapter only reads updates; the inbox's workers hand each to the conversation.
    assert handle_calls(source(name)) == [], "an adapter never calls Conversation.handle"
    intake = Path(messengers.__file__).parent.parent / "runtime" / "intake.py"
    assert len(handle_calls(ast.parse(intake.read_text(encoding="utf-8")))) == 1


@pytest.mark.parametrize("name", PACKAGES)
def test_no_rules_storage_or_parsing_of_replies_in_the_adapter(name):
    tree = source(name)
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and m.startswith(FORBIDDEN_MODULES)]
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not names & FLOW_FUNCTIONS


@pytest.mark.parametrize("name", PACKAGES)
def test_no_step_of_the_conversation_is_spelled_in_the_adapter(name):
    strings = {n.value for n in ast.walk(source(name))
               if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    # A choice id such as "done:12" or a state key such as "flow" would mean copied logic.
    found = {s for s in strings if s.strip().lower().split(":")[0] in FLOW_WORDS}
    assert not found
