"""Imported first by ``ganzoo``: passive OpenMP waiting before torch loads (see ganzoo.threads)."""

from .threads import prefer_passive_waiting

PASSIVE_SET_BY_GANZOO = prefer_passive_waiting()
