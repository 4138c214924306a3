"""Deterministic demo data: Maple Harbour, Ontario's safety net as an HSDS 3.0 package (`demo.generator`)."""
