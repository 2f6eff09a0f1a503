"""Vietnamese text rules: accent-insensitive search keys, collation and input cleaning."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from counter_app.domain.errors import ValidationError

# --- folding (search) -------------------------------------------------------------------

# đ does not decompose under NFD. ð (U+00F0, lower of Ð U+00D0) is what legacy
# Vietnamese encodings and some keyboards produce for Đ, so it folds the same way.
_FOLD_LETTERS = str.maketrans({"đ": "d", "ð": "d"})
_TOKEN_RE = re.compile(r"[^\W_]+")


def fold(s: str) -> str:
    """Accent-insensitive search key: "ĐĂNG KÝ Khai  sinh" -> "dang ky khai sinh"."""
    decomposed = unicodedata.normalize("NFD", s.lower())
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.translate(_FOLD_LETTERS).split())


def search_tokens(s: str) -> list[str]:
    """The folded words of `s` (split on anything not a letter or digit), first occurrence kept."""
    return list(dict.fromkeys(_TOKEN_RE.findall(fold(s))))


KEY_MAX = 40  # longest word or word pair kept in the name index


def pair_key(a: str, b: str) -> str:
    """The order-free key of two name words: "nguyen lan" for (lan, nguyen)."""
    return " ".join(sorted((a, b)))


def name_keys(name: str) -> list[str]:
    """What the name index stores for a name: its folded words, and every pair of them
    (order-free), so a search can start from the rarest word OR the rarest combination:
    "Phạm Thị Hoa" -> pham, thi, hoa, pham thi, hoa pham, hoa thi. Keys over KEY_MAX
    characters are left out (a word is cut to KEY_MAX first)."""
    words = list(dict.fromkeys(w[:KEY_MAX] for w in search_tokens(name)))
    pairs = [pair_key(a, b) for i, a in enumerate(words) for b in words[i + 1 :]]
    return words + [p for p in dict.fromkeys(pairs) if len(p) <= KEY_MAX]


# --- collation (sorting) ----------------------------------------------------------------

# Primary order: the Vietnamese alphabet, with f, j, w, z slotted in where Latin puts
# them (foreign names). Letters are in NFD form: base letter + breve/circumflex/horn.
_ALPHABET = (
    "a",
    "a\u0306",  # ă
    "a\u0302",  # â
    "b",
    "c",
    "d",
    "đ",
    "e",
    "e\u0302",  # ê
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "o\u0302",  # ô
    "o\u031b",  # ơ
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "u\u031b",  # ư
    "v",
    "w",
    "x",
    "y",
    "z",
)
_LETTER_RANK = {letter: 1000 + i for i, letter in enumerate(_ALPHABET)}
_LETTER_RANK["ð"] = _LETTER_RANK["đ"]
_SHAPE_MARKS = frozenset("\u0306\u0302\u031b")  # breve, circumflex, horn
# Secondary order (tones), the customary dictionary order also used by CLDR's "vi"
# tailoring: ngang (none) < huyền < hỏi < ngã < sắc < nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SPACE_RANK = 1
_PUNCT_RANK = 2
_DIGIT_BASE = 100
_OTHER_BASE = 10_000

SortKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]


def _clusters(s: str) -> list[tuple[str, str]]:
    """Split NFD text into (base character, its combining marks) pairs."""
    out: list[tuple[str, str]] = []
    for c in unicodedata.normalize("NFD", s):
        if out and unicodedata.combining(c):
            base, marks = out[-1]
            out[-1] = (base, marks + c)
        else:
            out.append((c, ""))
    return out


def _primary(base: str, marks: str) -> int:
    lower = base.lower()
    shape = "".join(m for m in marks if m in _SHAPE_MARKS)
    rank = _LETTER_RANK.get(lower + shape) or _LETTER_RANK.get(lower)
    if rank is not None:
        return rank
    if "0" <= base <= "9":
        return _DIGIT_BASE + int(base)
    if base.isspace():
        return _SPACE_RANK
    if not base.isalnum():
        return _PUNCT_RANK
    return _OTHER_BASE + ord(lower)


def _secondary(marks: str) -> int:
    tone = max((_TONE_RANK.get(m, 0) for m in marks), default=0)
    other = sum(1 for m in marks if m not in _TONE_RANK and m not in _SHAPE_MARKS)
    return tone + 10 * other


def vi_sort_key(s: str) -> SortKey:
    """Vietnamese collation key: letters (a ă â … đ after d …), then tones, then case.

    Tone order (secondary key): none < huyền < hỏi < ngã < sắc < nặng, as in the
    customary dictionaries and CLDR. Lowercase sorts before uppercase (tertiary key);
    the original string breaks any remaining tie so the order is total.
    """
    clusters = _clusters(" ".join(s.split()))
    primary = tuple(_primary(b, m) for b, m in clusters)
    secondary = tuple(_secondary(m) for _, m in clusters)
    tertiary = tuple(int(b != b.lower()) for b, _ in clusters)
    return primary, secondary, tertiary, s


# --- cleaning (input) -------------------------------------------------------------------

# Combining marks that Vietnamese may leave uncomposed after NFC (e.g. "q̃" never composes).
_VI_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
# Typographic punctuation that a Times-like serif font covers and Word autocorrect types.
_EXTRA_PUNCT = frozenset("–—‐‑‘’‚“”„…•·°²³×÷§«»№€£¥©®™±µ½¼¾")
_NAME_PUNCT = frozenset(" '’-.")
_INLINE_SPACE_RE = re.compile(r"[^\S\n]+")
_LINE_SEPARATORS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})


def _is_latin_letter(c: str) -> bool:
    cp = ord(c)
    in_block = 0x41 <= cp <= 0x24F or 0x1E00 <= cp <= 0x1EFF
    return in_block and c.isalpha()


def _text_char_ok(c: str) -> bool:
    if c.isascii():
        return c.isprintable() or c == "\n"
    return _is_latin_letter(c) or c in _VI_MARKS or c in _EXTRA_PUNCT


def _name_char_ok(c: str) -> bool:
    return _is_latin_letter(c) or c in _VI_MARKS or c in _NAME_PUNCT


def _has_control(s: str, multiline: bool) -> bool:
    allowed = {"\t", "\n"} if multiline else {"\t"}
    return any(unicodedata.category(c) in ("Cc", "Cf") and c not in allowed for c in s)


def _collapse(s: str, multiline: bool) -> str:
    if not multiline:
        return " ".join(s.split())
    lines = (_INLINE_SPACE_RE.sub(" ", line).strip() for line in s.split("\n"))
    return "\n".join(lines).strip()


def _invalid(field: str, code: str, **params: object) -> ValidationError:
    return ValidationError("invalid", field_errors={field: code}, field=field, **params)


def _clean(
    value: object,
    field: str,
    max_len: int,
    required: bool,
    multiline: bool,
    char_ok: Callable[[str], bool],
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(field, "not_text")
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").translate(_LINE_SEPARATORS)
    text = text.strip()
    if _has_control(text, multiline):
        raise _invalid(field, "control_chars")
    text = _collapse(text, multiline)
    if not text:
        if required:
            raise _invalid(field, "required")
        return ""
    bad = next((c for c in text if not char_ok(c)), None)
    if bad is not None:
        raise _invalid(field, "unsupported_chars", char=bad)
    if len(text) > max_len:
        raise _invalid(field, "too_long", max_len=max_len, length=len(text))
    return text


def clean_text(
    value: object,
    field: str,
    *,
    max_len: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """NFC, trimmed, inner whitespace collapsed (newlines kept if `multiline`), or raise.

    Raises ValidationError("invalid", field_errors={field: code}) where code is one of
    required, not_text, too_long, control_chars, unsupported_chars. Tabs count as
    spaces; CR LF counts as a newline. Allowed: Latin letters (all of Vietnamese),
    printable ASCII, and the common typographic punctuation of a Times-like font.
    """
    return _clean(value, field, max_len, required, multiline, _text_char_ok)


def clean_name(value: object, field: str = "name") -> str:
    """A person's name: Latin letters (all Vietnamese), spaces, apostrophe, hyphen, dot."""
    return _clean(value, field, 100, True, False, _name_char_ok)


def clean_address(value: object, field: str = "address") -> str:
    """An optional one-line address of at most 300 characters."""
    return clean_text(value, field, max_len=300, required=False)
