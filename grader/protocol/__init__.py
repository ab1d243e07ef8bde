"""What crosses between processes: typed records, plain values, framed bytes.

The judge (trusted: suites, catalogue, results) never imports the student's
module; the executor (untrusted: it runs the student's code) never receives a
test's code or an expected value. They talk only through the dataclasses
below, sent as length-prefixed JSON frames over a pair of pipes. The runner
and the judge talk through them too: the runner's `JudgeTask`, and the
judge's results records (`TestStarted`, `TestOutcome`, `Diagnosed`,
`Explained`), one sealed JSON line each (`grader.sealed`).

Why so strict: every byte the executor sends may have been written by the
student's code (it runs in that process and can reach the pipe). So the
judge's side of the codec trusts nothing:

- a frame longer than `MAX_FRAME` bytes, not UTF-8, not JSON, carrying `NaN`
  or an unknown tag, or whose fields do not have exactly the declared types
  raises `ProtocolError`; the judge turns that into an `error` for the test,
  never into a crash and never into a point;
- values travel as exact builtin types only (`None`, `bool`, `int`, `float`,
  `str`, `list`, `tuple`, `dict` with plain keys), bounded in depth and size.
  Anything else, a subclass included, arrives as an `Opaque` that equals
  nothing and says what it was: an object whose `__eq__` lies cannot get
  through, because its `__eq__` never leaves the executor.

One concept per module: `values` (the value codec and Opaque), `records`
(the dataclasses and who may send which), `wire` (JSON and frames).
"""

from grader.protocol.records import (
    ANSWERS,
    JUDGE_TASKS,
    REQUESTS,
    RESULTS,
    Attribute,
    Begin,
    Blocked,
    Call,
    Diagnosed,
    End,
    Ended,
    ErrorInfo,
    Explained,
    FakeSpec,
    JudgeTask,
    Loaded,
    Observation,
    Printed,
    Put,
    QueueArg,
    Recorded,
    Stuck,
    TestOutcome,
    TestStarted,
    Where,
)
from grader.protocol.values import (
    MAX_CHARS,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_ITEMS,
    MAX_REPR,
    Opaque,
    ProtocolError,
    Value,
    decode_value,
    encode_value,
    opaque_of,
)
from grader.protocol.wire import (
    HEADER_SIZE,
    MAX_FRAME,
    Readable,
    decode_body,
    decode_line,
    encode_frame,
    encode_line,
    frame_length,
    from_wire,
    read_frame,
    to_wire,
)

__all__ = [
    "ANSWERS",
    "HEADER_SIZE",
    "JUDGE_TASKS",
    "MAX_CHARS",
    "MAX_DEPTH",
    "MAX_FRAME",
    "MAX_INT_DIGITS",
    "MAX_ITEMS",
    "MAX_REPR",
    "REQUESTS",
    "RESULTS",
    "Attribute",
    "Begin",
    "Blocked",
    "Call",
    "Diagnosed",
    "End",
    "Ended",
    "ErrorInfo",
    "Explained",
    "FakeSpec",
    "JudgeTask",
    "Loaded",
    "Observation",
    "Opaque",
    "Printed",
    "ProtocolError",
    "Put",
    "QueueArg",
    "Readable",
    "Recorded",
    "Stuck",
    "TestOutcome",
    "TestStarted",
    "Value",
    "Where",
    "decode_body",
    "decode_line",
    "decode_value",
    "encode_frame",
    "encode_line",
    "encode_value",
    "frame_length",
    "from_wire",
    "opaque_of",
    "read_frame",
    "to_wire",
]
