from grader.harness import run


def test_sauf_cancelled(student):
    run(student.sauf_cancelled)


def test_sauf_tout(student):
    run(student.sauf_tout)


def test_sauf_base(student):
    run(student.sauf_base)
