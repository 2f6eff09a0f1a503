"""The counter warns when it syncs without TLS to a host that is not this machine."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sync_support import UNIT_A as A

from counter_app.services.sync import Syncer, local_status
from counter_app.sync import transport
from counter_app.sync.transport import PgTransport, link_unencrypted
from counter_app.ui_text import INSECURE_LINK_TEXT


def _round(ctx: Any, url: str, sslmode: str) -> tuple[PgTransport, Any]:
    t = PgTransport(url, sslmode=sslmode)
    try:
        report = Syncer(ctx, t).run_once()
        assert t._conn is not None
        return t, (report, t._conn.info.host, t._conn.pgconn.ssl_in_use)
    finally:
        t.close()


def test_no_tls_to_this_machine_is_not_a_warning_but_would_be_to_another_host(
    unit_urls: dict[str, str], counter: Any
) -> None:
    ctx = counter(A)
    t, (report, host, ssl_in_use) = _round(ctx, unit_urls[A], "disable")
    assert ssl_in_use is False
    assert host in ("127.0.0.1", "localhost", "::1") or host.startswith("/")
    assert t.unencrypted is False and report.insecure_link is False
    assert local_status(ctx).insecure_link is False
    # the same link facts for a central elsewhere: warned
    assert link_unencrypted("10.0.0.5", ssl_in_use) is True
    assert link_unencrypted("central.tinh.gov.vn", ssl_in_use) is True


def test_an_unencrypted_link_is_recorded_shown_and_logged_without_the_password(
    unit_urls: dict[str, str],
    counter: Any,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Central here is on loopback; pretend it is not, as if it were across the province.
    monkeypatch.setattr(transport, "link_unencrypted", lambda host, ssl_in_use: not ssl_in_use)
    ctx = counter(A)
    url = unit_urls[A]
    password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    with caplog.at_level(logging.WARNING, logger="counter_app"):
        _t, (report, _host, ssl_in_use) = _round(ctx, url, "disable")
    assert ssl_in_use is False and report.insecure_link is True
    assert local_status(ctx).insecure_link is True
    assert "not encrypted" in caplog.text and password not in caplog.text

    db = tmp_path / "c1.db"
    status = cli("sync", "--status", db=db)
    assert status.rc == 0 and INSECURE_LINK_TEXT in status.out
    assert cli("--json", "sync", "--status", db=db).out.count('"insecure_link": true') == 1

    # the next round over TLS (sslmode=prefer, the default) clears it, when the server has TLS
    _t, (report, _host, ssl_in_use) = _round(ctx, url, "prefer")
    assert local_status(ctx).insecure_link is (not ssl_in_use)
    assert report.insecure_link is (not ssl_in_use)
