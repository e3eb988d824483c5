"""DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training").

Every image the discriminator sees, real or generated, on its own step and on the generator's,
goes through the same random, differentiable transformations; gradients reach the generator
through them. With little data this keeps the discriminator from memorising the training set.

Operations (images in [-1, 1], N x C x H x W), each with fresh per-image parameters:

- ``color``: brightness (add U[-0.5, 0.5)), saturation (scale the distance to the channel
  mean by U[0, 2); no effect on 1-channel images), contrast (scale the distance to the image
  mean by U[0.5, 1.5)).
- ``translation``: shift by up to 1/8 of the side in x and y (whole pixels), filling with zeros.
- ``cutout``: zero a square of half the side centred on a random pixel (clipped at the border).

A policy applies its operations in that order, whatever order it names them in. Random numbers
come from torch's global generator (which checkpoints save, so resumed runs stay exact), drawn
per sample for the global batch so a data-parallel run draws what one process draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import ConfigError
from ..utils.sharding import per_sample

TRANSLATION_RATIO = 0.125  # the largest shift, as a fraction of the image side
CUTOUT_RATIO = 0.5  # the side of the cut square, as a fraction of the image side


def _fractions(x: Tensor, count: int) -> Tensor:
    """``count`` U[0, 1) numbers per image of the batch ``x``, shaped (N, count), in float32."""
    return per_sample(lambda s: torch.rand(s, device=x.device), (x.shape[0], count))


def _uniform(x: Tensor) -> Tensor:
    """One U[0, 1) number per image, shaped (N, 1, 1, 1) to broadcast over it."""
    return _fractions(x, 1).to(x.dtype)[:, :, None, None]


def _whole(fractions: Tensor, sizes: tuple[int, int]) -> Tensor:
    """(N, 2) fractions in [0, 1) as whole numbers in [0, size) per column."""
    limits = torch.tensor(sizes, device=fractions.device)
    return (fractions * limits).long().minimum(limits - 1)


def color(x: Tensor) -> Tensor:
    """Random brightness, saturation and contrast."""
    x = x + (_uniform(x) - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (_uniform(x) * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x) + 0.5) + mean


def translation(x: Tensor) -> Tensor:
    """Shift each image by whole pixels (up to 1/8 of its side), filling with zeros."""
    n, _, h, w = x.shape
    pad_h, pad_w = int(h * TRANSLATION_RATIO + 0.5), int(w * TRANSLATION_RATIO + 0.5)
    shift = _whole(_fractions(x, 2), (2 * pad_h + 1, 2 * pad_w + 1)) - torch.tensor(
        [pad_h, pad_w], device=x.device
    )
    padded = F.pad(x, (pad_w, pad_w, pad_h, pad_h))
    rows = torch.arange(h, device=x.device)[None, :] + pad_h - shift[:, :1]  # (N, H)
    cols = torch.arange(w, device=x.device)[None, :] + pad_w - shift[:, 1:]  # (N, W)
    images = torch.arange(n, device=x.device)[:, None, None]
    moved = padded[images, :, rows[:, :, None], cols[:, None, :]]  # (N, H, W, C)
    return moved.permute(0, 3, 1, 2)


def cutout(x: Tensor) -> Tensor:
    """Zero a square of half the image side around a random pixel of each image."""
    h, w = x.shape[-2:]
    size_h, size_w = int(h * CUTOUT_RATIO + 0.5), int(w * CUTOUT_RATIO + 0.5)
    centre = _whole(_fractions(x, 2), (h, w))
    top, left = centre[:, :1] - size_h // 2, centre[:, 1:] - size_w // 2
    ys = torch.arange(h, device=x.device)[None, :]
    xs = torch.arange(w, device=x.device)[None, :]
    inside_y = (ys >= top) & (ys < top + size_h)  # (N, H)
    inside_x = (xs >= left) & (xs < left + size_w)  # (N, W)
    cut = inside_y[:, :, None] & inside_x[:, None, :]
    return x * (~cut)[:, None].to(x.dtype)


OPERATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "color": color,
    "translation": translation,
    "cutout": cutout,
}
_ALIASES = {"colour": "color", "translate": "translation", "cut": "cutout"}


def parse_policy(policy: str | Iterable[str] | None) -> tuple[str, ...]:
    """The operations a policy names (``"translation,cutout"`` or a list), in the order they
    apply; empty for no augmentation. Unknown names are a ConfigError listing the valid ones."""
    if policy is None:
        return ()
    names = policy.split(",") if isinstance(policy, str) else list(policy)
    chosen = set()
    for raw in names:
        if not isinstance(raw, str):
            raise ConfigError(f"DiffAugment operations are names, got {raw!r}.")
        name = _ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if not name:
            continue
        if name not in OPERATIONS:
            raise ConfigError(
                f"Unknown DiffAugment operation {raw.strip()!r}; valid: {', '.join(OPERATIONS)} "
                "(comma-separated, e.g. translation,cutout or color,translation,cutout)."
            )
        chosen.add(name)
    return tuple(name for name in OPERATIONS if name in chosen)


class DiffAugment:
    """Callable: images -> the same images through the policy's random operations.

    ``DiffAugment("color,translation,cutout")`` is the paper's full policy; an empty policy is
    the identity. Not an ``nn.Module``: it holds no state, so models and checkpoints never see it.
    """

    def __init__(self, policy: str | Iterable[str]) -> None:
        self.operations = parse_policy(policy)

    @property
    def policy(self) -> str:
        """The policy's canonical spelling (``"translation,cutout"``)."""
        return ",".join(self.operations)

    def __call__(self, images: Tensor) -> Tensor:
        if images.ndim != 4:
            raise ConfigError(
                f"DiffAugment takes image batches (N, C, H, W), got shape {tuple(images.shape)}."
            )
        for name in self.operations:
            images = OPERATIONS[name](images)
        return images

    def __bool__(self) -> bool:
        return bool(self.operations)

    def __repr__(self) -> str:
        return f"DiffAugment({self.policy!r})"
