from grader.harness import run


def test_attendre(student):
    run(student.attendre)
