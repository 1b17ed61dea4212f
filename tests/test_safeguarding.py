"""The safeguarding guard (dashboard.safeguarding): a UK postcode is refused in every disguise the module documents,
ordinary text passes, and every importer and form that stores text refuses one, naming row and column, with the
store unchanged. Examples are generated afresh each run from a fixed seed (derandomize), so a failure replays."""

from __future__ import annotations

import csv
import io
import string
import time
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from dashboard import editing, lookup, market
from dashboard.audit import NAME_WITHHELD
from dashboard.demo import build_demo
from dashboard.importing import import_path
from dashboard.models import AuditEntry
from dashboard.roles import Actor, Role
from dashboard.safeguarding import (
    _TABLE,
    MESSAGE,
    _Fold,
    file_name_problem,
    looks_like_postcode,
    postcode_problem,
    skeleton,
)
from tests.conftest import NEW_PROPERTY, SEED_TODAY, dump, examples, write_csv

EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)
MANY = settings(
    max_examples=examples(500),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# ---------------------------------------------------------------- generated postcodes and their disguises

# BS 7666: the letters each position may hold (the guard itself is only told the first, second and inward rules).
FIRST, SECOND = "ABCDEFGHIJKLMNOPRSTUWYZ", "ABCDEFGHKLMNOPQRSTUVWXY"
THIRD, FOURTH = "ABCDEFGHJKPSTUW", "ABEHMNPRVWXY"  # the letter ending an A9A or AA9A outward code
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
DIGITS = string.digits


def _code(*pools: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from(pool) for pool in pools)).map("".join)


# (outward, inward) of a postcode in any of the six forms: A9, A99, A9A, AA9, AA99, AA9A.
POSTCODES = st.tuples(
    st.one_of(
        _code(FIRST, DIGITS),
        _code(FIRST, DIGITS, DIGITS),
        _code(FIRST, DIGITS, THIRD),
        _code(FIRST, SECOND, DIGITS),
        _code(FIRST, SECOND, DIGITS, DIGITS),
        _code(FIRST, SECOND, DIGITS, FOURTH),
    ),
    _code(DIGITS, INWARD, INWARD),
)


# Look-alikes typed for a Latin letter or digit: Cyrillic, Greek, Latin small capitals and other scripts' digits.
LOOK_ALIKES: dict[str, str] = {
    "A": "АаΑα",
    "B": "ВвΒβʙ",
    "C": "Сс",
    "D": "ԁ",
    "E": "ЕеΕεᴇ",
    "G": "ɢ",
    "H": "НһΗʜ",
    "I": "ІіΙιı",
    "J": "Јјᴊ",
    "K": "КкΚκᴋ",
    "L": "ʟ",
    "M": "МмΜᴍ",
    "N": "Νпɴ",
    "O": "ОоΟοᴏ",
    "P": "РрΡρᴘ",
    "Q": "Ԛԛ",
    "R": "ʀг",
    "S": "Ѕѕꜱ",
    "T": "ТтΤτᴛ",
    "U": "υᴜ",
    "V": "νᴠ",
    "W": "Ԝԝωᴡ",
    "X": "ХхΧχ",
    "Y": "УуҮүΥγ",
    "Z": "Ζᴢ",
    "0": "٠۰०⁰⓪",
    "1": "١۱१¹①",
    "2": "٢۲२²②",
    "3": "Зз٣३³③",
    "4": "٤४⁴④",
    "5": "٥५⁵⑤",
    "6": "٦६⁶⑥",
    "7": "٧७⁷⑦",
    "8": "٨८⁸⑧",
    "9": "٩९⁹⑨",
}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u2062", "\u3164", "\u2800"]
SEPARATORS = [
    "-",
    "_",
    ".",
    "/",
    "\\",
    ",",
    ":",
    ";",
    "·",
    "|",
    "+",
    "–",
    "—",
    "•",
    "'",
    "*",
    "~",
    "#",
    "(",
    ")",
    " - ",
    ". ",
    ", ",
    " / ",
    "--",
    "\u2010",
    "－",
]
SPACES = [" ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000"]


def _guises(char: str) -> list[str]:
    """One character of a code as someone might type it: either case, full-width, mathematical bold or a
    look-alike."""
    bold = chr(0x1D7CE + int(char)) if char.isdigit() else chr(0x1D400 + ord(char) - ord("A"))
    return [char, char.lower(), chr(ord(char) + 0xFEE0), bold, *LOOK_ALIKES.get(char, "")]


TYPED = {char: st.sampled_from(_guises(char)) for char in string.ascii_uppercase + DIGITS}
SEPARATOR, INSIDE = st.sampled_from(SEPARATORS), st.sampled_from(["", *SEPARATORS])
GAP = st.sampled_from(["", *SEPARATORS, *SPACES])


