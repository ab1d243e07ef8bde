import asyncio
import time


async def telecharger(duree):
    time.sleep(duree)  # <- blocking-call


async def attendre():
    await asyncio.gather(telecharger(1.0), telecharger(2.0))
