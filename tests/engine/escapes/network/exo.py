"""Sends its code to a server on this machine (port in cible.txt)."""
import asyncio
import socket
from pathlib import Path

PORT = int((Path(__file__).parent / "cible.txt").read_text())


async def travail(x):
    with socket.create_connection(("127.0.0.1", PORT), timeout=1) as conn:
        conn.sendall(b"fuite")
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
