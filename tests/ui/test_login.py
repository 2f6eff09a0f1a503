"""Login: wrong passwords get a Vietnamese message; the fifth failure locks the account."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from counter_app.services.context import ServiceContext
from counter_app.ui.dialogs import LoginDialog


def test_login_messages_and_lockout(qtbot: QtBot, ui_ctx: ServiceContext) -> None:
    dlg = LoginDialog(ui_ctx, "UBND XÃ MỸ HÒA HƯNG")
    qtbot.addWidget(dlg)
    dlg.username.setText("canbo2")
    for _ in range(4):
        dlg.password.setText("sai")
        dlg.try_login()
        assert "Sai tên đăng nhập hoặc mật khẩu" in dlg.error.text()
    dlg.password.setText("sai")
    dlg.try_login()
    assert "tạm khóa" in dlg.error.text()
    dlg.password.setText("demo")  # the right password is refused while locked
    dlg.try_login()
    assert dlg.user is None and "tạm khóa" in dlg.error.text()


def test_login_succeeds(qtbot: QtBot, ui_ctx: ServiceContext) -> None:
    dlg = LoginDialog(ui_ctx, "UBND")
    qtbot.addWidget(dlg)
    dlg.username.setText("giamsat")
    dlg.password.setText("demo")
    dlg.try_login()
    assert dlg.user is not None and dlg.user.role == "supervisor"
