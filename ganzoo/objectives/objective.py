"""The Objective: how a batch scores both networks (adversarial loss + regularizers).

The trainer only talks to an :class:`Objective`. GANs with unusual training (equilibrium terms,
reconstruction or cycle losses) subclass it and may keep state in buffers, which are saved with
every checkpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from torch import Tensor, nn

from .losses import AdversarialLoss
from .regularizers import Regularizer

if TYPE_CHECKING:
    from ..gan import GAN


class LossOutput(NamedTuple):
    """A loss to back-propagate and detached tensors to log (no host sync needed)."""

    loss: Tensor
    logs: dict[str, Tensor]


class Objective(nn.Module):
    """Adversarial loss plus regularizers, evaluated through a :class:`~ganzoo.GAN`."""

    def __init__(self, loss: AdversarialLoss, regularizers: list[Regularizer] | tuple = ()) -> None:
        super().__init__()
        self.loss = loss
        self.regularizers = nn.ModuleList(regularizers)

    def discriminator_loss(
        self, gan: GAN, real: Tensor, fake: Tensor, labels: Tensor | None = None, step: int = 0
    ) -> LossOutput:
        """Discriminator (critic) loss on a real batch and a generated batch.

        ``step`` counts discriminator updates; lazy regularizers use it.
        """
        fake = fake.detach()
        real_out = gan.discriminate(real, labels)
        fake_out = gan.discriminate(fake, labels)
        adversarial = self.loss.discriminator_loss(real_out, fake_out)
        logs = {
            "d_loss_adv": adversarial.detach(),
            "d_real": real_out.detach().mean(),
            "d_fake": fake_out.detach().mean(),
        }
        total = adversarial
        for reg in self.regularizers:
            if step % reg.every:
                continue
            penalty = reg.penalty(lambda x: gan.discriminate(x, labels), real, fake)
            if penalty is not None:
                total = total + reg.every * penalty
                logs[reg.name] = penalty.detach()
        logs["d_loss"] = total.detach()
        return LossOutput(total, logs)

    def generator_loss(
        self,
        gan: GAN,
        fake: Tensor,
        labels: Tensor | None = None,
        real: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        """Generator loss on a generated batch (``real`` is there for objectives that need it)."""
        loss = self.loss.generator_loss(gan.discriminate(fake, labels))
        return LossOutput(loss, {"g_loss": loss.detach()})

    def after_discriminator_step(self, gan: GAN) -> None:
        """Apply constraints (e.g. weight clipping) after the discriminator's optimizer step."""
        for reg in self.regularizers:
            reg.after_discriminator_step(gan.discriminator)
