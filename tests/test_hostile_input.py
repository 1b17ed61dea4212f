"""Hostile files through every importer the app and the command line use: random bytes, broken encodings, huge
cells, NUL bytes, formulas and markup. Each ends in a clear report or a correct write: never an exception, never a
partial write. (Seeded, so a failure can be replayed.)"""

from __future__ import annotations

import random
from datetime import date

import pytest

from dashboard.roles import Actor, Role
from dashboard.uploads import KINDS, run_upload
from tests.conftest import dump

EDITOR = Actor("ed@herts.gov.uk", "test", Role.EDITOR)
TODAY = date(2026, 11, 25)
HEADERS = {
    "Programme spreadsheet": "Reference,Phase,District,Provision model,Planned beds,Notes",
    "SSDA903 return": "CHILD,DECOM,RNE,LS,PLACE,PLACE_PROVIDER,DEC,PL_POST",
    "Postcode-district lookup": "Postcode district,Local authority",
    "Ofsted provider-level data": "URN,Provision type,Local authority,Sector,Places,Overall effectiveness",
}
NASTY_CELLS = [
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "a" * 200_000,
    "\x00",
    '"unclosed',
    "£€\u202e",
    "-1",
    "31/02/2024",
    "SG1 2AB",
    "",
    " ",
    "\r\n",
]


def hostile_files(seed: int, header: str) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    files = [("random.csv", rng.randbytes(rng.randrange(0, 4000))) for _ in range(5)]
    files.append(("bom-only.csv", b"\xef\xbb\xbf"))
    files.append(("latin1.csv", (header + "\n" + "é,ü,ß\n").encode("latin-1")))
    for _ in range(8):
        width = len(header.split(","))
        rows = [",".join(rng.choice(NASTY_CELLS) for _ in range(width)) for _ in range(rng.randrange(1, 4))]
        files.append(("nasty.csv", (header + "\n" + "\n".join(rows)).encode("utf-8", "surrogatepass")))
    files.append(("not-a-workbook.xlsx", b"PK\x03\x04 broken zip"))
    return files


@pytest.mark.parametrize("kind", KINDS, ids=[kind.label for kind in KINDS])
def test_every_hostile_file_ends_in_a_report_or_a_whole_write(shared_engine, kind):
    tried = 0
    for name, data in hostile_files(seed=len(kind.label), header=HEADERS[kind.label]):
        if name.endswith(".xlsx") and "xlsx" not in kind.types:
            continue
        before = dump(shared_engine)
        report = run_upload(kind, shared_engine, name, data, EDITOR, dry_run=False, today=TODAY)
        tried += 1
        if report.ok:  # a file that happens to be valid: it is written whole, and said so
            assert report.written, (name, data[:80])
            dump_after = dump(shared_engine)
            assert dump_after != before or "0 new" in report.summary() or "unchanged" in report.summary()
        else:
            assert report.problems and not report.written
            assert dump(shared_engine) == before, f"{name} wrote something though it was refused"
            assert all(problem.message for problem in report.problems)
    assert tried >= 14
