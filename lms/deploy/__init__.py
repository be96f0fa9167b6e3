"""What a deployment runs the LMS with (the gunicorn configuration)."""
