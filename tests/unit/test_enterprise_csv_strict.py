"""Decoding and parsing strictness of the registry CSV (issue 17, "Damaged files accepted"):
a Big5 file was imported as garbage (GB18030 decodes it without an error), a file cut inside its
last column imported a truncated value, `M-9` and `m-9` became two companies, and the export
wrote `=HYPERLINK(…)`, `+1+1`, `@SUM(…)` as they are."""

from __future__ import annotations

import csv
import io

import pytest

from bot.domain import enterprise_csv
from bot.domain.enterprise_csv import UnreadableFile, decode, parse, write
from bot.domain.spreadsheet import neutralise, restore

BUILDINGS = {"GOHIGH": 1, "PARKPL": 2}
HEADER = "key,name,name_en,building,colour,notes"
TRADITIONAL = "台北辦公室有限公司,軟體開發股份有限公司,資訊科技顧問公司,臺灣積體電路製造股份有限公司"


def test_big5_is_refused_naming_big5_not_decoded_as_gb18030() -> None:
    rows = [HEADER] + [f"TW-{i},{name},Co {i},GOHIGH,,\r" for i, name in enumerate(TRADITIONAL.split(","))]
    data = "\n".join(rows).encode("big5")
    data.decode("gb18030")  # the old decoder's fallback: no error, only garbage
    with pytest.raises(UnreadableFile) as refused:
        decode(data)
    assert refused.value.msgid == enterprise_csv.WRONG_ENCODING
    assert refused.value.params == {"encoding": "Big5"}
    assert "Big5" in str(refused.value)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("key,name\r\nK1,英桥集团上海有限公司\r\n".encode("gbk"), "gbk"),
        ("key,name\nK1,堃喆科技（上海）有限公司，静安\n".encode("gb18030"), "gbk"),  # a few rare hanzi
        ("\ufeffkey,name\r\nK1,英桥集团\r\n".encode(), "utf-8"),
        (b"key,name\nK1,Acme\n", "utf-8"),
    ],
)
def test_utf8_with_or_without_bom_and_plausible_gbk_are_read(data: bytes, encoding: str) -> None:
    text, found = decode(data)
    assert found == encoding
    assert "K1" in text and not text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        ("key,name\r\nK1,英桥\r\n".encode("utf-16"), enterprise_csv.UTF16),
        (b"PK\x03\x04\x14\x00\x00\x00binary xlsx", enterprise_csv.BINARY),
        (
            b"\xef\xbb\xbfkey,name\nK1,\xb2\xe2\xca\xd4\n",
            enterprise_csv.WRONG_ENCODING,
        ),  # GBK behind a UTF-8 BOM
    ],
)
def test_other_files_are_refused_with_a_reason(data: bytes, msgid: str) -> None:
    with pytest.raises(UnreadableFile) as refused:
        decode(data)
    assert refused.value.msgid in (msgid, enterprise_csv.UNKNOWN_ENCODING)


def test_a_quoted_field_cut_at_the_end_of_the_file_refuses_the_file() -> None:
    data = f'{HEADER}\r\nK1,甲公司,A Co,GOHIGH,red,"fine"\r\nK2,乙公司,B Co,GOHIGH,blue,"moved to 12F, rent'.encode()
    with pytest.raises(UnreadableFile) as refused:
        parse(data, BUILDINGS)
    assert refused.value.msgid == enterprise_csv.CUT_QUOTE
    assert refused.value.params == {"line": 3}


def test_a_last_row_cut_short_without_a_line_end_refuses_the_file() -> None:
    data = f"{HEADER}\nK1,甲公司,A Co,GOHIGH,red,note\nK2,乙公司,B Co,GOH".encode()
    with pytest.raises(UnreadableFile) as refused:
        parse(data, BUILDINGS)
    assert refused.value.msgid == enterprise_csv.CUT_ROW


def test_a_complete_last_row_without_a_line_end_is_fine() -> None:
    parsed = parse(
        f"{HEADER}\nK1,甲公司,A Co,GOHIGH,red,note\nK2,乙公司,B Co,GOHIGH,blue,ok".encode(), BUILDINGS
    )
    assert [r.key for r in parsed.rows] == ["K1", "K2"] and parsed.rejected == []


def test_keys_are_compared_trimmed_and_ignoring_case() -> None:
    data = f"{HEADER}\nM-9,甲公司,A,GOHIGH,,\n m-9 ,乙公司,B,GOHIGH,,\nM-10,丙公司,C,GOHIGH,,\n".encode()
    parsed = parse(data, BUILDINGS)
    assert [r.key for r in parsed.rows] == ["M-9", "M-10"]
    (dup,) = parsed.rejected
    assert (dup.line, dup.key, dup.params) == (3, "m-9", {"key": "m-9", "line": 2})


def test_a_garbled_quote_rejects_its_row_only() -> None:
    data = f'{HEADER}\nK1,"甲"公司,A,GOHIGH,,\nK2,乙公司,B,GOHIGH,,\n'.encode()
    parsed = parse(data, BUILDINGS)
    assert [r.key for r in parsed.rows] == ["K2"]
    assert [(r.line, r.msgid) for r in parsed.rejected] == [(2, enterprise_csv.BAD_LINE)]


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"]


def test_the_export_neutralises_formulas_and_the_import_restores_them() -> None:
    rows = [
        {"key": f"K{i}", "name": value, "building": "GOHIGH", "notes": value}
        for i, value in enumerate(FORMULAS)
    ]
    text = write(rows)
    cells = [cell for row in list(csv.reader(io.StringIO(text, newline="")))[1:] for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    back = parse(text.encode("utf-8-sig"), BUILDINGS)
    assert [r.name for r in back.rows] == [" ".join(v.split()) for v in FORMULAS]
    assert [r.notes for r in back.rows] == [" ".join(v.split()) for v in FORMULAS]


@pytest.mark.parametrize("value", ["plain", "'quoted by hand", "", "1-9", "=1"])
def test_restore_undoes_neutralise(value: str) -> None:
    assert restore(neutralise(value)) == value
