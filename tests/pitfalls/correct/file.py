import asyncio


async def producteur(queue, nb_consommateurs):
    for n in range(3):
        await queue.put(n)
    for _ in range(nb_consommateurs):
        await queue.put(None)


async def consommateur(queue, resultats):
    while True:
        element = await queue.get()
        queue.task_done()
        if element is None:
            break
        resultats.append(element)


async def sans_sentinelle():
    queue = asyncio.Queue()
    resultats = []
    await asyncio.gather(
        producteur(queue, 2), consommateur(queue, resultats), consommateur(queue, resultats)
    )
    return resultats


async def sans_task_done():
    queue = asyncio.Queue()
    for n in range(3):
        await queue.put(n)
    while not queue.empty():
        await queue.get()
        queue.task_done()
    await queue.join()
