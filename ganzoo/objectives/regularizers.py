"""Discriminator regularizers: gradient penalty, R1 and weight clipping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import torch
from torch import Tensor, nn

from ..utils.sharding import per_sample

Critic = Callable[[Tensor], Tensor]


class Regularizer(nn.Module):
    """A term added to the discriminator loss and/or a constraint applied after its update.

    ``every`` > 1 makes the penalty lazy (computed every ``every`` discriminator steps and scaled
    by ``every``, as in StyleGAN2).
    """

    name: str = ""

    def __init__(self, every: int = 1) -> None:
        super().__init__()
        if every < 1:
            raise ValueError(f"`every` must be >= 1, got {every}")
        self.every = every

    def penalty(self, critic: Critic, real: Tensor, fake: Tensor) -> Tensor | None:
        """Extra discriminator loss; ``critic`` maps images to discriminator outputs."""
        return None

    @torch.no_grad()
    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        """Constraint applied to the discriminator after each of its optimizer steps."""

    def spec(self) -> dict[str, Any]:
        """The mapping that rebuilds this regularizer with ``build_regularizer``."""
        return {"name": self.name, "every": self.every}


_loss_scale: ContextVar[Tensor | None] = ContextVar("ganzoo_loss_scale", default=None)


@contextmanager
def loss_scaling(scale: Tensor | None) -> Iterator[None]:
    """Within this context, input gradients are taken of ``scale * scores`` and unscaled, as
    fp16 training with a GradScaler needs (small fp16 gradients would otherwise underflow)."""
    token = _loss_scale.set(scale)
    try:
        yield
    finally:
        _loss_scale.reset(token)


def _input_gradient(critic: Critic, images: Tensor) -> Tensor:
    images = images.detach().requires_grad_(True)
    scores = critic(images).sum()
    scale = _loss_scale.get()
    if scale is None:
        (grad,) = torch.autograd.grad(scores, images, create_graph=True)
    else:
        (grad,) = torch.autograd.grad(scores * scale, images, create_graph=True)
        grad = grad / scale  # an overflow stays inf, so the scaler skips the step
    return grad.flatten(1)


class _WeightedPenalty(Regularizer):
    """A penalty scaled by ``weight`` (optionally lazy, every ``every`` steps)."""

    def __init__(self, weight: float = 10.0, every: int = 1) -> None:
        super().__init__(every)
        self.weight = weight

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "weight": self.weight}

    def extra_repr(self) -> str:
        return f"weight={self.weight}, every={self.every}"


class GradientPenalty(_WeightedPenalty):
    """WGAN-GP (Gulrajani et al., 2017): weight * E[(||grad D(x_hat)||_2 - 1)^2]."""

    name = "gradient-penalty"

    def penalty(self, critic: Critic, real: Tensor, fake: Tensor) -> Tensor:
        shape = (real.shape[0], *([1] * (real.ndim - 1)))  # one mixing weight per sample
        eps = per_sample(lambda s: torch.rand(s, device=real.device, dtype=real.dtype), shape)
        mixed = eps * real.detach() + (1 - eps) * fake.detach()
        norms = _input_gradient(critic, mixed).norm(2, dim=1)
        return self.weight * (norms - 1).square().mean()


class R1Penalty(_WeightedPenalty):
    """R1 (Mescheder et al., 2018): weight / 2 * E[||grad D(x_real)||^2]."""

    name = "r1"

    def penalty(self, critic: Critic, real: Tensor, fake: Tensor) -> Tensor:
        grad = _input_gradient(critic, real)
        return 0.5 * self.weight * grad.square().sum(dim=1).mean()


class WeightClipping(Regularizer):
    """WGAN's Lipschitz constraint: clamp every critic weight to [-clip, clip] after each step."""

    name = "weight-clipping"

    def __init__(self, clip: float = 0.01) -> None:
        super().__init__()
        if clip <= 0:
            raise ValueError(f"`clip` must be positive, got {clip}")
        self.clip = clip

    @torch.no_grad()
    def after_discriminator_step(self, discriminator: nn.Module) -> None:
        for param in discriminator.parameters():
            param.clamp_(-self.clip, self.clip)

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "clip": self.clip}

    def extra_repr(self) -> str:
        return f"clip={self.clip}"
