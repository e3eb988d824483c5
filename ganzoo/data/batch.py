"""The one training batch every GAN, objective and the trainer share."""

from __future__ import annotations

from dataclasses import dataclass, replace

from torch import Tensor


@dataclass(frozen=True)
class Batch:
    """One batch of training data.

    ``real`` holds the real (target-domain) images in [-1, 1], shape (N, C, H, W); ``labels``
    their class ids (N,) for labelled data, else None; ``source`` the source-domain images of
    image-to-image data (N, C', H, W) in [-1, 1], else None.
    """

    real: Tensor
    labels: Tensor | None = None
    source: Tensor | None = None

    def __len__(self) -> int:
        return self.real.shape[0]

    def replace(self, **changes: Tensor | None) -> Batch:
        """A copy with some fields changed (e.g. ``real`` in another memory format)."""
        return replace(self, **changes)
