"""Architectures and the registered model families.

The family modules (``vanilla``, ``dcgan``, ``cgan``, ``sagan``) register their variants when
``ganzoo`` is imported.
"""

from .base import Discriminator, Generator

__all__ = ["Discriminator", "Generator"]
