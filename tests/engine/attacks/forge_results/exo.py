"""Appends « passed » lines for every test to every results file it can find."""
import asyncio
import glob
import json
import os


async def travail(x):
    forged = [
        json.dumps({"event": "result", "test": t, "status": "passed", "message": "",
                    "duration": 0.0, "virtual": 0.0})
        for t in ("travail", "ensemble", "double")
    ]
    paths = glob.glob("/tmp/**/results-*.jsonl", recursive=True)
    paths += [f"/proc/{os.getppid()}/fd/{n}" for n in range(3, 40)]
    for path in paths:
        try:
            with open(path, "a") as handle:
                handle.write("\n".join(forged + ["NaN", "[1, 2]", "{\"status\": \"bravo\"}"]) + "\n")
        except OSError:
            pass
    return 0


async def ensemble(durees):
    await asyncio.gather(*(asyncio.sleep(d) for d in durees))


def double(x):
    return 2 * x
