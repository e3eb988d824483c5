"""Architectures and the registered model families.

The family modules (``vanilla``, ``dcgan``, ``cgan``, ``acgan``, ``sagan``, ``sngan``, ``ebgan``,
``began``, ``stylegan``, ``pix2pix``, ``cyclegan``) register their variants when ``ganzoo`` is
imported.
"""

from .base import AuxiliaryClassifierDiscriminator, Discriminator, Generator, Translator

__all__ = ["AuxiliaryClassifierDiscriminator", "Discriminator", "Generator", "Translator"]
