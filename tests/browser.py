"""A real headless browser for the kit's tests: chromium, which .ci/run installs.

`render` opens a page as a reader would: the DOM after the browser parsed it
(what it understood of the HTML and the SVG), and a screenshot, summed up as
how many distinct byte values its pixels hold (a blank page has very few).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    for name in NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium est introuvable : .ci/run installe le paquet chromium")
    pytest.skip("chromium est introuvable : apt-get install chromium")


def png_colours(png: bytes) -> int:
    """How many distinct byte values a PNG's pixel data holds."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    data, at = b"", 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        if png[at + 4 : at + 8] == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    return len(set(zlib.decompress(data)))


def render(page: Path, scratch: Path, size: str = "1000,1600") -> tuple[str, int]:
    """The page's DOM once parsed, and its screenshot's count of distinct pixel bytes."""
    common = [
        chromium(),
        "--headless",
        "--no-sandbox",  # CI runs as root, where chromium's own sandbox cannot start
        "--disable-gpu",
        f"--user-data-dir={scratch / 'profil-chromium'}",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    shot = scratch / f"{page.stem}.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", f"--window-size={size}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    return dom, png_colours(shot.read_bytes()) if shot.is_file() else 0
