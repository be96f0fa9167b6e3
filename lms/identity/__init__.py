"""Who a host user is to the LMS, for the life of that user.

- `keys`: the value a profile is keyed on (the user row's primary key, never
  `get_id()`), and a marker that tells a reused key from its first owner;
- `info`: `UserInfo`, the email and name the LMS shows, read from the host's user;
- `profiles`: the profile of a user (made on first visit, refused to a user who took over
  a gone user's key), re-keying existing profiles, and pseudonymising a gone user's;
- `hooks`: the SQLAlchemy event that notices a host user deleted (or their email changed)
  through the ORM.
"""

from lms.identity.info import UserInfo, default_user_info
from lms.identity.keys import primary_key
from lms.identity.profiles import forget_user

__all__ = ["UserInfo", "default_user_info", "forget_user", "primary_key"]
