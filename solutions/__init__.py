"""Corrigés de référence des exercices."""
