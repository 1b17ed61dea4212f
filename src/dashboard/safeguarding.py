"""The safeguarding guard: text that looks like a UK postcode is never stored, because the locations of children's
homes are never stored (a property is a reference code and a district, nothing more).

Every text cell of every importer and every form field is checked with `postcode_problem` before anything is
written. The text is first brought to a skeleton (`skeleton`), so that a postcode disguised in how it is typed is
still seen:

1. Compatibility decomposition (NFKD, which folds all NFKC folds: full-width "ＳＧ１", circled, superscript and
   mathematical letters and digits), then combining marks are dropped ("Ś" is "S").
2. Invisible characters are removed: every format character (Unicode category Cf: zero-width space, zero-width
   joiners, word joiner, byte-order mark, soft hyphen, bidirectional marks, tags) and the blank letters that show as
   nothing (Hangul fillers U+115F, U+1160, U+3164, U+FFA0; Braille blank U+2800).
3. Look-alikes become Latin: the Cyrillic and Greek letters in `CONFUSABLES` (capital and small look-alikes of A B C
   D E H I J K L M N O P Q R S T U V W X Y Z, and Cyrillic Ze З as the digit 3); Latin small capitals, dotless i,
   script g and letters with a stroke, bar or hook ("ɢ", "Ø") as their plain letter; a digit of any script ("٢") as
   its 0-9. Then everything is upper case.
4. Separators: a run of whitespace is one space; a run of punctuation and symbols (- _ . / \\ , : ; · | + £ and every
   other Unicode punctuation or symbol, and control characters) is one separator, whether or not spaces are in it.

The skeleton is searched for a full postcode: an outward code (A9, A99, A9A, AA9, AA99, AA9A, or GIR) and an inward
code (9AA), where the first letter is never Q, V or X, the second never I, J or Z, and the inward letters never C, I,
K, M, O or V (BS 7666's rules, which make fewer ordinary texts look like postcodes). Between the two codes there may
be nothing, a space or a separator. Inside the codes:

- no separators: found anywhere, glued to other words or not ("SG1 2AB", "sg12ab", "SG1-2AB", "SG1_2AB",
  "nearSG12AB", "solo_SG12AB", "SG12ABhome");
- a separator between every two characters (and between the codes): found anywhere ("S.G.1 2.A.B", "S. G. 1 2. A.
  B", "nearS-G-1-2-A-B");
- separators between some characters: found only standing apart from other letters and digits ("SG-1 2AB",
  "(S.G1 2AB)"), so that a word glued to a code with a hyphen in it ("COVID-19 2nd") is not taken for one.

What is refused although it is no postcode, because it has the same shape: a letter (or two) and a digit, then a
digit and two letters, such as "Phase1 2nd", "Block B2 3rd floor", "B2-3rd", or a web address or code holding
"ab1c2de". Write "Phase 1, second floor" instead. What is not refused: a bare space between the characters of a code
("S G 1 2 A B" reads as separate words), a letter typed for a digit ("SG1 OAB"), look-alike letters of other scripts
(Cherokee, Armenian), a code with separators in some places glued to a word ("nearSG-1 2AB"), and an outward code on
its own ("SG1", which the postcode-district lookup holds by design)."""

from __future__ import annotations

import re
import unicodedata

MESSAGE = "looks like a postcode: locations of homes are never stored"

# Step 3: look-alikes of Latin letters (and Cyrillic Ze of 3), capital and small, from the Cyrillic and Greek scripts.
CONFUSABLES: dict[str, str] = {
    **dict(zip("АВСЕНІЈКМОРЅТХУҮԚԜӀЗ", "ABCEHIJKMOPSTXYYQWI3", strict=True)),  # Cyrillic capitals
    **dict(zip("авсеһіјкмопрѕтхуүԛԝӏԁзьг", "ABCEHIJKMONPSTXYYQWLD3BR", strict=True)),  # Cyrillic small
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),  # Greek capitals
    **dict(zip("αβγεικνορτυχω", "ABYEIKVOPTUXW", strict=True)),  # Greek small
}
INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Latin letters drawn with something extra ("Ø", "ɢ", "ı"): their plain letter, from the Unicode name.
LATIN_VARIANT = re.compile(r"LATIN (?:CAPITAL |SMALL )?LETTER (?:SMALL CAPITAL |DOTLESS |SCRIPT )?([A-Z])(?: WITH .*)?")
SPACE, PUNCTUATION, MIXED = " ", ".", ","  # the skeleton's separators (step 4)
# Step 4 on the folded text, where every space is " " and every punctuation or symbol ".": a run holding both is ",".
MIXED_RUN, PUNCTUATION_RUN, SPACE_RUN = re.compile(r"(?: +\.|\.+ )[ .]*"), re.compile(r"\.{2,}"), re.compile(r" {2,}")

