"""Énoncés et squelettes des exercices : c'est ici que vous travaillez."""
