"""Command-line tools: `lms ...` standalone, `flask lms ...` in a host app."""
