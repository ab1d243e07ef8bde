import asyncio

async def travail(x):
    await asyncio.sleep(x)
    return {"x": x}["y"]

async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
