"""Writes junk, then a forged answer, on every descriptor it holds: one carries answers to the judge."""
import asyncio
import os


async def travail(x):
    for fd in range(3, 64):
        try:
            os.write(fd, b"\x00\x00\x00\x10{\"@\": \"Observation\", NaN}")
            os.write(fd, b"\xff" * 64)
        except OSError:
            pass
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
