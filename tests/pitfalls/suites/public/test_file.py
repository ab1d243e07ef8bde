from grader.harness import run


def test_sans_sentinelle(student):
    run(student.sans_sentinelle)


def test_sans_task_done(student):
    run(student.sans_task_done)
