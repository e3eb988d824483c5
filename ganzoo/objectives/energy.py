"""Energy-based objectives for autoencoder discriminators: EBGAN and BEGAN.

Autoencoder discriminators score an image by its negative reconstruction error (the zoo's
"higher = more real" convention), so the energy of a batch is ``-scores``.

* EBGAN (Zhao et al., 2017): D minimises E(x) + max(0, m - E(G(z))), G minimises E(G(z)) plus a
  pulling-away term on the encoder's embeddings of the fake batch.
* BEGAN (Berthelot et al., 2017): D minimises L(x) - k_t L(G(z)), G minimises L(G(z)), and the
  equilibrium term k_t (a buffer, saved with checkpoints) follows
  k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1).
"""

from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor

from ..errors import ConfigError
from .losses import AdversarialLoss
from .objective import LossOutput, Objective, check_number
from .regularizers import Regularizer
from .views import AutoencoderEnergy, Discriminates

DEFAULT_MARGIN = 1.0


class EnergyMarginLoss(AdversarialLoss):
    """EBGAN's margin loss on scores s = -E: D minimises E(x) + max(0, m - E(G(z))), G E(G(z)).

    A discriminator that cannot tell gives equal energies e and a loss max(e, m) >= m, so the
    chance level is the margin (the value of the game at its equilibrium, the paper's Thm. 2).
    """

    name = "energy-margin"

    def __init__(self, margin: float = DEFAULT_MARGIN) -> None:
        super().__init__()
        self.margin = check_number("margin", margin, 0.0)
        if self.margin == 0:
            raise ConfigError("margin must be > 0 (the energy fakes are pushed up to).")
        self.chance_loss = self.margin

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        return (-real).mean() + torch.relu(self.margin + fake).mean()

    def generator_loss(self, fake: Tensor) -> Tensor:
        return (-fake).mean()

    def extra_repr(self) -> str:
        return f"{self.name}, margin={self.margin}"


class BoundaryEquilibriumLoss(AdversarialLoss):
    """BEGAN's losses on scores s = -L: D minimises L(x) - k L(G(z)), G minimises L(G(z)).

    There is no chance level: a discriminator that reconstructs everything perfectly has loss 0.
    """

    name = "boundary-equilibrium"

    def discriminator_loss(self, real: Tensor, fake: Tensor, k: Tensor | float = 0.0) -> Tensor:
        return (-real).mean() + k * fake.mean()

    def generator_loss(self, fake: Tensor) -> Tensor:
        return (-fake).mean()


def pulling_away(embeddings: Tensor) -> Tensor:
    """EBGAN's pulling-away term: the mean squared cosine similarity over distinct pairs of the
    (N, ...) ``embeddings`` (flattened per sample); 0 for fewer than two samples."""
    n = embeddings.shape[0]
    if n < 2:
        return embeddings.sum() * 0
    unit = F.normalize(embeddings.reshape(n, -1), dim=1)
    cosine = unit @ unit.T
    return (cosine.square().sum() - cosine.diagonal().square().sum()) / (n * (n - 1))


def _encoder(gan: Discriminates, name: str) -> None:
    if not hasattr(gan.discriminator, "score_and_embed"):
        raise ConfigError(
            f"The {name} objective needs an autoencoder discriminator (with encode/reconstruct), "
            f"not {type(gan.discriminator).__name__}; use it with ebgan or began."
        )


class EBGANObjective(Objective):
    """EBGAN: the energy-margin loss (or any zoo loss on the negative energies) for both players,
    plus ``pt_weight`` times the pulling-away term on the encoder embeddings of the fake batch
    for the generator. ``margin`` is the energy-margin loss's m (per-pixel MSE units)."""

    def __init__(
        self,
        loss: AdversarialLoss,
        regularizers: list[Regularizer] | tuple = (),
        margin: float = DEFAULT_MARGIN,
        pt_weight: float = 0.1,
    ) -> None:
        if isinstance(loss, EnergyMarginLoss):
            loss = EnergyMarginLoss(margin)
        else:
            check_number("margin", margin, 0.0)
        super().__init__(loss, regularizers)
        self.pt_weight = check_number("pt_weight", pt_weight, 0.0)

    @property
    def terms(self) -> list[str]:
        return [self.loss.name, "pulling-away", *(r.name for r in self.regularizers)]

    def discriminator_terms(
        self, gan: Discriminates, real: Tensor, fake: Tensor, condition: Tensor | None = None
    ) -> LossOutput:
        adversarial, logs = super().discriminator_terms(gan, real, fake, condition)
        logs.update(energy_real=-logs["d_real"], energy_fake=-logs["d_fake"])
        return LossOutput(adversarial, logs)

    def generator_loss(
        self,
        gan: AutoencoderEnergy,
        fake: Tensor,
        condition: Tensor | None = None,
        real: Tensor | None = None,
        step: int = 0,
    ) -> LossOutput:
        _encoder(gan, "ebgan")
        gan.check_images(fake)
        scores, embeddings = gan.discriminator.score_and_embed(self._perturb(fake))
        adversarial = self.loss.generator_loss(scores)
        pt = pulling_away(embeddings)
        loss = adversarial + self.pt_weight * pt
        logs = {"g_loss": loss.detach(), "g_loss_adv": adversarial.detach(), "g_pt": pt.detach()}
        return LossOutput(loss, logs)

    def extra_repr(self) -> str:
        return f"pt_weight={self.pt_weight}"


