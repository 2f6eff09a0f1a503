"""Pure domain rules: codes, due dates, ID-card parsing, text folding, errors (no I/O, no Qt)."""
