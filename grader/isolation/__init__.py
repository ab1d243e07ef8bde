"""The processes between the runner, the judges and the student's code.

- `judge_forkserver`: the judges' fork server, warm with pytest and hypothesis;
- `judges`: the runner's handle on it (`JudgeServer`), started again if killed;
- `sandbox`: each copy's executor server, in a bubblewrap sandbox when it works.

Both servers end the same way: `end_server`.
"""

from __future__ import annotations

import subprocess

# Real seconds a server gets to end once its standard input is closed.
END_GRACE = 10


def end_server(process: subprocess.Popen[bytes]) -> None:
    """Close a server's standard input (its signal to end), wait for it, kill it if it lingers."""
    if process.stdin is not None:
        try:
            process.stdin.close()
        except OSError:
            pass
    try:
        process.wait(timeout=END_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
