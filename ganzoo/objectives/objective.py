"""The Objective: how a batch scores both networks (adversarial loss + regularizers).

The trainer only talks to an :class:`Objective`. GANs with unusual training (equilibrium terms,
reconstruction or cycle losses) subclass it and may keep state in buffers, which are saved with
every checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from torch import Tensor, nn

from ..errors import ConfigError
from ..utils.sharding import randn_like
from .losses import AdversarialLoss
from .regularizers import Regularizer
from .tricks import Tricks
from .views import Discriminates


class LossOutput(NamedTuple):
    """A loss to back-propagate and detached tensors to log (no host sync needed)."""

    loss: Tensor
    logs: dict[str, Tensor]


def check_number(name: str, value: object, low: float, high: float | None = None) -> float:
    """An objective argument as a float in [low, high], or a ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {value!r}.")
    if not (value >= low and (high is None or value <= high)):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ConfigError(f"{name} must be {bound}, got {value!r}.")
    return float(value)


def separation(real_out: Tensor, fake_out: Tensor) -> Tensor:
    """P(D(real) > D(fake)) over all real/fake pairs: 1.0 when the discriminator separates them
    perfectly, 0.5 when it cannot tell; meaningful for every loss (logits or critic scores)."""
    r = real_out.reshape(len(real_out), -1).mean(1)
    f = fake_out.reshape(len(fake_out), -1).mean(1)
    return (r[:, None] > f[None, :]).float().mean()


class Objective(nn.Module):
    """Adversarial loss plus regularizers, evaluated through a GAN (any object with the
    :class:`~ganzoo.objectives.views.Discriminates` view). ``condition`` arguments are what the
    discriminator sees beside the images: class labels, source images, or None."""

    def __init__(self, loss: AdversarialLoss, regularizers: list[Regularizer] | tuple = ()) -> None:
        super().__init__()
        self.loss = loss
        self.regularizers = nn.ModuleList(regularizers)
        self.tricks = Tricks()
        self.noise_std = 0.0  # instance noise on the discriminator's inputs; see begin_step
        self.augment: Callable[[Tensor], Tensor] | None = None  # see use_augmentation

    def begin_step(self, step: int, total_steps: int) -> None:
        """Called by the trainer before each step: anneals the recipe's instance noise."""
        self.noise_std = self.tricks.noise_std(step, total_steps)

    @property
    def chance_loss(self) -> float | None:
        """The adversarial discriminator loss of a discriminator that cannot tell real from
        fake (None where the loss has no such level, e.g. Wasserstein)."""
        return self.loss.chance_loss

    @property
    def terms(self) -> list[str]:
        """Names of the loss terms: the adversarial loss, any extra terms, the regularizers."""
        return [self.loss.name, *(r.name for r in self.regularizers)]

    def use_tricks(self, tricks: Tricks) -> None:
        """Turn on a recipe's label and instance-noise tricks (checked against the loss)."""
        if tricks.uses_targets and not self.loss.supports_targets:
            raise ConfigError(
                f"Label smoothing / noise / flipping need a loss with real/fake targets "
                f"(non-saturating, minimax, least-squares); this objective uses {self.loss.name}."
            )
        self.tricks = tricks

    def use_augmentation(self, augment: Callable[[Tensor], Tensor] | None) -> None:
        """Pass every image the discriminator sees, real or generated, through ``augment``
        (e.g. :class:`~ganzoo.objectives.diffaugment.DiffAugment`) before it; None: no
        augmentation. Class conditions are not augmented."""
        self.augment = augment

    def _augmented(self, x: Tensor) -> Tensor:
        return self.augment(x) if self.augment else x

    def _perturb(self, x: Tensor) -> Tensor:
        """What the discriminator sees of images ``x``: augmented, then with instance noise."""
        x = self._augmented(x)
        return x + self.noise_std * randn_like(x) if self.noise_std else x

    def _adversarial(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        if not self.tricks.uses_targets:
            return self.loss.discriminator_loss(real_out, fake_out)
        real_t, fake_t = self.tricks.targets(real_out.shape[0], real_out.device)
        shape = (-1,) + (1,) * (real_out.ndim - 1)
        return self.loss.discriminator_loss_targets(
            real_out, fake_out, real_t.view(shape), fake_t.view(shape)
        )

    def discriminator_loss(
        self,
        gan: Discriminates,
        real: Tensor,
        fake: Tensor,
        condition: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        """Discriminator (critic) loss on a real batch and a generated batch.

        ``step`` counts discriminator updates; lazy regularizers use it.
        """
        fake = fake.detach()
        total, logs = self.discriminator_terms(gan, real, fake, condition)
        for reg in self.regularizers:
            if step % reg.every:
                continue
            penalty = reg.penalty(
                lambda x: gan.discriminate(self._augmented(x), condition), real, fake
            )
            if penalty is not None:
                total = total + reg.every * penalty
                logs[reg.name] = penalty.detach()
        logs["d_loss"] = total.detach()
        return LossOutput(total, logs)

    def discriminator_terms(
        self, gan: Discriminates, real: Tensor, fake: Tensor, condition: Tensor | None = None
    ) -> LossOutput:
        """The discriminator loss before regularizers, with its logs; objectives that add terms
        for the discriminator (e.g. ACGAN's class loss) override this."""
        real_out = gan.discriminate(self._perturb(real), condition)
        fake_out = gan.discriminate(self._perturb(fake), condition)
        return self.adversarial_terms(real_out, fake_out)

    def adversarial_terms(self, real_out: Tensor, fake_out: Tensor) -> LossOutput:
        """The adversarial discriminator loss on raw outputs, logged with the outputs' means
        and their separation."""
        adversarial = self._adversarial(real_out, fake_out)
        logs = {
            "d_loss_adv": adversarial.detach(),
            "d_real": real_out.detach().mean(),
            "d_fake": fake_out.detach().mean(),
            "d_separation": separation(real_out.detach(), fake_out.detach()),
        }
        return LossOutput(adversarial, logs)

    def generator_loss(
        self,
        gan: Discriminates,
        fake: Tensor,
        condition: Tensor | None = None,
        real: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        """Generator loss on a generated batch (``real`` is there for objectives that need it)."""
        loss = self.loss.generator_loss(gan.discriminate(self._perturb(fake), condition))
        return LossOutput(loss, {"g_loss": loss.detach()})

    def after_discriminator_step(self, gan: Discriminates) -> None:
        """Apply constraints (e.g. weight clipping) after the discriminator's optimizer step."""
        for reg in self.regularizers:
            reg.after_discriminator_step(gan.discriminator)
