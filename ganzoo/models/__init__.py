"""Architectures and the registered model families.

The family modules (``vanilla``, ``dcgan``, ``cgan``, ``acgan``, ``sagan``, ``sngan``, ``ebgan``,
``began``) register their variants when ``ganzoo`` is imported.
"""

from .base import AuxiliaryClassifierDiscriminator, Discriminator, Generator

__all__ = ["AuxiliaryClassifierDiscriminator", "Discriminator", "Generator"]
