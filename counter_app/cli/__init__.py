"""The command line (DESIGN.md §4): parser and dispatch in main.py, handlers per area."""
