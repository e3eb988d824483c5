"""Deprecated home of :func:`build_gan`; it lives in :mod:`ganzoo.zoo` since ganzoo 0.2."""

from __future__ import annotations

import importlib
import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    if name == "build_gan":
        warnings.warn(
            "ganzoo.models.builder.build_gan moved to ganzoo.zoo.build_gan (also ganzoo.build_gan); "
            "the old path goes away in ganzoo 0.3.",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module("ganzoo.zoo").build_gan
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
