"""UI strings go through Qt's translation machinery; Vietnamese is the source language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator


def tr(text: str, context: str = "counter") -> str:
    return QCoreApplication.translate(context, text)


QT_TRANSLATION = "qtbase_vi"  # assets/i18n/qtbase_vi.qm, compiled from qtbase_vi.ts
_installed: list[QTranslator] = []  # kept alive: Qt holds only a pointer


def qt_translator() -> QTranslator | None:
    """Qt's own texts (standard buttons Yes/No/OK/Cancel, the edit menus) in Vietnamese:
    Qt ships no qtbase_vi, the project does (issue 14 item 9). None if the file is missing."""
    from counter_app.paths import assets_dir

    translator = QTranslator()
    if not translator.load(QT_TRANSLATION, str(assets_dir() / "i18n")):
        return None
    return translator


def install_qt_translation(app: QCoreApplication) -> bool:
    """At start (ui/main.application): every dialog button reads Vietnamese."""
    if _installed:
        return True
    translator = qt_translator()
    if translator is None:
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
