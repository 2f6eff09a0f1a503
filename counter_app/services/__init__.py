"""Use cases over a unit of work: plain functions taking a ServiceContext, returning plain data."""
