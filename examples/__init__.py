"""Examples of using the LMS (see host_app/README.md)."""
