"""A reminder cites what binds the unit that reads it (issue 12, part 2): the national catalog
cites national law; a province's documents reach only the units its file is mapped to."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from icalendar import Calendar

from jobs.calendar.ics import Entry, write_ics
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog, CatalogError, load_catalog, load_catalogs
from jobs.planning.planner import about_obligation
from jobs.planning.simulate import UnitInfo, simulate
from jobs.text.i18n import set_default_language, translator
from jobs.text.reminder_texts import for_stage
from jobs.units.units_file import read_units_file, sample_units_file
from storage.models import Obligation, Unit

ROOT = Path(__file__).resolve().parents[2]
PROVINCES = ROOT / "catalogs" / "provinces.yaml"
SAMPLE = read_units_file(sample_units_file(before_reform=True))  # with its districts
# What identifies a document in a legal basis: its number ("1699/UBND-TH", "19/2014/QĐ-TTg")
# and a full date ("25/12/2020", "10/01/2018", "05/3/2014").
DOCUMENT = re.compile(r"\b\d{1,5}/(?:\d{4}/)?[A-ZĐ][\wĐ]*(?:-[\wĐ]+)*|\b\d{1,2}/\d{1,2}/\d{4}\b")
# Each event duty's period key, as the jobs that create them write it.
EVENT_PERIODS = {"corrective_action": "2026-NC1", "legal_update": "VB-1", "directive": "CD-1",
                 "training": "T-1", "announcement": "built-2026-03-02"}
TRACKS = (("remind", "officer"), ("escalate-head", "head"),
          ("escalate-supervisor", "supervisor"))


def root_of(code: str) -> str:
    parents = {row.code: row.parent for row in SAMPLE}
    while parents[code]:
        code = parents[code]
    return code


def documents(text: str) -> set[str]:
    return set(DOCUMENT.findall(text))


def bases(catalog: Catalog) -> str:
    return "\n".join(f"{d.legal_basis.vi}\n{d.legal_basis.en}" for d in catalog.duties)


def rendered(catalog: Catalog, code: str) -> list[str]:
    """What the unit ``code`` reads about every duty: each reminder and escalation, in both
    languages, as the planner and the chat word it, and its .ics entries."""
    row = next(r for r in SAMPLE if r.code == code)
    unit = Unit(id=1, code=row.code, name=row.name, kind=row.kind)
    texts = []
    for duty in catalog.for_unit(code).duties:
        period = EVENT_PERIODS.get(duty.key, "2026")
        obligation = Obligation(id=7, unit_id=1, duty_key=duty.key, period=period,
                                due=dt.date(2026, 12, 15), note="Nội dung")
        for lang in ("vi", "en"):
            tr = translator(lang)
            about = about_obligation(obligation, unit, catalog, lang)
            texts += [for_stage(track, role, about, dt.date(2026, 12, 1), tr).text
                      for track, role in TRACKS]
        ics = write_ics(unit, [Entry(duty.key, period, dt.date(2026, 12, 15))],
                        catalog=catalog, tr=translator("vi"),
                        now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        texts += [f"{e['summary']}\n{e['description']}"
                  for e in Calendar.from_ical(ics).walk("VEVENT")]
    return texts


@pytest.fixture(scope="module")
def provincial() -> Catalog:
    return load_catalogs(provinces=PROVINCES)


def test_the_national_catalog_cites_no_document_of_a_province(provincial):
    national = load_catalog()
    own = {prefix: documents(bases(c)) - documents(bases(national))
           for prefix, c in provincial.provinces()}
    assert all(own.values())  # every example file names a document of its own
    # The place names of the sample's provinces and districts are nowhere in the national
    # catalog, nor any document an example file names.
    places = {row.name.split(" ", 2)[-1] for row in SAMPLE if row.kind in ("province",
                                                                            "district")}
    assert "An Giang" in places and "Mộ Đức" in places
    assert not [p for p in places if p in bases(national)]
    provincial_documents = set().union(*own.values())
    for row in SAMPLE:
        for text in rendered(national, row.code):
            assert not documents(text) & provincial_documents, (row.code, text)


def test_no_reminder_of_a_unit_cites_a_document_of_another_province(provincial):
    national = documents(bases(load_catalog()))
    # A document is a province's when the file mapped to that province's units cites it.
    owners: dict[str, set[str]] = {}
    for row in SAMPLE:
        for document in documents(bases(provincial.for_unit(row.code))) - national:
            owners.setdefault(document, set()).add(root_of(row.code))
    assert {"1699/UBND-TH", "907/UBND-KT", "25/12/2020", "10/01/2018"} <= owners.keys()
    walked = set()
    for row in SAMPLE:
        province = root_of(row.code)
        cited = set()
        for text in rendered(provincial, row.code):
            cited |= documents(text)
            foreign = {d for d in documents(text) if owners.get(d, {province}) != {province}}
            assert not foreign, (row.code, foreign)
        walked |= cited & owners.keys()
    assert walked == owners.keys()  # each province's documents reached its own units


def test_the_dry_run_reads_each_units_catalog(provincial):
    units = [UnitInfo(r.code, r.name, r.kind) for r in SAMPLE]
    rows = simulate(units, provincial, WorkCalendar(), dt.date(2026, 1, 1),
                    dt.date(2026, 12, 31), translator("vi"))
    audits = {r.unit: r.text for r in rows if r.duty == "internal_audit"}
    assert "907/UBND-KT" in audits["QNG-MD-DTAN"]
    assert "907/UBND-KT" not in audits["QNG"]  # the province is not bound by a district's
    assert "907/UBND-KT" not in audits["AGG-STP"]
    reports = {r.unit: r.text for r in rows if r.duty == "annual_report"}
    assert "1699/UBND-TH" in reports["AGG-THPT-LX"] and "1699/UBND-TH" not in reports["KGG"]


def test_a_unit_reads_the_catalog_of_the_longest_code_its_code_starts_with(provincial):
    mo_duc = provincial.for_unit("QNG-MD-DTAN")
    assert mo_duc is not provincial
    assert provincial.for_unit("qng-md") is mo_duc  # any letter case
    assert provincial.for_unit("QNG-MD.X") is mo_duc  # any separator
    assert provincial.for_unit("QNG-MDX") is provincial  # a whole part of the code only
    assert provincial.for_unit("QNG") is provincial  # the province: not bound by Mộ Đức's
    assert provincial.for_unit("HNI-01") is provincial
    national = load_catalog()
    assert national.for_unit("AGG") is national  # a catalog without provinces


@pytest.fixture
def english():
    set_default_language("en")
    yield
    set_default_language("vi")


def test_a_mapping_that_cannot_be_used_names_every_mistake(tmp_path, english):
    (tmp_path / "ok.yaml").write_text(
        "duties:\n  - key: training\n    legal_basis: {vi: \"Văn bản 1/UBND\"}\n",
        encoding="utf-8")
    (tmp_path / "adds.yaml").write_text(
        "duties:\n  - key: internal_audit\n    evidence: none\n    due: {month: 9, day: 30}\n"
        "  - key: new_duty\n    legal_basis: {vi: \"x\"}\n", encoding="utf-8")
    mapping = tmp_path / "provinces.yaml"
    mapping.write_text("AGG: ok.yaml\nagg: ok.yaml\nQNG: missing.yaml\nKGG: 5\n"
                       "HN I: ok.yaml\nQNA: adds.yaml\n", encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_catalogs(provinces=mapping)
    assert error.value.problems == (
        f"{mapping}: unit code 'agg': the same units as 'AGG' above (line 2)",
        f"{mapping}: unit code 'QNG': no such file: {tmp_path / 'missing.yaml'} (line 3)",
        f"{mapping}: unit code 'KGG': must name a catalog file, e.g. an-giang.yaml (line 4)",
        f"{mapping}: unit code 'HN I': a unit code (or the start of one) is text of at most 64 "
        "characters without spaces (line 5)",
        f"{tmp_path / 'adds.yaml'}: duty 'internal_audit': field 'evidence': is the same in "
        "every province: change it in the deployment's catalog (ISOBOT_CATALOG) (line 3)",
        # Dates are the deployment's: the planner dates every unit of a duty together.
        f"{tmp_path / 'adds.yaml'}: duty 'internal_audit': field 'due': is the same in every "
        "province: change it in the deployment's catalog (ISOBOT_CATALOG) (line 4)",
        f"{tmp_path / 'adds.yaml'}: duty 'new_duty': field 'key': no such duty in the catalog: "
        "a province file changes the catalog's duties and cannot add one (line 5)",
    )
    twice = tmp_path / "twice.yaml"
    twice.write_text("AGG: ok.yaml\nAGG: ok.yaml\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"line 2, column 1: invalid YAML: key 'AGG' is "
                                           r"given twice"):
        load_catalogs(provinces=twice)
    listed = tmp_path / "list.yaml"
    listed.write_text("- AGG\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="must map unit codes to catalog files"):
        load_catalogs(provinces=listed)
