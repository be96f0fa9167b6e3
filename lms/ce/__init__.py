"""CE credit: the record of everything that affects it, the disclosure learners
acknowledge, the gates a certificate passes, retention, and the exports accreditors ask
for. The rules are plain functions here; `views` holds the pages."""
