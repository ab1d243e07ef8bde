import asyncio
import subprocess
import sys
import urllib.request


async def lire_fichier():
    with open(__file__, encoding="utf-8") as fichier:  # <- blocking-io
        texte = fichier.read()
    await asyncio.sleep(0)
    return len(texte)


async def lancer_commande():
    subprocess.run([sys.executable, "-c", "pass"], check=True)  # <- blocking-io
    await asyncio.sleep(0)


async def appeler_serveur():
    try:
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)  # <- blocking-io
    except OSError:
        return None


def hors_boucle():
    # Une fonction ordinaire, hors de toute event loop : lire un fichier ici est normal.
    with open(__file__, encoding="utf-8") as fichier:
        return len(fichier.read())
