"""Pitfall diagnostics: the course's classic mistakes, seen while the code runs.

A diagnostic explains a lost point; it never costs one. The executor asks
the `Monitor` for the diagnostics of each test once it ends; the parent keeps
one per mistake and place for the exercise.

One module per concept:

- `detector`: the interface every detector implements (each hook optional);
- `common`: the shared `Context` (the test's clock, what was found, the
  student's source), the session's patches, quoting helpers;
- `monitor`: the `Monitor`, which hosts the detectors and observes the loops;
- one module per kind of diagnostic: `blocking` (`blocking-call`,
  `busy-wait`, `blocking-io`), `cpu` (`cpu-bound`, with its sampler thread),
  `unawaited` (`never-awaited`), `lost` (`lost-task`), `cancel`
  (`swallowed-cancel`), `deadlock` (`deadlock`). Each says in its docstring
  what it watches and how.

Every place named is a line of the student's files (`clock.is_user_file`);
nothing is reported from the grader's own code.
"""

from grader.executor.diagnostics.cpu import CPU_THRESHOLD
from grader.executor.diagnostics.monitor import Monitor

__all__ = ["CPU_THRESHOLD", "Monitor"]
