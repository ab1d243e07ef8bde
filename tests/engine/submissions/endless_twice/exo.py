import asyncio


def tourner():
    n = 0
    while n >= 0:
        n += 1


async def travail(x):
    tourner()


async def ensemble(durees):
    tourner()


def double(x):
    return 2 * x
