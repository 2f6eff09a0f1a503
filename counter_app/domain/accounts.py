"""Account rules: usernames, roles, minimum passwords; scrypt password hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from counter_app.domain.errors import ValidationError

ROLES = ("clerk", "supervisor", "admin")
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    enc = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${enc(salt).decode()}${enc(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if algo != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        got = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_account(username: str, role: str, password: str) -> str:
    """The username normalised; refuses a bad username, role or password (every one found)."""
    username = username.strip().lower()
    errors: dict[str, str] = {}
    if not username.isascii() or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = "username_invalid"
    if role not in ROLES:
        errors["role"] = "role_invalid"
    if len(password) < 4:
        errors["password"] = "password_too_short"
    if errors:
        raise ValidationError("invalid", field_errors=errors)
    return username
