"""Adversarial losses, written on raw discriminator outputs (logits or critic scores)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class AdversarialLoss(nn.Module):
    """Scores a batch of discriminator outputs for both players.

    ``real`` and ``fake`` are the discriminator's raw outputs (logits or critic values) on real
    and generated images. Subclasses implement the two methods below.
    """

    name: str = ""

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        raise NotImplementedError

    def generator_loss(self, fake: Tensor) -> Tensor:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return self.name


class NonSaturatingLoss(AdversarialLoss):
    """Goodfellow et al. (2014) with the non-saturating generator loss -log D(G(z))."""

    name = "non-saturating"

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return F.softplus(-real).mean() + F.softplus(fake).mean()

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

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return 0.5 * ((real - 1).square().mean() + fake.square().mean())

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

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return torch.relu(1 - real).mean() + torch.relu(1 + fake).mean()

    def generator_loss(self, fake: Tensor) -> Tensor:
        return -fake.mean()
