"""Raises pytest's own « skipped » outcome and a class named Flaky."""
import asyncio


class Flaky(Exception):
    pass


async def travail(x):
    try:
        from _pytest.outcomes import Skipped
    except ImportError:
        raise Flaky("résultat instable")
    raise Skipped("ignoré")


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
