"""Certificates of completion: issued once, verifiable by anyone with the code."""
