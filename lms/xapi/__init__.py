"""Learning records: xAPI statements in the cmi5 shape, sent to an LRS through the jobs
outbox (see `lms.xapi.statements` for what is said, `lms.xapi.send` for the sending)."""
