"""Objectives of image-to-image translation: pix2pix (adversarial + L1) and CycleGAN
(two adversarial games + cycle consistency + identity, with a pool of past fakes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from ..errors import ConfigError
from .losses import AdversarialLoss
from .objective import LossOutput, Objective, check_number
from .regularizers import Regularizer
from .views import CyclePairs, Discriminates


def _refuse_augmentation(model: str, augment: Callable[[Tensor], Tensor] | None) -> None:
    """Translation objectives take no DiffAugment: augmenting the translated images alone would
    break their pairing with the sources (pix2pix's discriminator sees both) and their cycles."""
    if augment:
        raise ConfigError(
            f"DiffAugment is for models that generate from noise; the {model} objective trains "
            "an image-to-image model, and augmenting its outputs apart from their sources "
            "breaks the pairs it learns. "
            "Train it without diffaugment."
        )


class Pix2PixObjective(Objective):
    """Isola et al. (2017): the conditional adversarial loss (the discriminator judges each
    image patch beside its source) plus ``l1_weight`` x L1 between translation and target.

    As in the paper's code the discriminator's loss is halved, slowing it relative to the
    generator.
    """

    def __init__(
        self,
        loss: AdversarialLoss,
        regularizers: list[Regularizer] | tuple = (),
        l1_weight: float = 100.0,
    ) -> None:
        super().__init__(loss, regularizers)
        self.l1_weight = check_number("l1_weight", l1_weight, 0.0)

    @property
    def terms(self) -> list[str]:
        return [self.loss.name, "l1", *(r.name for r in self.regularizers)]

    def use_augmentation(self, augment: Callable[[Tensor], Tensor] | None) -> None:
        _refuse_augmentation("pix2pix", augment)

    def discriminator_terms(
        self, gan: Discriminates, real: Tensor, fake: Tensor, condition: Tensor | None = None
    ) -> LossOutput:
        adversarial, logs = super().discriminator_terms(gan, real, fake, condition)
        return LossOutput(0.5 * adversarial, logs)

    def generator_loss(
        self,
        gan: Discriminates,
        fake: Tensor,
        condition: Tensor | None = None,
        real: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        if real is None:
            raise ConfigError("pix2pix's L1 term needs the target images (real=...).")
        adversarial = self.loss.generator_loss(gan.discriminate(self._perturb(fake), condition))
        l1 = (fake - real).abs().mean()
        loss = adversarial + self.l1_weight * l1
        logs = {
            "g_loss": loss.detach(),
            "g_loss_adv": adversarial.detach(),
            "g_loss_l1": l1.detach(),
        }
        return LossOutput(loss, logs)


class ImagePool(nn.Module):
    """A history of generated images (Shrivastava et al., 2017), as CycleGAN uses it.

    Until full, every new image is stored and passed through. Then each new image is, with
    probability 1/2, swapped for a random stored one (which is returned instead). The pool is
    a buffer, so checkpoints keep it and a resumed run continues exactly.
    """

    def __init__(self, size: int = 50) -> None:
        super().__init__()
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ConfigError(f"pool_size must be an integer >= 0, got {size!r}.")
        self.size = size
        self.register_buffer("images", torch.empty(0))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
        saved = state_dict.get(prefix + "images")
        if saved is not None and saved.shape != self.images.shape:  # sized on first use
            self.images = torch.empty_like(saved, device=self.images.device)
        super()._load_from_state_dict(state_dict, prefix, *args)

    @torch.no_grad()
    def query(self, batch: Tensor) -> Tensor:
        """Images for the discriminator: ``batch`` with some images swapped for older ones."""
        if self.size == 0:
            return batch
        if self.images.shape[1:] != batch.shape[1:] or self.images.dtype != batch.dtype:
            self.images = batch.new_zeros(self.size, *batch.shape[1:])
            self.count.zero_()
        out = batch.clone()
        count = int(self.count)
        swap, slot = torch.rand(len(batch)) < 0.5, torch.randint(self.size, (len(batch),))
        for i in range(len(batch)):
            if count < self.size:
                self.images[count] = batch[i]
                count += 1
            elif swap[i]:
                out[i] = self.images[slot[i]]
                self.images[slot[i]] = batch[i]
        self.count.fill_(count)
        return out


class CycleFakes(NamedTuple):
    """One CycleGAN step's translations: A->B of the source batch, B->A of the target batch."""

    fake_b: Tensor
    fake_a: Tensor

    def detach(self) -> CycleFakes:
        return CycleFakes(self.fake_b.detach(), self.fake_a.detach())


class CycleGANObjective(Objective):
    """Zhu et al. (2017): an adversarial game per domain (least squares in the paper), cycle
    consistency ``cycle_weight`` x (|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|) and identity
    ``identity_weight`` x ``cycle_weight`` x (|G_AB(b) - b| + |G_BA(a) - a|); each
    discriminator sees fakes through its own :class:`ImagePool` of ``pool_size`` images.

    Works through :class:`~ganzoo.models.cyclegan.CycleGAN` (``gan.generator.a2b/b2a``,
    ``gan.discriminator.d_b/d_a``); the batch's targets are domain B, its sources domain A.
    """

    def __init__(
        self,
        loss: AdversarialLoss,
        regularizers: list[Regularizer] | tuple = (),
        cycle_weight: float = 10.0,
        identity_weight: float = 0.5,
        pool_size: int = 50,
    ) -> None:
        if regularizers:
            raise ConfigError("cyclegan takes no regularizers (its two critics have none).")
        super().__init__(loss, regularizers)
        self.cycle_weight = check_number("cycle_weight", cycle_weight, 0.0)
        self.identity_weight = check_number("identity_weight", identity_weight, 0.0)
        self.pool_size = pool_size
        self.pool_a = ImagePool(pool_size)
        self.pool_b = ImagePool(pool_size)

    def use_augmentation(self, augment: Callable[[Tensor], Tensor] | None) -> None:
        _refuse_augmentation("cyclegan", augment)

    @property
    def terms(self) -> list[str]:
        terms = [self.loss.name, "cycle"]
        return [*terms, "identity"] if self.identity_weight else terms

    def discriminator_loss(
        self,
        gan: CyclePairs,
        real: Tensor,
        fake: Any,
        condition: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        """Both discriminators: D_B on targets vs pooled A->B fakes, D_A on sources vs B->A."""
        d = gan.discriminator
        fake_b = self.pool_b.query(fake.fake_b.detach())
        fake_a = self.pool_a.query(fake.fake_a.detach())
        loss_b, logs_b = self.adversarial_terms(d.d_b(self._perturb(real)), d.d_b(fake_b))
        loss_a, logs_a = self.adversarial_terms(d.d_a(self._perturb(condition)), d.d_a(fake_a))
        logs = {key: (logs_b[key] + logs_a[key]) / 2 for key in logs_b}
        logs.update(d_loss_b=loss_b.detach(), d_loss_a=loss_a.detach())
        total = loss_b + loss_a
        logs["d_loss"] = total.detach()
        return LossOutput(total, logs)

    def generator_loss(
        self,
        gan: CyclePairs,
        fake: Any,
        condition: Tensor | None = None,
        real: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        """Both generators: fool both discriminators, come back around, leave the other
        domain's images unchanged (identity)."""
        g, d = gan.generator, gan.discriminator
        a, b = condition, real
        adversarial = self.loss.generator_loss(d.d_b(fake.fake_b)) + self.loss.generator_loss(
            d.d_a(fake.fake_a)
        )
        cycle = (g.b2a(fake.fake_b) - a).abs().mean() + (g.a2b(fake.fake_a) - b).abs().mean()
        loss = adversarial + self.cycle_weight * cycle
        logs = {"g_loss_adv": adversarial.detach(), "g_loss_cycle": cycle.detach()}
        if self.identity_weight:
            identity = (g.a2b(b) - b).abs().mean() + (g.b2a(a) - a).abs().mean()
            loss = loss + self.identity_weight * self.cycle_weight * identity
            logs["g_loss_identity"] = identity.detach()
        logs["g_loss"] = loss.detach()
        return LossOutput(loss, logs)
