"""Supervisors: directives to units and their progress, legal documents, and who may do what."""

import csv
import io

import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Directive, Obligation, Outbox, Role, Unit
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import buttons, load_sample_units, running_bot

vi = translator("vi")
COMMUNES = ["QNG-MD-TT", "QNG-MD-DTAN", "QNG-MD-DPHONG", "QNA-NS-QTRUNG", "QNA-NS-QLOC",
            "KGG-UMT-TYEN", "KGG-UMT-MTHUAN", "KGG-AM-TT"]


def isobot_at(engine, now, *args):
    """The operator's command, as at ``now``."""
    return cli.isobot(engine.url.render_as_string(hide_password=False), *args, now=now)


def isobot(bot, *args):
    """The operator's command, as at the bot's current moment."""
    return isobot_at(bot.engine, bot.clock.now(), *args)


@pytest.fixture
async def bot(engine, catalog):
    async with running_bot(engine, catalog, at("2026-12-01 09:00"), before_reform=True) as harness:
        yield harness


async def register_officers(bot):
    """An officer in every commune (two in Đức Tân) and one in a department."""
    users = {}
    for i, code in enumerate(COMMUNES):
        users[code] = 5000 + i
        await bot.register(5000 + i, code, Role.OFFICER, f"Cán bộ {i}")
    await bot.register(5100, "QNG-MD-DTAN", Role.OFFICER, "Cán bộ phụ")
    await bot.register(5200, "AGG-STP", Role.OFFICER, "Cán bộ Sở Tư pháp")
    return users


def directive_messages(bot, user_id):
    return [m for m in bot.sandbox.messages_to(user_id)
            if m["text"].startswith("📢")]


async def test_a_directive_to_all_communes_reaches_every_commune_officer_once(bot, engine):
    users = await register_officers(bot)
    # The communes of three provinces have no common unit above them: the operator names
    # the issuer.
    result = isobot(bot, "directive", "send", "--text", "Gửi hồ sơ công bố HTQLCL về Sở KH&CN",
                    "--kind", "commune", "--due", "2026-12-11", "--as", "QNG")
    assert result.exit_code == 0, result.output
    assert "8" in result.stdout and "9" in result.stdout  # 8 units, 9 people
    await bot.tick()
    await bot.tick()  # planning again must not send it again
    for user_id in [*users.values(), 5100]:
        assert len(directive_messages(bot, user_id)) == 1
    assert directive_messages(bot, 5200) == []  # a department is not a commune
    message = directive_messages(bot, users["QNG-MD-DTAN"])[0]
    assert "11/12/2026" in message["text"]
    assert buttons(message)[:2] == [vi._("Received"), vi._("Done")]

    # One officer acknowledges, one reports it done, the others do nothing.
    await bot.drain(users["QNG-MD-TT"])
    received = await bot.press(users["QNG-MD-TT"], directive_messages(bot, users["QNG-MD-TT"])[0],
                               vi._("Received"))
    assert received["text"].startswith(vi._("Receipt recorded.").rstrip("."))
    doer = users["QNA-NS-QLOC"]
    await bot.drain(doer)
    await bot.say(doer, "da thuc hien chi dao, cong van so 77/UBND-VP ngay 01/12/2026")
    confirm = await bot.say(doer, "bỏ qua")
    assert "77/UBND-VP" in confirm["text"]
    await bot.press(doer, confirm, vi._("Confirm"))

    bot.clock.set(at("2026-12-14 09:00"))  # past the deadline
    status = isobot(bot, "directive", "status").stdout
    assert "8 đơn vị" in status or "8 units" in status
    numbers = [int(n) for n in status.split("\n")[1].split() if n.isdigit()]
    assert numbers[:1] == [8]
    with session_scope(engine) as session:
        directive = session.exec(select(Directive)).one()
        from jobs.supervision.directives import progress

        rows = progress(session, directive=directive, today=at("2026-12-14 09:00").date(),
                        tz=bot.runtime.calendar.tz)
        assert len(rows) == 8
        assert sum(r.delivered for r in rows) == 8
        assert sum(r.acknowledged for r in rows) == 2
        assert sum(r.done for r in rows) == 1
        # Not done past the deadline is overdue ("quá hạn"); done on time is neither.
        assert sorted(r.unit.code for r in rows if r.overdue) == sorted(
            c for c in COMMUNES if c != "QNA-NS-QLOC")
        assert not any(r.late for r in rows)


