"""One place where Qt's own messages go: into the application log, never lost on a console."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType

log = logging.getLogger("counter_app.qt")
LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def route_qt_messages(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    log.log(LEVELS.get(kind, logging.WARNING), "%s (%s:%s)", message, context.file, context.line)
