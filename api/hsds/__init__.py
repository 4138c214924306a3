"""HSDS 3.0: the graph's records as Open Referral HSDS objects (serialize.py) for the REST API and the export."""
