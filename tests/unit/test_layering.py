"""The layers stay true: the core needs no chat front end, and the shared code names no messenger.

``jobs/`` and ``storage/`` never import ``bot``: rules and records work without any messenger.
The runtime, the CLI, the demo, the settings, the conversation's turn, the plug-in contract,
the shared sandbox base and all of ``jobs/`` never name an installed messenger in code
(comments and docstrings may): a messenger's facts live in its own package under
``bot/messengers/`` and reach the rest through the registry and
:class:`jobs.delivery.transport.Capabilities`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from bot.messengers import installed

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted([*(ROOT / "jobs").rglob("*.py"), *(ROOT / "storage").rglob("*.py")])
BOT = ROOT / "bot"
SHARED = sorted([*(BOT / "runtime").rglob("*.py"), *(BOT / "cli").rglob("*.py"),
                 *(BOT / "settings").rglob("*.py"), BOT / "chat" / "turn.py",
                 BOT / "messengers" / "base.py", BOT / "messengers" / "sandbox.py",
                 *(ROOT / "jobs").rglob("*.py")])
NAMES = re.compile("|".join(re.escape(word) for m in installed()
                            for word in {m.name, m.capabilities.brand}), re.IGNORECASE)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    return modules + [a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                      for a in n.names]


def code_tokens(source: str) -> list[tokenize.TokenInfo]:
    """Every token of ``source`` but comments and docstrings."""
    tree = ast.parse(source)
    docstrings = {(node.body[0].lineno, node.body[0].col_offset) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)
                  and isinstance(node.body[0].value.value, str)}
    return [token for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type != tokenize.COMMENT
            and not (token.type == tokenize.STRING and token.start in docstrings)]


@pytest.mark.parametrize("path", CORE, ids=relative)
def test_the_core_never_imports_the_chat_front_ends(path):
    assert not [m for m in imported_modules(path) if m == "bot" or m.startswith("bot.")]


@pytest.mark.parametrize("path", SHARED, ids=relative)
def test_shared_code_names_no_messenger(path):
    named = [f"line {t.start[0]}: {t.string}" for t in code_tokens(path.read_text("utf-8"))
             if NAMES.search(t.string)]
    assert not named, "a messenger's facts belong in its package under bot/messengers/"


def test_the_check_sees_code_and_skips_comments_and_docstrings():
    name = installed()[0].name
    source = (f'"""The {name} bot."""\n# {name} ids are numbers\n'
              f'def f():\n    """{name}."""\n    return "{name}_token"\n')
    assert [t.string for t in code_tokens(source) if NAMES.search(t.string)] == [
        f'"{name}_token"']
