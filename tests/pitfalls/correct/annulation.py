import asyncio


async def serveur_muet():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("annulé")
        raise
    return "OK"


async def serveur_tout():
    try:
        await asyncio.sleep(10)
    except Exception:
        return "erreur"
    return "OK"


async def serveur_base():
    try:
        await asyncio.sleep(10)
    finally:
        print("nettoyage")


async def sauf_cancelled():
    try:
        return await asyncio.wait_for(serveur_muet(), 1)
    except TimeoutError:
        return "timeout"


async def sauf_tout():
    try:
        async with asyncio.timeout(1):
            return await serveur_tout()
    except TimeoutError:
        return "timeout"


async def sauf_base():
    tache = asyncio.create_task(serveur_base())
    await asyncio.sleep(1)
    tache.cancel()
    try:
        await tache
    except asyncio.CancelledError:
        return "annulée"


async def serveur_finally():
    try:
        await asyncio.sleep(10)
    finally:
        print("fini")


async def sauf_finally():
    try:
        return await asyncio.wait_for(serveur_finally(), 1)
    except TimeoutError:
        return "timeout"


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
