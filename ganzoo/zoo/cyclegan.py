"""CycleGAN: unpaired translation with two generators, two critics and a cycle loss."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from ..data.batch import Batch
from ..errors import ConfigError
from ..gan import TranslationGAN, run_in_eval
from ..lr_schedule import LRSchedule
from ..models.cyclegan import CycleDiscriminators, CycleTranslators
from ..objectives import CycleGANObjective
from ..objectives.translation import CycleFakes
from ..recipe import Recipe
from ..registry import register_model
from ._builder import build_gan


class CycleGAN(TranslationGAN):
    """A :class:`~ganzoo.TranslationGAN` with both directions: ``translate(images)`` maps
    A -> B, ``translate(images, direction="b2a")`` B -> A. Learns from unpaired data."""

    paired = False

    def condition(self, batch: Batch) -> Tensor | None:
        """The batch's sources: the real domain-A images that its A critic scores."""
        return batch.source

    def fake_batch(self, batch: Batch, latent: Callable[[int], Tensor]) -> CycleFakes:
        """Both translations of the step: the sources (A) to B and the targets (B) to A."""
        source = self.check_source(batch.source, len(batch))
        return CycleFakes(self.generator.a2b(source), self.generator.b2a(batch.real))

    def translate(
        self, images: Tensor, batch_size: int = 64, ema: bool = True, direction: str = "a2b"
    ) -> Tensor:
        """Translate ``images`` A -> B (``direction="a2b"``) or B -> A (``"b2a"``)."""
        if direction == "a2b":
            return super().translate(images, batch_size, ema)
        if direction != "b2a":
            raise ConfigError(f"direction must be 'a2b' or 'b2a', got {direction!r}.")
        images = torch.as_tensor(images)
        self.check_images(images)  # B -> A takes target-domain images
        network = self.sampler if ema else self.generator
        return run_in_eval(network.b2a, images, batch_size)


@register_model(tiny={"width": 8, "blocks": 2}, datasets=("thin2thick", "mnist2fashion"))
def cyclegan(**overrides: Any) -> CycleGAN:
    """CycleGAN (Zhu et al., 2017): unpaired translation, two ResNet generators, two PatchGAN discriminators, least-squares + 10 x cycle + 5 x identity, pool of 50 past fakes."""
    # Adam 2e-4, betas (0.5, 0.999), constant for the first half, then linearly to 0: the paper's.
    recipe = Recipe(steps=3000, batch_size=16, lr_schedule=LRSchedule("linear", start=0.5))
    gan = build_gan(
        "cyclegan",
        CycleTranslators,
        CycleDiscriminators,
        objective="least-squares",
        objective_class=CycleGANObjective,
        gan_class=CycleGAN,
        recipe=recipe,
        defaults={"source_channels": overrides.get("channels", 1)},
        overrides=overrides,
    )
    g = gan.generator
    if gan.objective.identity_weight and g.channels != g.source_channels:
        raise ConfigError(
            f"cyclegan: the identity loss compares images of both domains, which have "
            f"{g.source_channels} and {g.channels} channels; set identity_weight=0."
        )
    return gan
