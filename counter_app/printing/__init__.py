"""Printing adapters: A4 forms, folder labels (PDF/PNG/SVG) and spoolers to send them; no Qt."""
