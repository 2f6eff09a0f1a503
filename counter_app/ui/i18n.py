"""UI strings go through Qt's translation machinery; Vietnamese is the source language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def tr(text: str, context: str = "counter") -> str:
    return QCoreApplication.translate(context, text)
