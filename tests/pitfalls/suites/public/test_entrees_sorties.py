from grader.harness import run


def test_lire_fichier(student):
    run(student.lire_fichier)


def test_lancer_commande(student):
    run(student.lancer_commande)


def test_appeler_serveur(student):
    run(student.appeler_serveur)


def test_hors_boucle(student):
    run(student.hors_boucle)
