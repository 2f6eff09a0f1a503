"""One place that takes secrets out of text before it is stored, logged or shown.

Error texts from libpq/psycopg echo a connection string they could not parse whole
("… in URI: "postgresql://unit:S3cret@[bad""), and a URL may end up in any message. Every
password-looking part becomes `***`; redacting a little too much (a host after an `@` in
a query string) is preferred to leaking a password.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "***"

# scheme://user:password@host… — the password runs to the LAST "@" before whitespace, so a
# password with a raw "@", ":" or "/" inside is covered whole (libpq would reject it, and
# echo it in its error).
_URL = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@?#]*:)(?P<secret>\S*)@")
# ?password=… / &password=… in a URL's query string.
_QUERY = re.compile(r"(?P<head>[?&](?:[A-Za-z_]*password)=)(?P<secret>[^&#\s]*)", re.IGNORECASE)
# libpq keyword form: password=secret, password = 'a b\'c', PGPASSWORD=…
_KEYWORD = re.compile(
    r"(?P<head>(?<![?&\w])[A-Za-z_]*password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'?|[^\s'][^\s]*)",
    re.IGNORECASE,
)
# JSON or repr: "password": "…" / 'password': '…'
_QUOTED_KEY = re.compile(
    r"""(?P<head>(?P<q>["'])[A-Za-z_]*password(?P=q)\s*:\s*)(?P<secret>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""",
    re.IGNORECASE,
)


def _url_secret(m: re.Match[str]) -> str:
    return m["head"] + MASK + "@"


def url_userinfo(url: str) -> str | None:
    """What a URL holds before the host's "@" (user[:password]), None without one. The last
    "@" before the query counts: a raw "@" in a password belongs to the userinfo."""
    _scheme, sep, rest = url.strip().partition("://")
    if not sep:
        return None
    authority = re.split(r"[?#]", rest, maxsplit=1)[0]
    at = authority.rfind("@")
    return authority[:at] if at >= 0 else None


def url_password(url: str) -> str | None:
    """The password of a URL as written (maybe percent-encoded), None without one."""
    info = url_userinfo(url)
    if info is None or ":" not in info:
        return None
    return info.partition(":")[2] or None


def known_secrets(url: str) -> tuple[str, ...]:
    """A URL's password as written and decoded, for `redact_secrets(…, known=…)`."""
    from urllib.parse import unquote

    pw = url_password(url)
    if not pw:
        return ()
    return tuple({pw, unquote(pw)})


def redact_secrets(text: str, known: tuple[str, ...] = ()) -> str:
    """`text` with the password of every URL and `password=` setting replaced by ***, and
    every `known` secret (at least 3 characters: shorter would mangle the text) too —
    libpq quotes a bad percent-encoded password on its own, without the URL around it."""
    if not text:
        return text
    for secret in sorted(known, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, MASK)
    text = _URL.sub(_url_secret, text)
    text = _QUERY.sub(lambda m: m["head"] + MASK, text)
    text = _QUOTED_KEY.sub(lambda m: m["head"] + m["q"] + MASK + m["q"], text)
    return _KEYWORD.sub(lambda m: m["head"] + MASK, text)


def redact_value(value: Any) -> Any:
    """Strings inside a JSON-like value (dicts, lists) redacted; anything else unchanged."""
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value
