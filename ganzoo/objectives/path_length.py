"""StyleGAN2's path length regularization (Karras et al., 2020, Sec. 3.2): a fixed-size step in
w should change the image by a fixed amount, whatever the w.

For styles w and images g(w), the penalty is E[(||J_w^T y||_2 - a)^2] with y ~ N(0, I) / sqrt(H W)
per image and ``a`` the running mean of the lengths. As in the paper, it is lazy: computed every
``pl_every`` generator steps on a batch ``pl_batch_shrink`` times smaller and scaled by
``pl_every``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from ..errors import ConfigError
from ..utils.sharding import batch_mean, per_sample, randn_like
from .losses import AdversarialLoss
from .objective import LossOutput, Objective, check_number
from .regularizers import Regularizer
from .views import StylePathLength


def path_lengths(
    synthesis: Callable[[Tensor], Tensor], ws: Tensor, noise: Tensor | None = None
) -> Tensor:
    """Per image, ||J_w^T y||_2 with J the Jacobian of ``synthesis`` at styles ``ws``
    (N, num_ws, w_dim), squared norms averaged over the style layers as in the paper's code;
    ``y`` is ``noise`` or N(0, I) / sqrt(H W) per image. Differentiable (for the penalty)."""
    images = synthesis(ws)
    if noise is None:
        noise = randn_like(images) / math.sqrt(images.shape[2] * images.shape[3])
    (grad,) = torch.autograd.grad((images * noise).sum(), ws, create_graph=True)
    return grad.square().sum(2).mean(1).sqrt()


class StyleGANObjective(Objective):
    """The objective (loss + discriminator regularizers such as lazy R1) plus the path length
    penalty for the generator, weighted by ``pl_weight`` (0 = off).

    ``pl_mean`` (a buffer, saved with checkpoints) is the running mean of the path lengths,
    updated with ``pl_decay`` from the mean over the global batch, so data-parallel ranks keep
    the same value. Logged on the steps that compute it: ``g_path_length`` (the batch's mean
    length) and ``g_pl_penalty``.
    """

    pl_mean: Tensor

    def __init__(
        self,
        loss: AdversarialLoss,
        regularizers: list[Regularizer] | tuple = (),
        pl_weight: float = 0.0,
        pl_every: int = 4,
        pl_decay: float = 0.01,
        pl_batch_shrink: int = 2,
    ) -> None:
        super().__init__(loss, regularizers)
        self.pl_weight = check_number("pl_weight", pl_weight, 0.0)
        self.pl_decay = check_number("pl_decay", pl_decay, 0.0, 1.0)
        for name, value in (("pl_every", pl_every), ("pl_batch_shrink", pl_batch_shrink)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {value!r}.")
        self.pl_every, self.pl_batch_shrink = pl_every, pl_batch_shrink
        self.register_buffer("pl_mean", torch.zeros(()))

    @property
    def terms(self) -> list[str]:
        extra = ["path-length"] if self.pl_weight else []
        return [self.loss.name, *extra, *(r.name for r in self.regularizers)]

    def generator_loss(
        self,
        gan: StylePathLength,
        fake: Tensor,
        condition: Tensor | None = None,
        real: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        out = super().generator_loss(gan, fake, condition, real, step)
        if not self.pl_weight or step % self.pl_every:
            return out
        n = max(1, fake.shape[0] // self.pl_batch_shrink)
        penalty, length = self.path_length_penalty(
            gan, n, None if condition is None else condition[:n]
        )
        loss = out.loss + (self.pl_weight * self.pl_every) * penalty
        logs = {
            **out.logs,
            "g_loss": loss.detach(),
            "g_pl_penalty": penalty.detach(),
            "g_path_length": length.detach(),
        }
        return LossOutput(loss, logs)

    def path_length_penalty(
        self, gan: StylePathLength, n: int, labels: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """(penalty, mean length) on ``n`` fresh samples per rank; updates ``pl_mean``."""
        generator = gan.generator
        if not hasattr(generator, "synthesis"):
            raise ConfigError(
                "The path length penalty needs a style-based generator (mapping + synthesis), "
                f"not {type(generator).__name__}; use it with stylegan or set pl_weight=0."
            )
        z = per_sample(lambda s: gan.sample_latent(s[0]), (n,))
        lengths = path_lengths(generator.synthesis, generator.styles(z, labels))
        with torch.no_grad():
            mean = batch_mean(lengths.detach().float()).to(self.pl_mean.dtype)
            self.pl_mean.copy_(self.pl_mean.lerp(mean, self.pl_decay))
        return (lengths - self.pl_mean).square().mean(), mean

    def extra_repr(self) -> str:
        return f"pl_weight={self.pl_weight}, pl_every={self.pl_every}"
