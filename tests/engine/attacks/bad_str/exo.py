"""Raises an exception whose text cannot be read."""
import asyncio


class Illisible(Exception):
    def __str__(self):
        raise RuntimeError("pas de texte")

    def __repr__(self):
        raise RuntimeError("pas de repr")


async def travail(x):
    raise Illisible()


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
