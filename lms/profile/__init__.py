"""The learner's profile: profession, licence, time zone (and name, in standalone mode).

Mounted in both modes. In a host app it also asks a new user, on their first visit, for
what the host does not know (profession, licence).
"""
