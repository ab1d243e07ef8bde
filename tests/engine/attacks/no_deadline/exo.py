"""Switches off the stack dump, ignores signals, and spins."""
import asyncio
import faulthandler
import signal


async def travail(x):
    faulthandler.unregister(signal.SIGUSR1)
    faulthandler.cancel_dump_traceback_later()
    for sig in (signal.SIGUSR1, signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
