import asyncio

async def travail(x):
    # TODO
    raise NotImplementedError("À compléter")

async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