async def test_a_supervisor_composes_a_directive_in_the_chat(bot, engine):
    users = await register_officers(bot)
    await bot.register(6000, "QNG-MD", Role.SUPERVISOR, "Thường trực huyện")
    step = await bot.say(6000, "/chidao")
    assert "/huy" in step["text"]
    ask_number = await bot.say(6000, "Rà soát danh mục hồ sơ lưu trữ, báo cáo trước hạn")
    assert buttons(ask_number) == [vi._("No number")]
    wrong = await bot.say(6000, "công văn hôm qua")
    assert wrong["text"].startswith("Đây không phải là số văn bản.")
    scope = await bot.say(6000, "Số: 45 /UBND-KT")  # as it is printed on the letter
    kinds = await bot.press(6000, scope, vi._("Units of one kind (e.g. communes, schools)"))
    ask_due = await bot.press(6000, kinds, vi._("communes"))
    assert buttons(ask_due) == [vi._("No deadline")]
    confirm = await bot.say(6000, "18/12/2026")
    assert "3" in confirm["text"] and "4" in confirm["text"]  # 3 communes of Mộ Đức, 4 people
    assert vi._("Number: {number}").format(number="45/UBND-KT") in confirm["text"]
    done = await bot.press(6000, confirm, vi._("Send"))
    assert done["text"].startswith("Văn bản chỉ đạo số 45/UBND-KT đang được gửi tới 3 đơn vị")
    await bot.tick()
    for code in ("QNG-MD-TT", "QNG-MD-DTAN", "QNG-MD-DPHONG"):
        [message] = directive_messages(bot, users[code])
        # Officers know it by its number; the database's id never reaches them.
        assert message["text"].startswith("📢 VĂN BẢN CHỈ ĐẠO SỐ 45/UBND-KT CỦA UBND huyện Mộ Đức")
        assert "Liên quan: 45/UBND-KT: Rà soát danh mục hồ sơ lưu trữ, báo cáo trước hạn" in \
            message["text"]
        assert "CD-" not in message["text"]
    assert directive_messages(bot, users["QNA-NS-QLOC"]) == []  # another district
    status = await bot.say(6000, "/chidao_tinhhinh")
    assert "Văn bản chỉ đạo số 45/UBND-KT (hạn chót 18/12/2026)" in status["text"]
    assert "CD-" not in status["text"]


async def test_a_supervisor_cannot_reach_outside_their_subtree(bot, engine):
    await bot.register(6000, "QNG-MD", Role.SUPERVISOR, "Thường trực huyện")
    await bot.say(6000, "/chidao")
    ask_number = await bot.say(6000, "Nội dung thử")
    scope = await bot.press(6000, ask_number, vi._("No number"))
    codes = await bot.press(6000, scope, vi._("Units I list by code"))
    assert codes["text"]
    refused = await bot.say(6000, "QNG-MD-DTAN, QNA-NS-QLOC")
    assert "QNA-NS-QLOC" in refused["text"] and "QNG-MD-DTAN" not in refused["text"]
    await bot.say(6000, "/huy")
    with session_scope(engine) as session:
        assert session.exec(select(Directive)).all() == []


