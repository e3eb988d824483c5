"""The GAN containers: networks + objective + recipe. Noise models (:class:`GAN`) and
image-to-image models (:class:`TranslationGAN`) are siblings under :class:`GANBase`."""

from .base import Fakes, GANBase, Preview
from .noise import GAN
from .translation import TranslationGAN, run_in_eval

__all__ = ["GAN", "Fakes", "GANBase", "Preview", "TranslationGAN", "run_in_eval"]
