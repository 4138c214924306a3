"""HSDS 3.0 (Open Referral Human Services Data Specification) parser: CSV data packages and JSON."""

from loaders.hsds.parse import ParseResult, parse_hsds

__all__ = ["ParseResult", "parse_hsds"]
