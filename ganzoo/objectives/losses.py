"""Adversarial losses, written on raw discriminator outputs (logits or critic scores)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class AdversarialLoss(nn.Module):
    """Scores a batch of discriminator outputs for both players.

    ``real`` and ``fake`` are the discriminator's raw outputs (logits or critic values) on real
    and generated images. Subclasses implement the two methods below.
    """

    name: str = ""
    supports_targets: bool = False  # label smoothing / noise / flipping apply
    chance_loss: float | None = None  # discriminator loss when it outputs 0 (cannot tell)

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        raise NotImplementedError

    def discriminator_loss_targets(
        self, real: Tensor, fake: Tensor, real_target: Tensor, fake_target: Tensor
    ) -> Tensor:
        """Discriminator loss against per-sample targets (1 = real, 0 = fake)."""
        raise NotImplementedError(f"The {self.name} loss has no real/fake targets.")

    def generator_loss(self, fake: Tensor) -> Tensor:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return self.name


class NonSaturatingLoss(AdversarialLoss):
    """Goodfellow et al. (2014) with the non-saturating generator loss -log D(G(z))."""

    name = "non-saturating"
    supports_targets = True
    chance_loss = 2 * math.log(2)

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return F.softplus(-real).mean() + F.softplus(fake).mean()

    def discriminator_loss_targets(
        self, real: Tensor, fake: Tensor, real_target: Tensor, fake_target: Tensor
    ) -> Tensor:
        bce = F.binary_cross_entropy_with_logits
        return bce(real, real_target.expand_as(real)) + bce(fake, fake_target.expand_as(fake))

    def generator_loss(self, fake: Tensor) -> Tensor:
        return F.softplus(-fake).mean()


class MinimaxLoss(NonSaturatingLoss):
    """The original minimax game: the generator minimises log(1 - D(G(z)))."""

    name = "minimax"

    def generator_loss(self, fake: Tensor) -> Tensor:
        return -F.softplus(fake).mean()


class LeastSquaresLoss(AdversarialLoss):
    """LSGAN (Mao et al., 2017) with targets a=0 (fake), b=1 (real), c=1 (generator)."""

    name = "least-squares"
    supports_targets = True
    chance_loss = 0.5

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return 0.5 * ((real - 1).square().mean() + fake.square().mean())

    def discriminator_loss_targets(
        self, real: Tensor, fake: Tensor, real_target: Tensor, fake_target: Tensor
    ) -> Tensor:
        return 0.5 * ((real - real_target).square().mean() + (fake - fake_target).square().mean())

    def generator_loss(self, fake: Tensor) -> Tensor:
        return 0.5 * (fake - 1).square().mean()


class WassersteinLoss(AdversarialLoss):
    """WGAN (Arjovsky et al., 2017): the critic maximises E[D(real)] - E[D(fake)]."""

    name = "wasserstein"

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return fake.mean() - real.mean()

    def generator_loss(self, fake: Tensor) -> Tensor:
        return -fake.mean()


class HingeLoss(AdversarialLoss):
    """Hinge loss (Lim & Ye, 2017; used by SAGAN and BigGAN)."""

    name = "hinge"
    chance_loss = 2.0

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return torch.relu(1 - real).mean() + torch.relu(1 + fake).mean()

    def generator_loss(self, fake: Tensor) -> Tensor:
        return -fake.mean()
