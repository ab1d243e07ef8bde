"""Auto-grader for the asyncio exercises: `python -m grader --target DIR`."""
