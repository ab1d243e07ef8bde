"""The resource limits an executor runs under, set before any student code.

Chosen so that every honest solution runs untouched (the five reference
solutions use under 100 MB, a few threads and no file at all) while a
submission cannot take the machine with it: memory, file size, open files,
CPU seconds, and, inside the sandbox, processes.

The process limit is only set in the sandbox: there the kernel counts the
processes of the sandbox's own user namespace. Outside one it counts every
process of the user, the instructor's browser included, so a limit would
break honest code on a busy desktop. Root is never held by it (Gradescope
and CI run as root): the runner then puts the sandbox in a `pids` cgroup
where it can (`grader.isolation.sandbox`).
"""

from __future__ import annotations

import resource

MIB = 1024 * 1024

# (limit, value): both soft and hard, never raised above what the process already had.
LIMITS: tuple[tuple[int, int], ...] = (
    (resource.RLIMIT_AS, 2048 * MIB),  # address space: a 4 GB allocation fails
    (resource.RLIMIT_FSIZE, 16 * MIB),  # the largest file it may write
    (resource.RLIMIT_NOFILE, 256),
    (resource.RLIMIT_CORE, 0),
    (resource.RLIMIT_CPU, 120),  # CPU seconds of one executor, a whole exercise's tests
)
SANDBOX_LIMITS: tuple[tuple[int, int], ...] = ((resource.RLIMIT_NPROC, 128),)


def apply(sandboxed: bool) -> None:
    for which, value in LIMITS + (SANDBOX_LIMITS if sandboxed else ()):
        try:
            _soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
        except (OSError, ValueError):
            pass  # a platform without this limit: the others still hold
