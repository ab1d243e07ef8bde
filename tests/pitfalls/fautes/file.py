import asyncio


async def producteur(queue):
    for n in range(3):
        await queue.put(n)
    await queue.put(None)


async def consommateur(queue, resultats):
    while True:
        element = await queue.get()  # <- deadlock
        if element is None:
            break
        resultats.append(element)


async def sans_sentinelle():
    queue = asyncio.Queue()
    resultats = []
    await asyncio.gather(
        producteur(queue), consommateur(queue, resultats), consommateur(queue, resultats)
    )
    return resultats


async def sans_task_done():
    queue = asyncio.Queue()
    for n in range(3):
        await queue.put(n)
    while not queue.empty():
        await queue.get()
    await queue.join()  # <- deadlock
