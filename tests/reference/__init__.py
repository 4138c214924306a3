"""Independent reference implementations that the real queries are checked against."""
