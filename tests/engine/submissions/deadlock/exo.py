import asyncio

async def travail(x):
    file = asyncio.Queue()
    return await file.get()

async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
