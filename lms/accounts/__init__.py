"""Standalone accounts: sign in and out with an email and password.

Only the standalone app registers this; a host app brings its own accounts.
"""
