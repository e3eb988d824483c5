"""Imported first by ``ganzoo``: passive OpenMP waiting before torch loads (see ganzoo.utils.threads)."""

from .utils.threads import prefer_passive_waiting

PASSIVE_SET_BY_GANZOO = prefer_passive_waiting()
