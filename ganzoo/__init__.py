"""ganzoo: a pluggable GAN model zoo for PyTorch — one registry, one trainer, many GANs."""

from . import _omp_passive as _omp_passive  # first: before anything imports torch
from . import metrics
from .data import load_dataset
from .errors import (
    CheckpointError,
    ConfigError,
    DataError,
    DistributedError,
    GanzooError,
    TrainingDiverged,
    UnknownNameError,
)
from .gan import GAN
from .hub import from_pretrained
from .models import Discriminator, Generator, Translator
from .models import acgan as _acgan
from .models import began as _began
from .models import cgan as _cgan
from .models import cyclegan as _cyclegan
from .models import dcgan as _dcgan
from .models import ebgan as _ebgan
from .models import pix2pix as _pix2pix
from .models import sagan as _sagan
from .models import sngan as _sngan
from .models import stylegan as _stylegan
from .models import vanilla as _vanilla
from .objectives import Objective, build_objective, list_objectives, list_regularizers
from .recipe import OptimizerConfig, Recipe
from .registry import (
    create,
    create_generator,
    is_model,
    list_models,
    model_info,
    register_model,
    split_model_name_tag,
)
from .train import Trainer, TrainResult, load_gan
from .translation import TranslationGAN

del _acgan, _began, _cgan, _cyclegan, _dcgan, _ebgan, _pix2pix, _sagan, _sngan, _stylegan, _vanilla

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "CheckpointError",
    "ConfigError",
    "DataError",
    "Discriminator",
    "DistributedError",
    "GanzooError",
    "Generator",
    "Objective",
    "OptimizerConfig",
    "Recipe",
    "TrainResult",
    "Trainer",
    "TrainingDiverged",
    "TranslationGAN",
    "Translator",
    "UnknownNameError",
    "__version__",
    "build_objective",
    "create",
    "create_generator",
    "from_pretrained",
    "is_model",
    "list_models",
    "list_objectives",
    "list_regularizers",
    "load_dataset",
    "load_gan",
    "metrics",
    "model_info",
    "register_model",
    "split_model_name_tag",
]