def _mean_over_ranks(values: Tensor) -> Tensor:
    """``values`` averaged over the ranks of an initialised process group (as is otherwise)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return values
    values = values.clone()
    dist.all_reduce(values)
    return values / dist.get_world_size()


class BEGANObjective(Objective):
    """BEGAN: L(v) is the mean absolute reconstruction error (``-scores``); D minimises
    L(x) - k_t L(G(z)), G minimises L(G(z)).

    After each discriminator step, k_t moves by ``lambda_k * (gamma L(x) - L(G(z)))`` (clipped
    to [0, 1]) from that step's losses, averaged over data-parallel ranks so every rank keeps the
    same k_t. k_t and the convergence measure M = L(x) + |gamma L(x) - L(G(z))| are logged as
    ``k_t`` and ``convergence``. With another zoo loss than the default, k_t is tracked and
    logged but does not weight the loss.
    """

    k: Tensor

    def __init__(
        self,
        loss: AdversarialLoss,
        regularizers: list[Regularizer] | tuple = (),
        gamma: float = 0.5,
        lambda_k: float = 0.001,
        k_init: float = 0.0,
    ) -> None:
        super().__init__(loss, regularizers)
        self.gamma = check_number("gamma", gamma, 0.0, 1.0)
        if self.gamma == 0:
            raise ConfigError("gamma (the diversity ratio) must be in (0, 1], got 0.")
        self.lambda_k = check_number("lambda_k", lambda_k, 0.0)
        self.register_buffer("k", torch.tensor(check_number("k_init", k_init, 0.0, 1.0)))
        self._pending: Tensor | None = None  # (L(x), L(G(z))) of the last discriminator loss

    def _adversarial(self, real_out: Tensor, fake_out: Tensor) -> Tensor:
        if isinstance(self.loss, BoundaryEquilibriumLoss):
            return self.loss.discriminator_loss(real_out, fake_out, self.k.clone())
        return super()._adversarial(real_out, fake_out)

    def convergence(self, l_real: Tensor, l_fake: Tensor) -> Tensor:
        """The paper's M_global = L(x) + |gamma L(x) - L(G(z))|."""
        return l_real + (self.gamma * l_real - l_fake).abs()

    def discriminator_terms(
        self, gan: Discriminates, real: Tensor, fake: Tensor, condition: Tensor | None = None
    ) -> LossOutput:
        adversarial, logs = super().discriminator_terms(gan, real, fake, condition)
        l_real, l_fake = -logs["d_real"], -logs["d_fake"]
        self._pending = torch.stack([l_real, l_fake])
        logs.update(
            l_real=l_real,
            l_fake=l_fake,
            k_t=self.k.detach().clone(),
            convergence=self.convergence(l_real, l_fake),
        )
        return LossOutput(adversarial, logs)

    @torch.no_grad()
    def update_k(self, l_real: Tensor, l_fake: Tensor) -> None:
        """k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1), in place."""
        step = self.lambda_k * (self.gamma * l_real - l_fake)
        self.k.copy_((self.k + step).clamp(0.0, 1.0))

    def after_discriminator_step(self, gan: Discriminates) -> None:
        super().after_discriminator_step(gan)
        if self._pending is not None:
            l_real, l_fake = _mean_over_ranks(self._pending.to(self.k.device)).unbind()
            self.update_k(l_real, l_fake)
            self._pending = None

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, lambda_k={self.lambda_k}"
