from grader.judge.harness import require, run


def test_ensemble(student):
    ensemble = require(student, "ensemble", coroutine=True)
    ex = run(ensemble, [1.0, 3.0, 2.0])
    assert ex.elapsed == 3.0, (
        f"ensemble([1.0, 3.0, 2.0]) a duré {ex.elapsed:.2f} s ; attendu 3.00 s"
    )


def test_double(student):
    double = require(student, "double", coroutine=False)
    assert run(double, 3).value == 6, "double(3) devrait valoir 6"
