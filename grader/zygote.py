"""Preloaded once in the fork server, so each exercise's process starts warm.

Starting a grading child means importing pytest, hypothesis and freezegun
(about a quarter of a second) and freezegun's first scan of every loaded module.
The fork server imports all that once; each child is then a fork of it.
Nothing of the student's is loaded here: every child still starts clean.
"""

from __future__ import annotations

import freezegun
import hypothesis  # noqa: F401
import hypothesis.strategies  # noqa: F401
import pytest  # noqa: F401

import grader.child  # noqa: F401
import grader.plugin  # noqa: F401


def _warm_freezegun() -> None:
    # freezegun remembers which loaded modules hold time functions; a child's
    # own freeze then only looks at modules loaded after the fork.
    freezer = freezegun.freeze_time("2026-01-05")
    freezer.start()
    freezer.stop()


_warm_freezegun()
