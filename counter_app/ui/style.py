"""One calm stylesheet: large legible type for 1366×768, clear focus, red only for errors."""

from __future__ import annotations

STYLE = """
* { font-size: 15px; }
QMainWindow, QDialog { background: #f6f7f9; }
QLabel#title { font-size: 17px; font-weight: 600; color: #1f2a37; }
QLabel#section { font-size: 13px; font-weight: 700; color: #4b5563; letter-spacing: 0.5px; }
QLabel#hint { color: #6b7280; font-size: 13px; }
QLabel#error { color: #b91c1c; font-size: 13px; }
QLabel#due { font-size: 16px; font-weight: 600; color: #1d4ed8; }
QLabel#fee { font-size: 15px; color: #1f2a37; }
QLabel#procInfo { color: #374151; }
QLabel#serving { font-size: 17px; color: #1f2a37; }
QFrame#panel { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 6px; }
QFrame#banner { border-radius: 6px; padding: 6px; }
QFrame#banner[kind="ok"] { background: #ecfdf5; border: 1px solid #10b981; }
QFrame#banner[kind="busy"] { background: #eff6ff; border: 1px solid #60a5fa; }
QFrame#banner[kind="error"] { background: #fef2f2; border: 1px solid #ef4444; }
QLineEdit, QComboBox, QSpinBox, QPlainTextEdit {
    background: #ffffff; border: 1px solid #cbd5e1; border-radius: 4px; padding: 4px 6px;
    min-height: 24px;
}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus { border: 2px solid #2563eb; }
QSpinBox { padding-right: 2px; min-width: 40px; }
QSpinBox::up-button, QSpinBox::down-button { width: 0px; border: none; }
QTableWidget QSpinBox, QTableWidget QComboBox { border: none; padding: 0 4px; min-height: 0; }
QLineEdit[invalid="true"] { border: 2px solid #dc2626; background: #fff7f7; }
QPushButton {
    background: #ffffff; border: 1px solid #94a3b8; border-radius: 4px; padding: 6px 12px;
}
QPushButton:focus { border: 2px solid #2563eb; }
QPushButton#primary {
    background: #1d4ed8; color: white; border: 1px solid #1e40af; font-weight: 600;
}
QPushButton#primary[supplement="true"] { background: #b45309; border-color: #92400e; }
QPushButton:disabled { color: #9ca3af; border-color: #e5e7eb; }
QTableWidget, QListWidget { background: #ffffff; border: 1px solid #e5e7eb; }
QHeaderView::section { background: #f1f5f9; border: none; padding: 4px; font-weight: 600; }
QStatusBar { background: #e5e7eb; }
QLabel#addressMark { color: #6b7280; font-size: 13px; }
QLabel#addressMark[verified="true"] { color: #047857; }
QLabel#addressProposal {
    background: #eff6ff; border: 1px solid #60a5fa; border-radius: 4px; padding: 2px 6px;
}
QListWidget#completions { border: 1px solid #60a5fa; }
"""
