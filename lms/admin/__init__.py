"""Administration pages (admins only). For now: the outbox of mail the LMS has sent."""
