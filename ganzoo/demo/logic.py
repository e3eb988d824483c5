"""What the demo page does, without the page: find models, sample grids, latent walks, translate.

Every function takes plain values (what the page's widgets hold) and returns PIL images or raises
:class:`~ganzoo.errors.GanzooError` with one line for the page to show.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor

from ..data.images import convert_channels, resize, to_unit_range
from ..errors import ConfigError, GanzooError
from ..gan import GAN, TranslationGAN
from ..hub.format import CONFIG_NAME, read_config
from ..local_weights import load_source, local_folder, local_tags
from ..utils.images import grid_image, save_sweep

DISPLAY_CELL = 112  # about this many pixels per generated image on the page (nearest upscaling)
PADDING = 2  # between grid cells, as in the run folders' samples.png
MAX_COUNT = 64
MAX_WALK = 16
MAX_UPLOAD_SIDE = 4096
NO_WEIGHTS = (
    "No model weights were found: no `pretrained/` folder next to ganzoo (a source checkout has "
    "them) and no run was given. Train one (`ganzoo train dcgan --steps 500 --out runs/dcgan`) "
    "and start `ganzoo demo runs/dcgan`, or run the demo from a clone of the ganzoo repository."
)


@dataclass(frozen=True)
class ModelFacts:
    """What the page needs to know to show the right controls for a model."""

    name: str
    translator: bool
    num_classes: int
    truncation: bool
    image_shape: tuple[int, int, int]
    source_shape: tuple[int, int, int] | None
    two_way: bool

    def describe(self) -> str:
        c, h, w = self.image_shape
        kind = f"{c}x{h}x{w} images"
        if self.translator:
            s = self.source_shape or (0, 0, 0)
            return f"**{self.name}** translates {s[0]}x{s[1]}x{s[2]} images into {kind}."
        extra = f", conditional on {self.num_classes} classes" if self.num_classes else ""
        extra += ", truncation trick" if self.truncation else ""
        return f"**{self.name}** generates {kind} from noise{extra}."


class Models:
    """The models offered on the page (published tags found locally, plus given runs), each
    loaded once on first use."""

    def __init__(self, extra: list[str] | None = None, include_published: bool = True) -> None:
        self.choices = [*(local_tags() if include_published else []), *(extra or [])]
        self._loaded: dict[str, GAN] = {}

    def get(self, choice: str | None) -> GAN:
        if not choice:
            raise ConfigError(NO_WEIGHTS if not self.choices else "Choose a model first.")
        if choice not in self.choices:
            raise ConfigError(f"{choice!r} is not one of the models this page offers.")
        if choice not in self._loaded:
            gan = load_source(choice)
            gan.eval()
            self._loaded[choice] = gan
        return self._loaded[choice]

    def facts(self, choice: str | None) -> ModelFacts:
        gan = self.get(choice)
        translator = isinstance(gan, TranslationGAN)
        return ModelFacts(
            name=str(choice),
            translator=translator,
            num_classes=gan.num_classes,
            truncation=bool(getattr(gan.sampler, "supports_truncation", False)),
            image_shape=gan.image_shape,
            source_shape=gan.source_shape if translator else None,
            two_way=hasattr(gan.generator, "b2a"),
        )

    def noise_choices(self) -> list[str]:
        return [c for c in self.choices if not self._is_translator(c)]

    def translator_choices(self) -> list[str]:
        return [c for c in self.choices if self._is_translator(c)]

    def _is_translator(self, choice: str) -> bool:
        folder = local_folder(choice)
        if folder is not None and choice not in self._loaded:  # no need to load it to know
            return "source_channels" in read_config(folder / CONFIG_NAME).get("args", {})
        try:
            return isinstance(self.get(choice), TranslationGAN)
        except GanzooError:
            return False


def display_grid(images: Tensor, nrow: int) -> Image.Image:
    """``images`` in [-1, 1] upscaled to about :data:`DISPLAY_CELL` pixels each, tiled ``nrow``
    per row with :data:`PADDING` pixels between and around cells (see :func:`grid_size`)."""
    scale = cell_scale(images.shape[-1])
    big = F.interpolate(images.float().cpu(), scale_factor=scale, mode="nearest")
    return grid_image(big, nrow)


def cell_scale(img_size: int) -> int:
    return max(1, round(DISPLAY_CELL / img_size))


def grid_size(count: int, img_size: int, nrow: int) -> tuple[int, int]:
    """(width, height) in pixels of :func:`display_grid` for ``count`` images."""
    if count == 1:  # make_grid leaves a single image unpadded
        return (img_size * cell_scale(img_size),) * 2
    cell = img_size * cell_scale(img_size) + PADDING
    rows = math.ceil(count / nrow)
    return nrow * cell + PADDING, rows * cell + PADDING


def _labels(gan: GAN, count: int, classes: list[int] | None) -> Tensor | None:
    if not gan.num_classes:
        return None
    chosen = sorted({int(c) for c in classes or []}) or list(range(gan.num_classes))
    bad = [c for c in chosen if not 0 <= c < gan.num_classes]
    if bad:
        raise ConfigError(f"Classes must be in [0, {gan.num_classes}); got {bad}.")
    return torch.tensor(chosen).repeat(math.ceil(count / len(chosen)))[:count]


def _truncation(gan: GAN, psi: float | None) -> float | None:
    if psi is None or psi >= 1.0 or not getattr(gan.sampler, "supports_truncation", False):
        return None
    return float(psi)


def _check_count(count: float | int, limit: int, what: str) -> int:
    if count is None or int(count) != count or not 1 <= int(count) <= limit:
        raise ConfigError(f"{what} must be a whole number from 1 to {limit}, got {count}.")
    return int(count)


def generate(
    gan: GAN,
    seed: int,
    count: int,
    classes: list[int] | None = None,
    truncation: float | None = None,
) -> Image.Image:
    """A grid of ``count`` samples for ``seed`` (8 per row; one class per column when the
    model is conditional and all its classes are chosen)."""
    if isinstance(gan, TranslationGAN):
        raise ConfigError(f"{gan.name} translates images: use the Translate tab.")
    count = _check_count(count, MAX_COUNT, "Count")
    labels = _labels(gan, count, classes)
    images = gan.sample(
        count, labels=labels, seed=int(seed), truncation=_truncation(gan, truncation)
    )
    return display_grid(images, min(count, 8))


def latent_walk(
    gan: GAN,
    seed_from: int,
    seed_to: int,
    steps: int,
    label: int | None = None,
    truncation: float | None = None,
) -> tuple[Image.Image, Path]:
    """An interpolation strip from ``seed_from``'s code to ``seed_to``'s (one row of ``steps``
    images, :meth:`GAN.interpolate <ganzoo.GAN.interpolate>`) and the same walk as a looping GIF
    (forward and back)."""
    if isinstance(gan, TranslationGAN):
        raise ConfigError(f"{gan.name} translates images and has no latent space to walk.")
    steps = max(_check_count(steps, MAX_WALK, "Steps"), 2)
    ends = [  # each seed's code: what gan.sample(1, seed=s) draws
        gan.sample_latent(1, generator=torch.Generator(gan.device).manual_seed(int(s)))
        for s in (seed_from, seed_to)
    ]
    frames = gan.interpolate(
        steps, latents=torch.cat(ends), label=label, truncation=_truncation(gan, truncation)
    )
    strip = display_grid(frames, steps)
    gif = Path(tempfile.mkdtemp(prefix="ganzoo-walk-")) / "walk.gif"
    scale = cell_scale(frames.shape[-1])
    save_sweep(frames, gif, steps, scale=scale, ms_per_frame=120, bounce=True)
    return strip, gif


def prepare_upload(
    image: Image.Image | np.ndarray, shape: tuple[int, int, int]
) -> tuple[Tensor, str]:
    """An uploaded picture as a (1, C, H, W) batch in [-1, 1] for a model taking ``shape``, and
    a note saying what was converted; refuses what cannot be a picture."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    if not isinstance(image, Image.Image):
        raise ConfigError("Upload an image file (PNG, JPEG, ...) to translate.")
    width, height = image.size
    if min(width, height) < 4 or max(width, height) > MAX_UPLOAD_SIDE:
        raise ConfigError(
            f"The upload is {width}x{height} pixels; upload an image between 4 and "
            f"{MAX_UPLOAD_SIDE} pixels a side."
        )
    channels, size, _ = shape
    mode = "L" if channels == 1 else "RGB"
    notes = []
    if image.mode != mode:
        notes.append(f"converted {image.mode} to {'grey' if channels == 1 else 'RGB'}")
    side = min(width, height)
    if width != height:
        left, top = (width - side) // 2, (height - side) // 2
        image = image.crop((left, top, left + side, top + side))
        notes.append(f"cropped {width}x{height} to the centre {side}x{side}")
    pixels = np.asarray(image.convert(mode))
    tensor = torch.from_numpy(pixels.copy())
    tensor = tensor[None] if channels == 1 else tensor.permute(2, 0, 1)
    if side != size:
        notes.append(f"resized {side}x{side} to {size}x{size}")
    batch = to_unit_range(resize(tensor[None].contiguous(), size))
    return batch, ("Upload " + ", ".join(notes) + ".") if notes else ""


def translate(
    gan: GAN, image: Image.Image | np.ndarray | None, direction: str = "a2b"
) -> tuple[Image.Image, str]:
    """The upload translated (shown as source | translation) and the conversion note."""
    if not isinstance(gan, TranslationGAN):
        raise ConfigError(f"{gan.name} generates from noise: use the Generate tab.")
    if image is None:
        raise ConfigError("Upload an image to translate.")
    two_way = hasattr(gan.generator, "b2a")
    if direction == "b2a" and not two_way:
        raise ConfigError(f"{gan.name} translates one way only (a2b).")
    shape = gan.image_shape if direction == "b2a" else gan.source_shape
    source, note = prepare_upload(image, shape)
    kwargs = {"direction": direction} if two_way else {}
    out = gan.translate(source.to(gan.device), **kwargs).cpu()
    shown = convert_channels(source, out.shape[1])
    return display_grid(torch.cat([shown, out]), 2), note
