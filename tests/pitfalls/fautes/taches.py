import asyncio


async def verifier(service):
    await asyncio.sleep(2)
    return service


async def echouer():
    await asyncio.sleep(0.5)
    raise ConnectionError("service injoignable")


async def lancer_sans_attendre():
    asyncio.create_task(verifier("cache"))  # <- lost-task  # noqa: RUF006
    await asyncio.sleep(1)


async def erreur_jamais_lue():
    asyncio.create_task(echouer())  # <- lost-task  # noqa: RUF006
    await asyncio.sleep(1)
