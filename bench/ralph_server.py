"""Serve Ralph's LRS API with the file-system backend (`python ralph_server.py PORT`).

Ralph 5.1's file-system LRS writes each statement with the data backend's default
operation, "create", which refuses to touch an existing file: every statement after the
first would be a 500. Appending is what an LRS file needs, so it is set here, before the
app is imported (the one change to Ralph; everything else is its own code and settings).
"""

from __future__ import annotations

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
