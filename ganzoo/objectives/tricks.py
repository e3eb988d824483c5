"""Classic GAN training tricks, each a recipe switch that is off unless a recipe turns it on.

* ``label_smoothing`` — one-sided: the discriminator's real target becomes ``1 - s``
  (Salimans et al., 2016); fake targets stay 0.
* ``label_noise`` — targets jittered uniformly by up to this amount (noisy labels).
* ``label_flip`` — this fraction of the discriminator's real/fake targets swapped per sample.
* ``instance_noise`` — Gaussian noise of this standard deviation added to every discriminator
  input (real and generated), annealed linearly to 0 over ``instance_noise_steps`` generator
  steps (0 = the whole run) (Sønderby et al., 2017).
* ``d_dropout`` — dropout with this probability after every activation of the discriminator.

Label tricks need a loss with targets (non-saturating, minimax, least-squares).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from ..utils.sharding import rand_like


@dataclass
class Tricks:
    """Training tricks of a recipe (all off by default)."""

    label_smoothing: float = 0.0
    label_noise: float = 0.0
    label_flip: float = 0.0
    instance_noise: float = 0.0
    instance_noise_steps: int = 0
    d_dropout: float = 0.0

    def __post_init__(self) -> None:
        limits = {"label_smoothing": 0.5, "label_noise": 0.5, "label_flip": 0.5, "d_dropout": 1.0}
        for name, limit in limits.items():
            if not 0.0 <= getattr(self, name) < limit:
                raise ConfigError(
                    f"tricks.{name} must be in [0, {limit}), got {getattr(self, name)}."
                )
        if self.instance_noise < 0 or self.instance_noise_steps < 0:
            raise ConfigError("tricks.instance_noise and instance_noise_steps must be >= 0.")

    @property
    def uses_targets(self) -> bool:
        """Whether the discriminator loss needs explicit (soft/noisy/flipped) targets."""
        return bool(self.label_smoothing or self.label_noise or self.label_flip)

    def targets(self, n: int, device: torch.device) -> tuple[Tensor, Tensor]:
        """Per-sample (real, fake) discriminator targets of shape (n, 1)."""
        real = torch.full((n, 1), 1.0 - self.label_smoothing, device=device)
        fake = torch.zeros(n, 1, device=device)
        if self.label_noise:
            real = real - self.label_noise * rand_like(real)
            fake = fake + self.label_noise * rand_like(fake)
        if self.label_flip:
            flip = rand_like(real) < self.label_flip
            real, fake = torch.where(flip, fake, real), torch.where(flip, real, fake)
        return real, fake

    def noise_std(self, step: int, total_steps: int) -> float:
        """Instance-noise standard deviation at generator step ``step``."""
        if not self.instance_noise:
            return 0.0
        horizon = self.instance_noise_steps or total_steps
        return self.instance_noise * max(0.0, 1.0 - step / max(horizon, 1))


def add_discriminator_dropout(discriminator: nn.Module, p: float) -> int:
    """Put ``Dropout(p)`` after every activation of ``discriminator``; returns how many.

    Activations hold no parameters, so state dicts (and checkpoints) are unchanged.
    """
    activations = (nn.LeakyReLU, nn.ReLU, nn.SiLU, nn.GELU, nn.ELU)
    count = 0
    for parent in list(discriminator.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, activations):
                setattr(parent, name, nn.Sequential(child, nn.Dropout(p)))
                count += 1
    if not count:
        raise ConfigError(
            f"tricks.d_dropout: {type(discriminator).__name__} has no activation modules to put "
            "dropout after; add dropout to the architecture itself."
        )
    return count