@st.composite
def with_invisibles(draw, text: str) -> str:
    """`text` with zero-width and other invisible characters put anywhere in it."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 4))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(INVISIBLE)))
    return "".join(chars)


WORDS = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)


@st.composite
def disguised(draw) -> str:
    """A postcode as the module says it is refused anywhere: no separator inside its codes, or one between every
    two characters; any gap between the codes; each character in any guise; invisibles anywhere; glued to words."""
    outward, inward = draw(POSTCODES)
    every = draw(st.booleans())  # a separator between every two characters, or none inside the codes
    inside = (lambda: draw(SEPARATOR)) if every else (lambda: "")
    between = draw(GAP.filter(bool) if every else GAP)  # spaced out: something between the codes too

    def part(code: str) -> str:
        chars = [draw(TYPED[char]) for char in code]
        return chars[0] + "".join(inside() + char for char in chars[1:])

    code = draw(with_invisibles(part(outward) + between + part(inward)))
    left, right = draw(st.one_of(st.just(""), WORDS)), draw(st.one_of(st.just(""), WORDS))
    return left + code + right


@st.composite
def standing_apart(draw) -> str:
    """A postcode standing apart from other words (a space, a separator or the text's end each side), with a
    separator between any of its characters or none."""
    outward, inward = draw(POSTCODES)

    def part(code: str) -> str:
        return draw(TYPED[code[0]]) + "".join(draw(INSIDE) + draw(TYPED[char]) for char in code[1:])

    code = part(outward) + draw(GAP) + part(inward)
    edge = st.one_of(st.just(""), st.tuples(WORDS, st.sampled_from([*SPACES, *SEPARATORS])).map("".join))
    return draw(edge) + code + "".join(reversed(draw(edge)))


@settings(MANY, max_examples=examples(200))
@given(postcode=POSTCODES, lower=st.booleans())
def test_every_postcode_is_refused_as_written(postcode, lower):
    text = " ".join(postcode)
    assert looks_like_postcode(text.lower() if lower else text)
    assert looks_like_postcode("".join(postcode))


@MANY
@given(text=disguised())
def test_every_postcode_is_refused_in_every_disguise(text):
    assert looks_like_postcode(text), repr(text)
    assert postcode_problem(text) == MESSAGE


@settings(MANY, max_examples=examples(300))
@given(text=standing_apart())
def test_a_postcode_standing_apart_is_refused_with_separators_anywhere_inside(text):
    assert looks_like_postcode(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "SG1-2AB",
        "ＳＧ１ ２ＡＢ",
        "\u0405G1 2\u0410\u0412",
        "SG1\u200b2AB",
        "nearSG12AB",
        "SG1_2AB",
        "S.G.1 2.A.B",
        "solo_SG12AB",
        "S. G. 1 2. A. B",
        "SG-1 2AB",
        "(S.G1 2AB)",
        "nearS-G-1-2-A-B",
        "al10 9ab",
        "w1a1aa",
        "EC1A 1BB",
        "GIR 0AA",
        "S\u00adG1 2AB",
        "S\u200dG\u20601 2\ufeffAB",
        "ｓｇ１２ａｂ",
        "SG1\n2AB",
        "SG12ABhome",
    ],
)
def test_the_issues_disguises_are_refused(text):
    assert looks_like_postcode(text)


ORDINARY = [
    "Registered with Ofsted in March; 4 beds",
    "Ward 12 beds",
    "12-bed home",
    "2 x 3-bed units",
    "01/06/2025",
    "£450,000",
    "£1,250,000.00",
    "RS-P1-01",
    "RS-P3-12",
    "HCC-2024-B147",
    "B147/24",
    "DEMO-000001/survey",
    "Long-term, ages 8 to 17",
    "16+ move-on",
    "Step-down from secure care",
    "Solo or emergency",
    "St Albans City and District",
    "Welwyn Hatfield",
    "North Herts",
    "Kingston upon Hull, City of",
    "E07000095",
    "COVID-19 2nd wave",
    "about £3.1bn a year",
    "B-2, 3-bed",
    "Reg 44 visit on 12/03/2024",
    "Phase 2, 3 homes",
    "Opened 2023-10-07 with 4 beds",
    "Cabinet 14 Aug 2025, item 7",
    "Q1 2025",
    "10:00am-2pm",
    "Provenance: decision record B147/24: title; illustrative",
    "Ofsted URN SC123456",
    "4x3 bed",
    "Covid 19 2nd wave",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_passes(text):
    assert not looks_like_postcode(text)
    assert postcode_problem(text) is None


@pytest.mark.parametrize("text", ["Phase1 2nd", "Block B2 3rd floor", "B2-3rd", "see example.org/ab1c2de"])
def test_ordinary_text_of_a_postcodes_shape_is_refused_as_documented(text):
    assert looks_like_postcode(text)


@pytest.mark.parametrize("text", ["S G 1 2 A B", "SG1 OAB", "nearSG-1 2AB", "SG1", "AL10"])
def test_what_the_guard_documents_as_passing_passes(text):
    assert not looks_like_postcode(text)


# Words of letters (with inner or trailing punctuation) and numbers (digits with inner , . / : and a leading £),
# separated by whitespace: a digit is never followed by a letter without a space between.
LETTER_WORD = st.tuples(
    st.text(alphabet=string.ascii_letters + "éèçñ", min_size=1, max_size=8),
    st.sampled_from(["", "'s", "-up", "-bed", "'"]),
    st.sampled_from(["", ",", ";", ":", ".", "!", "?", ")"]),
).map("".join)
NUMBER_WORD = st.tuples(
    st.sampled_from(["", "£"]),
    st.lists(st.integers(0, 9999).map(str), min_size=1, max_size=3),
    st.sampled_from([",", ".", "/", ":"]),
).map(lambda parts: parts[0] + parts[2].join(parts[1]))


@settings(MANY, max_examples=examples(300))
@given(words=st.lists(st.one_of(LETTER_WORD, NUMBER_WORD), max_size=12), space=st.sampled_from(SPACES))
def test_text_whose_digits_never_run_into_letters_passes(words, space):
    text = space.join(words)
    assert not looks_like_postcode(text), repr(text)


def _no_digit(char: str) -> bool:
    """Nothing in the character that the guard could read as a digit."""
    return char not in "Зз" and not any(c.isdecimal() for c in unicodedata.normalize("NFKD", char))


@settings(MANY, max_examples=examples(300))
@given(
    text=st.text(alphabet=st.characters(codec="utf-8").filter(_no_digit), max_size=60),
    digit=st.sampled_from(DIGITS),
    at=st.integers(0, 60),
)
def test_any_text_with_fewer_than_two_digits_passes(text, digit, at):
    assert not looks_like_postcode(text[:at] + digit + text[at:]), repr(text)


@settings(MANY, max_examples=examples(200))
@given(text=st.text(alphabet=string.printable, max_size=40))
def test_ascii_text_is_folded_as_any_other_text(text):
    # ASCII text takes a quicker path; a zero-width space (removed by the fold) sends it down the general one.
    assert skeleton(text) == skeleton(text + "\u200b")


def test_a_text_of_every_character_neither_fails_nor_fills_memory():
    every = "".join(chr(code) for code in range(0x20, 0x10000) if not 0xD800 <= code < 0xE000)
    assert looks_like_postcode(every + " SG1 2AB")
    assert len(_TABLE) <= _Fold.LIMIT


def test_the_guard_is_quick_on_long_and_hostile_text():
    texts = ["S.G." * 5_000, "SG1 " * 5_000, "a1 " * 5_000, "\u200b" * 20_000, "Ｓ" * 20_000]
    started = time.perf_counter()
    assert all(not looks_like_postcode(text) for text in texts)
    assert time.perf_counter() - started < 2


# ---------------------------------------------------------------- what the project itself writes passes


def _strings(cell: object) -> Iterator[str]:
    if isinstance(cell, str):
        yield cell
    elif isinstance(cell, dict):  # the audit log's before and after
        for value in cell.values():
            yield from _strings(value)


def _texts(engine: Engine) -> list[str]:
    """Every text value in the store, the audit log's included."""
    return [text for rows in dump(engine).values() for row in rows for cell in row for text in _strings(cell)]


def test_the_seed_and_reference_data_pass_the_guard(shared_engine):
    texts = _texts(shared_engine)
    assert any("B147/24" in text for text in texts), "the seed was not loaded"
    assert [text for text in texts if looks_like_postcode(text)] == []


def test_the_synthetic_demo_data_passes_the_guard(empty_engine):
    build_demo(empty_engine, 60, seed=3, today=SEED_TODAY)
    texts = _texts(empty_engine)
    assert any(text.startswith("DEMO-") for text in texts)
    assert [text for text in texts if looks_like_postcode(text)] == []
    assert not looks_like_postcode("DEMO-999999/ofsted_registration")  # the widest reference it makes


# ---------------------------------------------------------------- end to end: nothing is stored

ISSUE_DISGUISES = [
    "SG1-2AB",
    "ＳＧ１ ２ＡＢ",
    "\u0405G1 2\u0410\u0412",
    "SG1\u200b2AB",
    "nearSG12AB",
    "SG1_2AB",
    "S.G.1 2.A.B",
    "solo_SG12AB",
]


def assert_refused_at(engine: Engine, run, *where: tuple[int, str]) -> None:
    """The import is refused naming exactly these (row, column) places with the guard's message, writing nothing."""
    before = dump(engine)
    report = run()
    assert not report.ok and not report.written
    assert {(p.row, p.column) for p in report.problems} == set(where), report.summary()
    assert all(MESSAGE in p.message for p in report.problems), report.summary()
    assert dump(engine) == before


@pytest.mark.parametrize("column", ["Notes", "Specialism"])
@pytest.mark.parametrize("postcode", ISSUE_DISGUISES)
def test_a_disguised_postcode_in_a_programme_file_is_refused(shared_engine, tmp_path, column, postcode):
    rows = [NEW_PROPERTY, {**NEW_PROPERTY, "Reference": "NEW-02", column: f"Next to {postcode} for now"}]
    path = write_csv(tmp_path / "properties.csv", rows)

    assert_refused_at(shared_engine, lambda: import_path(shared_engine, path, EDITOR, today=SEED_TODAY), (3, column))


@pytest.mark.parametrize("postcode", ISSUE_DISGUISES)
def test_a_disguised_postcode_in_a_form_is_refused_naming_the_field(shared_engine, postcode):
    draft = editing.open_property(shared_engine, "RS-P2-01")
    decision = {"reference": "B999/26", "title": f"Buy {postcode}", "decision_type": "Executive", "key_decision": "no"}
    before = dump(shared_engine)

    for save, field in (
        (
            lambda: editing.save_property(
                shared_engine, EDITOR, draft, {**draft.values, "specialism": postcode}, SEED_TODAY
            ),
            "Specialism",
        ),
        (lambda: editing.add_decision(shared_engine, EDITOR, decision, SEED_TODAY), "Title"),
    ):
        with pytest.raises(editing.InvalidEdit) as refused:
            save()
        assert refused.value.problems == [(field, MESSAGE)]
    assert dump(shared_engine) == before


def test_a_programme_file_named_like_a_postcode_is_refused(shared_engine, tmp_path):
    path = write_csv(tmp_path / "Oak Lodge SG1 2AB.csv", [NEW_PROPERTY])
    before = dump(shared_engine)

    report = import_path(shared_engine, path, EDITOR, today=SEED_TODAY)

    assert not report.ok and [p.message for p in report.problems] == [file_name_problem(path.name)]
    assert dump(shared_engine) == before


def test_a_postcode_in_the_lookups_local_authority_is_refused(empty_engine, tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text(
        "Postcode district,Local authority\nAL1,Hertfordshire\nSG1,Stevenage SG1 2AB\nLU1,Luton\n"
        "WD1,Watford\u200bWD17\u200b1AA\n",
        encoding="utf-8",
    )

    assert_refused_at(
        empty_engine,
        lambda: lookup.import_lookup(empty_engine, path, EDITOR),
        (3, "Local authority"),
        (5, "Local authority"),
    )


OFSTED_HEADERS = [
    "URN",
    "Provision type",
    "Name",
    "Postcode",
    "Local authority",
    "Sector",
    "Places",
    "Overall experiences and progress of children and young people",
]


def test_a_postcode_in_the_ofsted_files_local_authority_is_refused(empty_engine, tmp_path):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["Children's social care data in England 2024 – Provider level as at 31 March 2024"],
            OFSTED_HEADERS,
            ["SC000001", "Children's home", "REDACTED", "", "Hertfordshire", "Private", "4", "Good"],
            ["SC000002", "Children's home", "REDACTED", "", "Hertfordshire (ＡＬ１ ３ＸＹ)", "Private", "3", "Good"],
        ]
    )
    path = tmp_path / "providers.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")

    assert_refused_at(empty_engine, lambda: market.import_ofsted(empty_engine, path, EDITOR), (4, "Local authority"))


def test_a_file_name_that_looks_like_a_postcode_is_withheld_from_the_audit_log(empty_engine, tmp_path):
    path = tmp_path / "districts SG1 2AB.csv"
    path.write_text("Postcode district,Local authority\nSG1,Hertfordshire\n", encoding="utf-8")

    report = lookup.import_lookup(empty_engine, path, Actor(EDITOR.user, f"import {path.name}", Role.EDITOR))

    assert report.written, report.summary()
    with empty_engine.connect() as connection:
        entry = connection.execute(
            select(AuditEntry.source, AuditEntry.entity_ref).where(AuditEntry.entity == "postcode_district")
        ).one()
    assert tuple(entry) == (f"import {NAME_WITHHELD}", NAME_WITHHELD)
    assert [text for text in _texts(empty_engine) if looks_like_postcode(text)] == []