async def test_officers_cannot_use_supervisor_commands(bot, engine):
    await bot.register(5000, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    refusal = vi._("Only the ISO standing office (supervisors) can use this command. Nothing "
                   "was changed.")
    assert (await bot.say(5000, "/chidao Làm ngay")) ["text"] == refusal
    assert (await bot.say(5000, "/chidao_tinhhinh"))["text"] == refusal
    with session_scope(engine) as session:
        assert session.exec(select(Directive)).all() == []
        assert session.exec(select(Outbox).where(Outbox.kind == "directive")).all() == []


def test_a_legal_document_creates_legal_updates_due_three_months_later(engine):
    load_sample_units(engine, at("2026-07-01 08:00"), before_reform=True)
    result = isobot_at(engine, at("2026-07-01 09:00"), "legal", "add", "--number",
                       "15/2026/NĐ-CP", "--title", "Nghị định sửa đổi thủ tục hành chính",
                       "--effective", "2026-08-01", "--kind", "commune", "--under", "QNG")
    assert result.exit_code == 0, result.output
    with session_scope(engine) as session:
        rows = session.exec(select(Obligation, Unit).join(Unit).where(
            Obligation.duty_key == "legal_update")).all()
        assert sorted(u.code for _, u in rows) == ["QNG-MD-DPHONG", "QNG-MD-DTAN", "QNG-MD-TT"]
        # Three months after 1 August is Sunday 1 November: due Monday 2 November.
        assert {str(o.due) for o, _ in rows} == {"2026-11-02"}
        assert all("15/2026/NĐ-CP" in o.note for o, _ in rows)
    obligations = isobot_at(engine, at("2026-07-01 09:00"), "export", "--what", "obligations",
                            "--format", "csv").stdout
    legal = [r for r in csv.DictReader(io.StringIO(obligations)) if r["duty"] == "legal_update"]
    assert len(legal) == 3


def test_cli_refuses_units_outside_under(engine):
    load_sample_units(engine, at("2026-07-01 08:00"), before_reform=True)
    result = isobot_at(engine, at("2026-07-01 09:00"), "directive", "send", "--text", "x",
                       "--unit", "QNA-NS-QLOC", "--under", "QNG")
    assert result.exit_code == 2
    assert "QNA-NS-QLOC" in result.stderr


async def test_a_new_officer_is_onboarded_with_open_duties_and_a_training_duty(bot, engine):
    greeting = await bot.register(5000, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    assert "15/12/2026" in greeting["text"]  # the quarterly report is among the open duties
    with session_scope(engine) as session:
        training = session.exec(select(Obligation).where(
            Obligation.duty_key == "training")).one()
        assert training.period.startswith("T-")


async def test_a_supervisor_registers_a_legal_document_in_the_chat(bot, engine):
    await bot.register(6000, "QNG-MD", Role.SUPERVISOR, "Thường trực huyện")
    await bot.say(6000, "/vanban")
    await bot.say(6000, "15/2026/NĐ-CP")
    await bot.say(6000, "01/08/2026")
    scope = await bot.say(6000, "Nghị định sửa đổi thủ tục hành chính")
    kinds = await bot.press(6000, scope, vi._("Units of one kind (e.g. communes, schools)"))
    confirm = await bot.press(6000, kinds, vi._("communes"))
    assert "02/11/2026" in confirm["text"]  # 1 November 2026 is a Sunday
    done = await bot.press(6000, confirm, vi._("Register"))
    assert "15/2026/NĐ-CP" in done["text"]
    with session_scope(engine) as session:
        rows = session.exec(select(Obligation, Unit).join(Unit).where(
            Obligation.duty_key == "legal_update")).all()
        assert sorted(u.code for _, u in rows) == ["QNG-MD-DPHONG", "QNG-MD-DTAN", "QNG-MD-TT"]

    # The same document again is recognised at once; nothing more is registered.
    await bot.say(6000, "/vanban")
    again = await bot.say(6000, "15/2026/nđ-cp")
    assert again["text"] == vi._("{number} is registered already (on {date}); nothing was "
                                 "changed.").format(number="15/2026/NĐ-CP", date="01/12/2026")
    with session_scope(engine) as session:
        assert len(session.exec(select(Obligation).where(
            Obligation.duty_key == "legal_update")).all()) == 3


async def test_help_lists_supervisor_commands_only_to_supervisors(bot):
    await bot.register(5000, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await bot.register(6000, "QNG-MD", Role.SUPERVISOR, "Thường trực huyện")
    officer_help = (await bot.say(5000, "/help"))["text"]
    supervisor_help = (await bot.say(6000, "/help"))["text"]
    assert "/lich_ics" in officer_help and "/chidao" not in officer_help
    assert "/chidao" in supervisor_help and "/xuat" in supervisor_help
    assert "/vanban" in supervisor_help


async def test_a_forwarded_document_gives_the_directive_its_text(bot, engine):
    await bot.register(6000, "QNG-MD", Role.SUPERVISOR, "Thường trực huyện")
    await bot.say(6000, "/chidao")
    bot.sandbox.user_sends_document(6000, "1699-UBND-TH.pdf", b"%PDF",
                                    caption="Thực hiện Công văn 1699/UBND-TH")
    ask_number = await bot.sandbox.next_message(6000, timeout=10)
    scope = await bot.press(6000, ask_number, vi._("No number"))
    assert buttons(scope)[0] == vi._("All units under my unit")
    ask_due = await bot.press(6000, scope, vi._("All units under my unit"))
    confirm = await bot.press(6000, ask_due, vi._("No deadline"))
    assert "Thực hiện Công văn 1699/UBND-TH" in confirm["text"]
