"""Pure domain logic: geometry, eligibility, opening hours, search semantics. No database, no I/O."""
