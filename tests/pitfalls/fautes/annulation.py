import asyncio


async def serveur_muet():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:  # <- swallowed-cancel
        print("annulé")
    return "OK"


async def serveur_tout():
    try:
        await asyncio.sleep(10)
    except:  # <- swallowed-cancel  # noqa: E722
        pass
    return "OK"


async def serveur_base():
    try:
        await asyncio.sleep(10)
    except BaseException:  # <- swallowed-cancel
        return "interrompu"
    return "OK"


async def sauf_cancelled():
    return await asyncio.wait_for(serveur_muet(), 1)


async def sauf_tout():
    return await asyncio.wait_for(serveur_tout(), 1)


async def sauf_base():
    tache = asyncio.create_task(serveur_base())
    await asyncio.sleep(1)
    tache.cancel()
    return await tache


async def serveur_finally():
    try:
        await asyncio.sleep(10)
    finally:
        return "fini"  # <- swallowed-cancel  # noqa: B012


async def sauf_finally():
    return await asyncio.wait_for(serveur_finally(), 1)


async def echoue():
    await asyncio.sleep(1)
    raise ValueError("panne")


async def groupe_qui_echoue():
    # The task group cancels this task when a child fails, then turns the
    # cancellation into the ExceptionGroup: nothing is swallowed here.
    vu = "rien"
    try:
        async with asyncio.TaskGroup() as groupe:
            groupe.create_task(echoue())
            groupe.create_task(asyncio.sleep(10))
    except* ValueError:
        vu = "panne vue"
    return vu
