"""What each objective needs of a GAN, as :class:`typing.Protocol` views.

Objectives never import the GAN container: each declares the view it works through, and any
object with those attributes (a :class:`~ganzoo.GAN`, a :class:`~ganzoo.TranslationGAN`, a test
double) can be scored.
"""

from __future__ import annotations

from typing import Protocol

from torch import Tensor, nn


class Discriminates(Protocol):
    """Every objective: both networks, and the discriminator's scores under a condition."""

    @property
    def generator(self) -> nn.Module: ...

    @property
    def discriminator(self) -> nn.Module: ...

    def discriminate(self, images: Tensor, condition: Tensor | None = None) -> Tensor: ...

    def check_images(self, images: Tensor) -> None: ...


class ClassifiesImages(Discriminates, Protocol):
    """ACGAN: a discriminator with an auxiliary classifier head, and class labels to check."""

    def discriminate_and_classify(self, images: Tensor) -> tuple[Tensor, Tensor]: ...

    def check_labels(self, labels: Tensor | None, n: int) -> Tensor | None: ...


class ScoresAndEmbeds(Protocol):
    """An autoencoder discriminator: scores (minus the reconstruction error) and codes."""

    def score_and_embed(self, images: Tensor) -> tuple[Tensor, Tensor]: ...


class AutoencoderEnergy(Discriminates, Protocol):
    """EBGAN: the energy of an image is its autoencoder discriminator's reconstruction error."""

    @property
    def discriminator(self) -> ScoresAndEmbeds: ...


class StyleSynthesis(Protocol):
    """A style-based generator: a mapping to per-layer styles, and a synthesis network."""

    synthesis: nn.Module

    def styles(self, z: Tensor, labels: Tensor | None = None) -> Tensor: ...


class StylePathLength(Discriminates, Protocol):
    """StyleGAN2's path length: a style-based generator and fresh latent codes."""

    @property
    def generator(self) -> StyleSynthesis: ...

    def sample_latent(self, n: int) -> Tensor: ...


class TranslatorPair(Protocol):
    """CycleGAN's generators: A -> B and B -> A."""

    a2b: nn.Module
    b2a: nn.Module


class CriticPair(Protocol):
    """CycleGAN's discriminators: one per domain."""

    d_a: nn.Module
    d_b: nn.Module


class CyclePairs(Protocol):
    """CycleGAN: two translators and two critics."""

    @property
    def generator(self) -> TranslatorPair: ...

    @property
    def discriminator(self) -> CriticPair: ...
