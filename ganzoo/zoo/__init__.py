"""The built-in families: one module each, assembling an architecture from :mod:`ganzoo.models`,
an objective from :mod:`ganzoo.objectives` and a recipe, and registering its entry points.

The registry finds every module here by listing the package (:func:`ganzoo.registry.load_builtins`);
adding a built-in GAN is adding a file. :func:`build_gan` is the builder every family calls, and
the one plugin models call too.
"""

from ._builder import build_gan

__all__ = ["build_gan"]
