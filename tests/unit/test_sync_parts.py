"""Sync parts that need no server: backoff with jitter, URLs, role names."""

from __future__ import annotations

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.services.sync import Backoff
from counter_app.sync.central import _role_name, _unit_url, libpq_url, redact, sqlalchemy_url


def test_backoff_grows_exponentially_within_its_cap_and_resets() -> None:
    top = Backoff(base_s=2, cap_s=60, rng=lambda: 1.0)
    assert [top.failure() for _ in range(7)] == [2, 4, 8, 16, 32, 60, 60]
    top.success()
    assert top.failure() == 2
    low = Backoff(base_s=2, cap_s=60, rng=lambda: 0.0)
    assert low.failure() == 0  # full jitter: anywhere from 0 up to the ceiling


def test_backoff_jitter_spreads_counters_apart() -> None:
    import random

    rng = random.Random(7)
    delays = [Backoff(rng=rng.random).failure() for _ in range(50)]
    assert len({round(d, 3) for d in delays}) > 40 and all(0 <= d <= 2 for d in delays)


def test_urls() -> None:
    assert libpq_url("postgresql+psycopg://u:p@h:5/db") == "postgresql://u:p@h:5/db"
    assert sqlalchemy_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert redact("postgresql://unit:s3cr3t@host/db") == "postgresql://unit:***@host/db"
    with pytest.raises(ValidationError):
        libpq_url("mysql://x")
    url = _unit_url("postgresql://admin:pw@10.0.0.5:5433/motcua?sslmode=require", "r1", "a/b c")
    assert url == "postgresql://r1:a%2Fb%20c@10.0.0.5:5433/motcua?sslmode=require"


def test_role_names_fit_postgresql() -> None:
    assert _role_name("motcua", "000.20.25.H01") == "motcua_u_000_20_25_h01"
    long = _role_name("x" * 60, "000.20.25.H01." + "A" * 40)
    assert len(long) <= 63


@pytest.mark.parametrize(
    ("host", "ssl_in_use", "warn"),
    [
        ("10.0.0.5", False, True),
        ("central.tinh.gov.vn", False, True),
        ("2001:db8::5", False, True),
        ("10.0.0.5", True, False),
        ("central.tinh.gov.vn", True, False),
        ("localhost", False, False),
        ("127.0.0.1", False, False),
        ("127.0.1.1", False, False),
        ("::1", False, False),
        ("[::1]", False, False),
        ("/var/run/postgresql", False, False),  # a Unix socket
        ("", False, False),  # libpq's default: the Unix socket
        (None, False, False),
    ],
)
def test_an_unencrypted_link_is_flagged_unless_it_stays_on_this_machine(
    host: str | None, ssl_in_use: bool, warn: bool
) -> None:
    from counter_app.sync.transport import link_unencrypted

    assert link_unencrypted(host, ssl_in_use) is warn
