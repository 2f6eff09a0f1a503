"""redact_secrets: no password of a URL or a libpq setting survives into stored/shown text."""

from __future__ import annotations

import pytest

from counter_app.domain.redact import redact_secrets, redact_value


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("postgresql://unit:S3cret@host:5432/db", "S3cret", "postgresql://unit:***@host:5432/db"),
        ("postgresql+psycopg://u:S3cret@10.0.0.5/motcua", "S3cret", "@10.0.0.5/motcua"),
        # psycopg's error for a URL it cannot parse echoes the URL whole, quoted
        (
            'end of string reached when looking for matching "]" in IPv6 host address in URI: '
            '"postgresql://u:S3cret@[bad"',
            "S3cret",
            '"postgresql://u:***@[bad"',
        ),
        ("postgresql://u:S%40c%3Aret%2F@host/db", "S%40c%3Aret", "postgresql://u:***@host/db"),
        ("postgresql://u:p@ss:w@rd@host/db", "ss:w", "postgresql://u:***@host/db"),
        ("postgresql://u:pa/ss@host/db", "pa/ss", "postgresql://u:***@host/db"),
        ("postgresql://:onlypw@host/db", "onlypw", "postgresql://:***@host/db"),
        ("url postgresql://a:b1@h/d, then postgres://c:d2@k/e.", "d2", "postgres://c:***@k/e."),
        ("postgresql://u@host/db?password=S3cret&sslmode=require", "S3cret", "&sslmode=require"),
        ("host=10.0.0.5 user=u password=S3cret dbname=x", "S3cret", "password=*** dbname=x"),
        ("host=h password = 'a b\\'S3cret' dbname=x", "S3cret", "password = *** dbname=x"),
        ("host=h password='S3 cret' port=5432", "cret", "password=*** port=5432"),
        ("PGPASSWORD=S3cret psql", "S3cret", "PGPASSWORD=*** psql"),
        ('{"password": "S3cret", "user": "u"}', "S3cret", '"password": "***", "user": "u"'),
        ("{'password': 'S3cret'}", "S3cret", "{'password': '***'}"),
    ],
)
def test_secrets_are_masked(text: str, secret: str, kept: str) -> None:
    out = redact_secrets(text)
    assert secret not in out
    assert kept in out


@pytest.mark.parametrize(
    "text",
    [
        "",
        "postgresql://unit@host:5432/db",
        "postgresql://host:5432/db",
        "Không kết nối được máy chủ trung tâm (connection refused).",
        "password_hash column is NOT NULL",
        "UNIQUE constraint failed: dossiers.code",
    ],
)
def test_text_without_secrets_is_unchanged(text: str) -> None:
    assert redact_secrets(text) == text


def test_idempotent() -> None:
    once = redact_secrets("postgresql://u:p@ss@host/db password='x y'")
    assert redact_secrets(once) == once


def test_nested_values() -> None:
    value = {"error": "postgresql://u:S3cret@h/d", "n": 3, "l": ["password=S3cret"]}
    assert "S3cret" not in repr(redact_value(value))
    assert redact_value(value)["n"] == 3


def test_known_secrets_of_a_url() -> None:
    from counter_app.domain.redact import known_secrets, url_password

    assert url_password("postgresql://u:S3%40cret@h/db") == "S3%40cret"
    assert set(known_secrets("postgresql://u:S3%40cret@h/db")) == {"S3%40cret", "S3@cret"}
    assert url_password("postgresql://u:p@ss@h/db?x=@") == "p@ss"
    assert url_password("postgresql://u@h/db") is None
    assert url_password("postgresql://h/db?options=a@b") is None
    assert known_secrets("not a url") == ()
    # libpq quotes a bad percent-encoded password alone, without the URL around it
    text = 'invalid percent-encoded token: "S3%zzcret"'
    assert "S3" not in redact_secrets(text, known_secrets("postgresql://u:S3%zzcret@h/d"))
    assert redact_secrets("a pig", known=("p",)) == "a pig"  # too short to replace safely
