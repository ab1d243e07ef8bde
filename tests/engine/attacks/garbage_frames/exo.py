"""Writes junk, then a forged answer, on the pipe that carries answers to the judge."""
import asyncio
import os
import sys


async def travail(x):
    fd = int(sys.argv[sys.argv.index("--answers") + 1])
    os.write(fd, b"\x00\x00\x00\x10{\"@\": \"Observation\", NaN}")
    os.write(fd, b"\xff" * 64)
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
