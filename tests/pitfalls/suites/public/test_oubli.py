from grader.harness import run


def test_pause(student):
    run(student.pause)


def test_total(student):
    run(student.total)
