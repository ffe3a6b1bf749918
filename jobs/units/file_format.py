"""What a units file may look like: encodings, delimiters, Vietnamese or English headers and kinds.

Operators export their lists from Excel: "CSV UTF-8", plain "CSV" (Windows-1258 on a Vietnamese
Windows, Windows-1252 elsewhere), or "Unicode text" (UTF-16 with tabs). Every one of them is read.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from pathlib import Path

from jobs.text import folding

# Column names an operator may write, folded (lower case, no diacritics): English or Vietnamese.
HEADER_ALIASES = {
    "code": ("code", "ma", "ma don vi", "ma so"),
    "name": ("name", "ten", "ten don vi"),
    "kind": ("kind", "loai", "loai don vi", "cap"),
    "parent": ("parent", "don vi cap tren", "cap tren", "ma don vi cap tren", "ma cap tren",
               "truc thuoc"),
}

# Kind names as Vietnamese write them (folded) → isobot's kinds. Since 1 July 2025 a
# "thành phố" is a province-level city and an "đặc khu" (special zone) a commune-level unit.
KIND_ALIASES = {
    "tinh": "province", "thanh pho": "province", "ubnd tinh": "province",
    "so": "department", "ban": "department", "nganh": "department", "so ban nganh": "department",
    "huyen": "district", "quan": "district", "thi xa": "district",
    "xa": "commune", "thi tran": "commune", "dac khu": "commune",
    "phuong": "ward",
    "phong": "office", "chi cuc": "office", "van phong": "office",
    "truong": "school", "truong hoc": "school",
    "don vi su nghiep": "agency", "trung tam": "agency", "ban quan ly": "agency",
}

_ENCODINGS = ("utf-8-sig", "cp1258", "cp1252")


class UnreadableFile(Exception):
    """The bytes are not a spreadsheet or text table isobot can read."""


def fold(cell: str) -> str:
    """A cell as typed text is matched (:func:`jobs.text.folding.fold`), an underscore read as
    a space: "Đơn vị cấp trên" → "don vi cap tren", "parent_code" → "parent code"."""
    return folding.fold(cell.replace("_", " "))


def column_of(header: str) -> str | None:
    """The isobot column a header cell names, if any."""
    folded = fold(header)
    return next((column for column, names in HEADER_ALIASES.items() if folded in names), None)


def kind_of(value: str) -> str:
    """isobot's kind for a kind cell (English or Vietnamese); an unknown one as written."""
    return KIND_ALIASES.get(fold(value), value.strip().lower())


def read_csv_table(path: Path) -> list[list[str]]:
    """The cells of a text table in any of the encodings Excel writes, NFC-normalised."""
    text = decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return [[unicodedata.normalize("NFC", cell) for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def decode(data: bytes) -> str:
    """Text from bytes: UTF-16 by its byte-order mark, else UTF-8, else the Windows code pages."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile("utf-16") from error
    if b"\x00" in data:
        raise UnreadableFile("binary")
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("encoding")


def read_xlsx_table(path: Path) -> list[list]:
    """The cells of the first sheet of an XLSX file."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise UnreadableFile("xlsx") from error
    try:
        sheet = workbook.worksheets[0]
        return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
