"""Helpers shared by the test packages: ``from support.data import REPO`` and so on."""
