"""ACGAN's objective (Odena et al., 2017): an adversarial loss plus an auxiliary class loss."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from .objective import LossOutput, Objective
from .views import ClassifiesImages


def _accuracy(logits: Tensor, labels: Tensor) -> Tensor:
    return (logits.detach().argmax(dim=1) == labels).float().mean()


class ACGANObjective(Objective):
    """Adversarial loss (any of the zoo's) + cross-entropy of the discriminator's class head.

    The discriminator minimises the adversarial loss plus the class loss on real images and on
    generated ones (labelled with the classes they were generated for); the generator minimises
    its adversarial loss plus the class loss on its images. Both players want the classes right
    (the paper's L_C), so the class terms have the same sign for both. Needs a discriminator
    with an auxiliary classifier (:meth:`GAN.discriminate_and_classify`); regularizers see
    the adversarial scores only.
    """

    @property
    def terms(self) -> list[str]:
        return [self.loss.name, "auxiliary-classifier", *(r.name for r in self.regularizers)]

    def discriminator_terms(
        self, gan: ClassifiesImages, real: Tensor, fake: Tensor, condition: Tensor | None = None
    ) -> LossOutput:
        labels = gan.check_labels(condition, real.shape[0])
        real_out, real_logits = gan.discriminate_and_classify(self._perturb(real))
        fake_out, fake_logits = gan.discriminate_and_classify(self._perturb(fake))
        adversarial, logs = self.adversarial_terms(real_out, fake_out)
        class_loss = F.cross_entropy(real_logits, labels) + F.cross_entropy(fake_logits, labels)
        logs.update(
            d_loss_class=class_loss.detach(),
            d_class_acc_real=_accuracy(real_logits, labels),
            d_class_acc_fake=_accuracy(fake_logits, labels),
        )
        return LossOutput(adversarial + class_loss, logs)

    def generator_loss(
        self,
        gan: ClassifiesImages,
        fake: Tensor,
        condition: Tensor | None = None,
        real: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        labels = gan.check_labels(condition, fake.shape[0])
        scores, logits = gan.discriminate_and_classify(self._perturb(fake))
        adversarial = self.loss.generator_loss(scores)
        class_loss = F.cross_entropy(logits, labels)
        loss = adversarial + class_loss
        logs = {
            "g_loss": loss.detach(),
            "g_loss_adv": adversarial.detach(),
            "g_loss_class": class_loss.detach(),
        }
        return LossOutput(loss, logs)
