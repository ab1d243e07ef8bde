"""Sets the virtual clock back in the middle of a run."""
import asyncio


async def travail(x):
    await asyncio.sleep(x)
    print("fin")
    asyncio.get_running_loop()._clock.now -= 10.0
    print("avant la fin ?")
    return 2 * x


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