# The search. L1, L2: the outward code's first and second letter; LI: an inward letter (BS 7666).
L1, L2, LI = "[A-PR-UWYZ]", "[A-HK-Y]", "[ABD-HJLNP-UW-Z]"
APART = "[^ .,]"  # a character that glues a code to a word: anything but a space or separator


def _code(inside: str, between: str) -> str:
    """A full postcode's pattern: `inside` between any two characters of the outward or of the inward code,
    `between` between the two codes."""
    outward = rf"(?:{L1}{inside}(?:{L2}{inside})?[0-9](?:{inside}[0-9A-Z])?|G{inside}I{inside}R)"
    return rf"{outward}{between}{_inward(inside)}"


def _inward(inside: str) -> str:
    return rf"[0-9]{inside}{LI}{inside}{LI}"


# What every postcode holds, looked for before step 4 (where a separator is still a run of " " and "."), quickly as
# it starts with a digit: the rest of the work is done only for text that has it.
INWARD_CODE = re.compile(_inward(r"(?:[ .]*\.[ .]*)?"))


POSTCODE = re.compile(
    "|".join(
        (
            # Nothing inside the codes: found anywhere, glued to words or not ("nearSG12AB", "SG1-2ABhome").
            _code("", "[ .,]?"),
            # A separator between every two characters: found anywhere ("nearS-G-1-2-A-B").
            _code("[.,]", "[ .,]"),
            # Separators between some characters: found only standing apart from words ("SG-1 2AB", "S.G1 2AB").
            rf"(?<!{APART}){_code('[.,]?', '[ .,]?')}(?!{APART})",
        )
    )
)


class _Fold(dict):
    """str.translate's table for the skeleton, each character worked out the first time it is met (and kept, up to
    a bound: a file of every character there is should not fill the app's memory)."""

    LIMIT = 20_000

    def __missing__(self, code: int) -> str | None:
        folded = _fold(chr(code))
        if len(self) < self.LIMIT:
            self[code] = folded
        return folded


_TABLE = _Fold()


def _fold(char: str) -> str | None:
    """One character (already decomposed) as the skeleton has it: a Latin capital or digit, a space, a separator,
    nothing (None) or, for a letter with no Latin look-alike, itself in upper case."""
    category = unicodedata.category(char)
    if category in {"Cf", "Mn", "Me"} or char in INVISIBLE_LETTERS:
        return None
    if char in CONFUSABLES:
        return CONFUSABLES[char]
    if char.isspace() or category[0] == "Z":
        return SPACE
    if category[0] in {"P", "S"} or category == "Cc":
        return PUNCTUATION
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    if char.isascii():
        return char.upper()
    variant = LATIN_VARIANT.fullmatch(unicodedata.name(char, ""))
    if variant:
        return variant.group(1)
    upper = char.upper()
    return CONFUSABLES.get(upper, upper)


# The same folding for ASCII text, as a byte table (no ASCII character folds to nothing or to two).
_ASCII_TABLE = bytes(ord(_fold(chr(code)) or SPACE) for code in range(128)) + bytes(range(128, 256))


def _folded(text: str) -> str:
    """Steps 1 to 3, and each separator as " " or "."."""
    if text.isascii():  # most text: the same folding, byte by byte (decomposition changes no ASCII character)
        return text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    return unicodedata.normalize("NFKD", text).translate(_TABLE)


def _one_separator_per_run(folded: str) -> str:
    """Step 4: a run of separators as one, " " if it is only spaces, "." if it holds no space, else ","."""
    return SPACE_RUN.sub(SPACE, PUNCTUATION_RUN.sub(PUNCTUATION, MIXED_RUN.sub(MIXED, folded)))


def skeleton(text: str) -> str:
    """The text as the guard searches it (steps 1 to 4 of the module's description)."""
    return _one_separator_per_run(_folded(text))


def looks_like_postcode(text: str) -> bool:
    folded = _folded(text)
    return bool(INWARD_CODE.search(folded) and POSTCODE.search(_one_separator_per_run(folded)))


def postcode_problem(text: object) -> str | None:
    """The guard's one message when `text` looks like a postcode, else None (and None for anything not text)."""
    return MESSAGE if isinstance(text, str) and looks_like_postcode(text) else None


def file_name_problem(name: str) -> str | None:
    """The guard's message for a file whose name looks like a postcode (rows that state no provenance are kept as
    "imported from" the file), else None."""
    return f"the file's name {MESSAGE}: rename the file" if looks_like_postcode(name) else None


def guarded(text: str) -> str:
    """`text` as it is, or ValueError with the guard's message: for readers that report a cell's fault so."""
    if looks_like_postcode(text):
        raise ValueError(MESSAGE)
    return text
