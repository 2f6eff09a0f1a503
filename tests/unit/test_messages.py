"""Every error code the code can raise has a Vietnamese message (scanned from the source)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import counter_app
from counter_app.domain.errors import CounterAppError, ValidationError
from counter_app.messages import FIELD_LABELS, MESSAGES, describe, field_label

PACKAGE = Path(counter_app.__file__).resolve().parent
CODE = r'"([a-z][a-z0-9_]*)"'
ERROR_CLASS = r"(?:[A-Z][A-Za-z0-9]*)?(?:Error|NotFound|Conflict|Refused|Failed)"
# Where a code appears as a literal: the first argument of an error class (ValidationError(…),
# NotFound(…), PrintFailed(…) …), a field error (`errors[f] = "…"`, `field_errors={f: "…"}`,
# text.py's `_invalid(field, "…")`), a class or keyword default (`code = "…"`,
# `failure_code: str = "…"`) and a widget's `set_error("…")`.
PATTERNS = [
    re.compile(r"\b" + ERROR_CLASS + r"\(\s*" + CODE),
    re.compile(r"\berrors\[[^\]\n]+\]\s*=\s*" + CODE),
    re.compile(r"\b_invalid\(\s*[^,()]+,\s*" + CODE),
    re.compile(r"\b\w*code\s*(?::\s*str\s*)?=\s*" + CODE),
    re.compile(r"\bset_error\(\s*" + CODE),
]
FIELD_ERRORS = re.compile(r"field_errors\s*=\s*\{([^{}]*)\}")
DICT_VALUE = re.compile(r":\s*" + CODE)
_VI_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")
# Not error codes: UsageError carries argparse's own text.
IGNORED_CLASSES = {"UsageError", "ValueError", "TypeError", "KeyError", "AssertionError"}


def sources() -> dict[str, str]:
    return {
        str(p.relative_to(PACKAGE.parent)): p.read_text(encoding="utf-8")
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def codes_in_source() -> dict[str, list[str]]:
    """code -> ['counter_app/x.py:12', …]"""
    found: dict[str, list[str]] = {}

    def add(code: str, path: str, text: str, pos: int) -> None:
        found.setdefault(code, []).append(f"{path}:{text.count(chr(10), 0, pos) + 1}")

    for path, text in sources().items():
        for pat in PATTERNS:
            for m in pat.finditer(text):
                if m.group(0).split("(")[0] in IGNORED_CLASSES:
                    continue
                add(m.group(1), path, text, m.start())
        for m in FIELD_ERRORS.finditer(text):
            for v in DICT_VALUE.finditer(m.group(1)):
                add(v.group(1), path, text, m.start())
    return found


def test_the_scan_finds_the_known_codes() -> None:
    """Guards the scanner itself: if these go missing the regexes have rotted."""
    found = codes_in_source()
    for code in (
        "procedure_unknown",
        "user_exists",
        "dossier_unknown",
        "cccd_qr_invalid",
        "received_at_future",
        "phone_invalid",
        "control_chars",
        "db_newer",
        "not_found",
        "intake_empty",
        "return_address_required",
    ):
        assert code in found, code


def test_every_error_code_has_a_message() -> None:
    missing = {c: where for c, where in codes_in_source().items() if c not in MESSAGES}
    assert not missing, "error codes without a Vietnamese message:\n" + "\n".join(
        f"  {c}: {', '.join(w)}" for c, w in sorted(missing.items())
    )


def test_every_error_class_default_code_has_a_message() -> None:
    def walk(cls: type[CounterAppError]) -> list[type[CounterAppError]]:
        return [cls, *(c for sub in cls.__subclasses__() for c in walk(sub))]

    missing = [c.__name__ for c in walk(CounterAppError) if c.code not in MESSAGES]
    assert not missing


@pytest.mark.parametrize(("code", "text"), sorted(MESSAGES.items()))
def test_messages_are_vietnamese_sentences(code: str, text: str) -> None:
    assert _VI_LETTERS.search(text.lower()), f"{code}: {text!r}"
    assert "\n" not in text
    list(string.Formatter().parse(text))  # a well-formed template


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def test_message_placeholders_are_supplied_where_raised() -> None:
    """`Lỗi: Không tìm thấy tệp ….` is what a placeholder nobody fills prints."""
    problems = []
    for path, text in sources().items():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _call_name(node)
            first = node.args[0]
            if not re.fullmatch(ERROR_CLASS, name):
                continue
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            template = MESSAGES.get(first.value)
            if template is None or any(k.arg is None for k in node.keywords):
                continue
            given = {k.arg for k in node.keywords}
            if "field_errors" in given:
                continue  # described field by field, not with the template
            needed = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            if needed - given:
                problems.append(f"{path}:{node.lineno} {first.value} lacks {needed - given}")
    assert not problems, "\n".join(problems)


def test_literal_field_names_have_vietnamese_labels() -> None:
    unlabelled = set()
    for path, text in sources().items():
        for m in FIELD_ERRORS.finditer(text):
            for key in re.findall(r'"([a-z][a-z0-9_.]*)"\s*:', m.group(1)):
                if field_label(key) == key:
                    unlabelled.add(f"{path}: {key}")
    assert not unlabelled, sorted(unlabelled)


def test_describe_uses_labels_and_messages() -> None:
    exc = ValidationError(
        "invalid",
        field_errors={"applicant.phone": "phone_invalid", "documents[1].count": "count_invalid"},
    )
    assert describe(exc) == (
        f"{FIELD_LABELS['applicant.phone']}: {MESSAGES['phone_invalid'].rstrip('.')}; "
        f"Thành phần hồ sơ (dòng 2): số lượng: {MESSAGES['count_invalid'].rstrip('.')}."
    )
    assert describe(CounterAppError("procedure_unknown", code="1.2")) == (
        "Không có thủ tục mã 1.2 trong danh mục."
    )
