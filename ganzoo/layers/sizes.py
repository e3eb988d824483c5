"""Which image sizes a convolutional stack that doubles resolution per block can produce."""

from __future__ import annotations

from ..errors import ConfigError


def spatial_plan(img_size: int, model: str, min_blocks: int = 2) -> tuple[int, int]:
    """Split ``img_size`` into a base resolution and a number of 2x blocks.

    Halves while the size is even and above 4: 28 -> (7, 2), 32 -> (4, 3), 64 -> (4, 4).
    """
    if not isinstance(img_size, int) or isinstance(img_size, bool) or img_size < 1:
        raise ConfigError(f"{model}: img_size must be a positive integer, got {img_size!r}.")
    base, blocks = img_size, 0
    while base % 2 == 0 and base > 4:
        base //= 2
        blocks += 1
    if blocks < min_blocks or base < 3:
        raise ConfigError(
            f"{model} cannot make {img_size}x{img_size} images: the size must be a base of at "
            f"least 3 doubled at least {min_blocks} times (e.g. 28, 32, 48, 64, 128). "
            f"Pick one of those, or resize your data with --img-size."
        )
    return base, blocks
