from grader.harness import run


def test_lancer_sans_attendre(student):
    run(student.lancer_sans_attendre)


def test_erreur_jamais_lue(student):
    run(student.erreur_jamais_lue)
