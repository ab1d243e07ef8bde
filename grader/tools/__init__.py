"""The instructors' and maintainers' tools, each a command of its own.

- `batch`: a whole class into one CSV (`python -m grader --submissions`);
- `export`: the students' repository (`nox -s export`);
- `bench`: the grader's speed (`nox -s bench`).
"""
