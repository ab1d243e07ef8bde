"""Results lines the judge signs and the runner checks: a forged line is dropped, never read.

The results file sits in a folder any process of the same user can write to,
the student's executor among them (until the sandbox takes the file system
away). So the runner draws a fresh key for each judge it starts, hands it
over privately (inside the fork server's request, or on the judge's standard
input), and accepts only lines whose HMAC matches. Deleting lines is still
possible; it loses the tests their points, never grants one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_key() -> str:
    return secrets.token_hex(32)


def seal(key: str, line: str) -> str:
    mac = hmac.new(key.encode(), line.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{mac} {line}"


def unseal(key: str, raw: str) -> str | None:
    """The line, if `raw` was sealed with `key`; None for anything else."""
    mac, _, line = raw.partition(" ")
    expected = hmac.new(key.encode(), line.encode("utf-8"), hashlib.sha256).hexdigest()
    return line if hmac.compare_digest(mac.encode(), expected.encode()) else None
