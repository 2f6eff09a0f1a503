"""Sync: the outbox pushed to central, reference data pulled back, central's schema and roles."""
