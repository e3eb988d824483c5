"""The health monitor: watches a run's log rows and samples for the classic GAN failures.

Detectors (each names what it saw and a remedy):

* ``discriminator_wins`` — for a whole window the discriminator's adversarial loss stays below
  a tenth of its chance level (the loss of a discriminator that cannot tell), or, for losses
  without one (Wasserstein), it ranks real above fake in all pairs (``d_separation``), while the
  generator loss does not fall: convergence failure.
* ``oscillation`` — the generator loss swings up and down with no trend over a window.
* ``mode_collapse`` — the diversity of generated samples (mean pairwise distance in a feature
  space, relative to real data) falls to under half its best so far and below
  ``diversity_ratio``, or to (near) zero; for labelled data, the number of classes produced falls
  below ``class_fraction`` of them after having been above it.
* ``exploding_gradients`` / ``vanishing_gradients`` — a network's gradient norm is non-finite,
  jumps far above its recent level, or is (near) zero.

Alerts go to the log (``health`` in ``metrics.jsonl``), the progress bar and Python warnings
(``TrainingHealthWarning``); detectors listed in ``stop_on`` stop the run after a checkpoint.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections import deque
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch
from torch import Tensor

from ..errors import ConfigError, unknown_name

DETECTORS = (
    "discriminator_wins",
    "oscillation",
    "mode_collapse",
    "exploding_gradients",
    "vanishing_gradients",
)


class TrainingHealthWarning(UserWarning):
    """A health detector fired during training."""


class Alert(NamedTuple):
    detector: str
    step: int
    message: str


@dataclass
class HealthConfig:
    """Health monitor settings; ``window`` counts log rows (``log_every`` steps each)."""

    enabled: bool = True
    window: int = 8
    warmup_steps: int = 100
    stop_on: list[str] = field(default_factory=list)
    chance_fraction: float = 0.1
    separation_limit: float = 0.999
    oscillation_sign_changes: float = 0.7
    oscillation_amplitude: float = 0.25
    diversity_ratio: float = 0.4
    diversity_floor: float = 0.02
    class_fraction: float = 0.6
    explode_factor: float = 100.0
    vanish_norm: float = 1e-7

    def __post_init__(self) -> None:
        unknown = [d for d in self.stop_on if d not in DETECTORS]
        if unknown:
            raise unknown_name("health detector", unknown[0], DETECTORS)
        if self.window < 3:
            raise ConfigError(f"health.window must be >= 3 log rows, got {self.window}.")


def grad_norm(parameters: Any) -> Tensor:
    """Total L2 norm of the gradients (0 when none), without a host sync."""
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def _slope(values: list[float]) -> float:
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    cov = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    return cov / sum((i - mean_x) ** 2 for i in range(n))


def _std(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


class HealthMonitor:
    """Checks log rows (:meth:`observe`) and generated samples (:meth:`observe_samples`)."""

    def __init__(
        self,
        config: HealthConfig | None = None,
        chance_loss: float | None = None,
        loss: str | None = None,
    ) -> None:
        self.config = config or HealthConfig()
        self.chance_loss = chance_loss  # the discriminator loss when it cannot tell real from fake
        self.loss = loss  # the adversarial loss's name: remedies suit the loss in use
        self._best_ratio = 0.0
        self._best_classes = 0
        self.rows: deque[dict[str, float]] = deque(maxlen=self.config.window)
        self.alerts: list[Alert] = []
        self.active: set[str] = set()  # detectors whose condition holds now
        self._real_diversity: float | None = None
        self._zero_rows: dict[str, int] = {}  # log rows in a row with a zero gradient norm

    # ------------------------------------------------------------------ log rows
    def observe(self, row: dict[str, Any]) -> list[Alert]:
        """Feed one log row (averages since the last one); returns the alerts it raised."""
        if not self.config.enabled:
            return []
        step = int(row["step"])
        if step <= self.config.warmup_steps:
            self.rows.clear()  # windows hold post-warm-up rows only
        self.rows.append(row)
        found = self._gradients(row, step)
        if step >= self.config.warmup_steps and len(self.rows) == self.rows.maxlen:
            found += self._discriminator_wins(step) + self._oscillation(step)
        watched = {
            "discriminator_wins",
            "oscillation",
            "exploding_gradients",
            "vanishing_gradients",
        }
        return self._emit(found, watched)

    def _gradients(self, row: dict[str, Any], step: int) -> list[Alert]:
        found = []
        for net in ("g", "d"):
            norm = row.get(f"{net}_grad_norm")
            if norm is None:
                continue
            who = "generator" if net == "g" else "discriminator"
            zero = norm < self.config.vanish_norm
            self._zero_rows[net] = self._zero_rows.get(net, 0) + 1 if zero else 0
            earlier = [
                r[f"{net}_grad_norm"] for r in list(self.rows)[:-1] if f"{net}_grad_norm" in r
            ]
            typical = sorted(earlier)[len(earlier) // 2] if earlier else None
            if not math.isfinite(norm) or (typical and norm > self.config.explode_factor * typical):
                found.append(
                    Alert(
                        "exploding_gradients",
                        step,
                        f"{who} gradient norm {norm:.3g} (recent median {typical or float('nan'):.3g}); "
                        "lower its learning rate, clip gradients or add a gradient penalty.",
                    )
                )
            elif norm < self.config.vanish_norm and (
                step >= self.config.warmup_steps or self._dead(net)
            ):
                found.append(
                    Alert(
                        "vanishing_gradients",
                        step,
                        f"{who} gradient norm {norm:.3g} is (near) zero: it has stopped learning. "
                        + vanishing_remedy(net, self.loss),
                    )
                )
        return found

    def _dead(self, net: str) -> bool:
        """Zero gradients in 3 rows in a row, even during warm-up: not a transient but a dead
        network (saturated outputs or dead units after too high a learning rate)."""
        return self._zero_rows.get(net, 0) >= 3

    def _discriminator_wins(self, step: int) -> list[Alert]:
        rows = list(self.rows)
        d_adv = [r.get("d_loss_adv", r.get("d_loss")) for r in rows]
        separation = [r.get("d_separation") for r in rows]
        if self.chance_loss is not None and None not in d_adv:
            if max(d_adv) >= self.config.chance_fraction * self.chance_loss:
                return []
        elif None in separation or min(separation) < self.config.separation_limit:
            return []
        g = [r.get("g_loss", 0.0) for r in rows]
        if _slope(g) < 0 and (g[0] - g[-1]) > _std(g):  # the generator is catching up
            return []
        d = [r.get("d_loss", 0.0) for r in rows]
        return [
            Alert(
                "discriminator_wins",
                step,
                f"the discriminator wins outright: it ranks real above fake in "
                f"{100 * sum(separation) / len(separation):.1f}% of pairs over the last {len(rows)} "
                f"log rows (d_loss {d[0]:.3g} -> {d[-1]:.3g}, g_loss {g[0]:.3g} -> {g[-1]:.3g}). "
                "Lower the discriminator's learning rate (TTUR), add label smoothing or instance "
                "noise, or a gradient penalty.",
            )
        ]

    def _oscillation(self, step: int) -> list[Alert]:
        g = [r.get("g_loss") for r in self.rows]
        if None in g:
            return []
        diffs = [b - a for a, b in itertools.pairwise(g)]
        flips = sum(1 for a, b in itertools.pairwise(diffs) if a * b < 0)
        flip_rate = flips / max(len(diffs) - 1, 1)
        spread = _std(g)
        amplitude = spread / (abs(sum(g) / len(g)) + 1e-8)
        trend = abs(_slope(g)) * (len(g) - 1)
        if (
            flip_rate >= self.config.oscillation_sign_changes
            and amplitude >= self.config.oscillation_amplitude
            and trend < spread
        ):
            return [
                Alert(
                    "oscillation",
                    step,
                    f"the generator loss swings with no trend over the last {len(g)} log rows "
                    f"(direction changes {flip_rate:.0%}, spread {amplitude:.0%} of its mean). "
                    "Lower both learning rates or raise Adam's beta2; n_critic > 1 or EMA can help.",
                )
            ]
        return []

    # ------------------------------------------------------------------ samples
    def set_real_reference(self, features: Tensor) -> None:
        """Features of a real batch: the diversity that generated samples are compared with."""
        self._real_diversity = mean_pairwise_distance(features)

    def observe_samples(
        self, step: int, features: Tensor, classes: Tensor | None = None, num_classes: int = 0
    ) -> tuple[list[Alert], dict[str, float]]:
        """Check generated samples' features (and predicted classes); returns alerts and signals."""
        if not self.config.enabled or self._real_diversity is None:
            return [], {}
        ratio = mean_pairwise_distance(features) / max(self._real_diversity, 1e-12)
        signals = {"diversity_ratio": ratio}
        found = []
        self._best_ratio = max(self._best_ratio, ratio)
        falling = ratio < self.config.diversity_ratio and ratio < 0.5 * self._best_ratio
        # (near) identical samples after diverse ones: a collapse even during warm-up (a fresh
        # generator's samples are alike, so warm-up still guards the first ones)
        was_diverse = self._best_ratio >= self.config.diversity_ratio
        collapsed = ratio < self.config.diversity_floor and was_diverse
        if collapsed or (
            step >= self.config.warmup_steps and (falling or ratio < self.config.diversity_floor)
        ):
            found.append(
                Alert(
                    "mode_collapse",
                    step,
                    f"generated samples are {ratio:.0%} as diverse as real data (mean pairwise feature "
                    "distance); the generator is collapsing onto few modes. Try a lower generator "
                    "learning rate, minibatch noise, a gradient penalty, or EMA.",
                )
            )
        if classes is not None and num_classes:
            covered = int(torch.unique(classes).numel())
            signals["classes_covered"] = covered
            enough = self.config.class_fraction * num_classes
            self._best_classes = max(self._best_classes, covered)
            if covered < enough <= self._best_classes:
                found.append(
                    Alert(
                        "mode_collapse",
                        step,
                        f"generated samples cover only {covered} of {num_classes} classes (up to "
                        f"{self._best_classes} earlier).",
                    )
                )
        return self._emit(found, {"mode_collapse"}), signals

    def _emit(self, found: list[Alert], watched: set[str]) -> list[Alert]:
        """Report alerts whose detector was not already active; ``watched`` detectors that did
        not fire are cleared (so a condition that returns is reported again)."""
        fired = {a.detector for a in found}
        self.active -= watched - fired
        new = []
        reported = set(self.active)
        for alert in found:
            if alert.detector in reported:
                continue
            warnings.warn(
                TrainingHealthWarning(f"step {alert.step}: {alert.message}"), stacklevel=3
            )
            reported.add(alert.detector)
            new.append(alert)
        self.active |= fired
        self.alerts += new
        return new

    def state_dict(self) -> dict[str, Any]:
        """The windows and alerts, so a resumed run watches on where it stopped."""
        return {
            "rows": [dict(r) for r in self.rows],
            "alerts": [list(a) for a in self.alerts],
            "active": sorted(self.active),
            "best_ratio": self._best_ratio,
            "best_classes": self._best_classes,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.rows.clear()
        self.rows.extend(state["rows"])
        self.alerts = [Alert(*a) for a in state["alerts"]]
        self.active = set(state["active"])
        self._best_ratio, self._best_classes = state["best_ratio"], state["best_classes"]

    def should_stop(self, alerts: list[Alert]) -> Alert | None:
        """The first alert whose detector is in ``stop_on``."""
        return next((a for a in alerts if a.detector in self.config.stop_on), None)


def vanishing_remedy(net: str, loss: str | None) -> str:
    """What to do about a network whose gradients vanished, for the adversarial loss in use."""
    if loss == "minimax":
        return (
            "A saturated discriminator with the minimax loss does this; use the non-saturating "
            "loss or weaken the discriminator."
        )
    if net == "g":
        return (
            "The generator is dead (saturated outputs or dead units), as too high a learning rate "
            "leaves it; resume from an earlier checkpoint with a lower generator learning rate."
        )
    return (
        "The discriminator is dead (saturated outputs or dead units); resume from an earlier "
        "checkpoint with a lower discriminator learning rate."
    )


def mean_pairwise_distance(features: Tensor) -> float:
    """Mean Euclidean distance over all pairs of distinct rows of (N, D) ``features``."""
    x = features.reshape(len(features), -1).double()
    n = len(x)
    if n < 2:
        return 0.0
    return float(torch.pdist(x).sum() * 2 / (n * (n - 1)))
