"""The instructors' and maintainers' tools, each a command of its own.

- `batch`: a whole class into one CSV (`python -m grader --submissions`);
- `export`: the students' repository (`nox -s export`);
- `bench`: the grader's speed (`nox -s bench`);
- `watch`: grade each exercise as it is saved (`nox -s watch`);
- `timeline`: draw one exercise's example call, ungraded (`nox -s timeline`);
- `nox_support`: what the kit's noxfile and the students' share.
"""
