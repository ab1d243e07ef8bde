import asyncio
import sys

# Lu à l'import, hors de toute event loop : rien à signaler.
with open(__file__, encoding="utf-8") as fichier:
    TAILLE = len(fichier.read())


def lire():
    with open(__file__, encoding="utf-8") as fichier:
        return len(fichier.read())


async def lire_fichier():
    return await asyncio.to_thread(lire)


async def lancer_commande():
    processus = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await processus.wait()


async def repondre(lecteur, ecrivain):
    ecrivain.write(await lecteur.readline())
    await ecrivain.drain()
    ecrivain.close()


async def appeler_serveur():
    serveur = await asyncio.start_server(repondre, "127.0.0.1", 0)
    port = serveur.sockets[0].getsockname()[1]
    lecteur, ecrivain = await asyncio.open_connection("127.0.0.1", port)
    ecrivain.write(b"bonjour\n")
    reponse = await lecteur.readline()
    ecrivain.close()
    await ecrivain.wait_closed()
    serveur.close()
    await serveur.wait_closed()
    return reponse


def hors_boucle():
    return lire()
