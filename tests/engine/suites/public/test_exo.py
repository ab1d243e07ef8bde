from grader.judge.harness import require, run


def test_travail(student):
    travail = require(student, "travail", coroutine=True)
    ex = run(travail, 2)
    assert ex.value == 4, f"travail(2) a renvoyé {ex.value!r} ; attendu 4"
    assert ex.elapsed == 2.0, f"travail(2) a duré {ex.elapsed:.2f} s ; attendu 2.00 s"
