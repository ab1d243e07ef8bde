import asyncio


async def verifier(service):
    await asyncio.sleep(2)
    return service


async def echouer():
    await asyncio.sleep(0.5)
    raise ConnectionError("service injoignable")


async def lancer_sans_attendre():
    tache = asyncio.create_task(verifier("cache"))
    await asyncio.sleep(1)
    return await tache


async def erreur_jamais_lue():
    tache = asyncio.create_task(echouer())
    await asyncio.sleep(1)
    [resultat] = await asyncio.gather(tache, return_exceptions=True)
    return repr(resultat)
