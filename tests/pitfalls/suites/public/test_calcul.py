from grader.harness import run


def test_calcul_dans_la_coroutine(student):
    run(student.calcul_dans_la_coroutine)


def test_calcul_dans_une_fonction(student):
    run(student.calcul_dans_une_fonction)
