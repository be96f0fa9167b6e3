"""The course catalogue: what can be studied, and how it is offered."""
