"""ganzoo: a pluggable GAN model zoo for PyTorch — one registry, one trainer, many GANs.

Every public name is imported on first use (PEP 562), so ``import ganzoo`` and the CLI start
without loading the trainer, the Hub client or the metrics.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _omp_passive as _omp_passive  # first: passive OpenMP waiting before torch loads

__version__ = "0.2.0"

# public name -> the module that defines it
_EXPORTS = {
    "Batch": "ganzoo.data",
    "load_dataset": "ganzoo.data",
    "CheckpointError": "ganzoo.errors",
    "ConfigError": "ganzoo.errors",
    "DataError": "ganzoo.errors",
    "DistributedError": "ganzoo.errors",
    "GanzooError": "ganzoo.errors",
    "TrainingDiverged": "ganzoo.errors",
    "UnknownNameError": "ganzoo.errors",
    "GAN": "ganzoo.gan",
    "GANBase": "ganzoo.gan",
    "TranslationGAN": "ganzoo.gan",
    "Discriminator": "ganzoo.models",
    "Generator": "ganzoo.models",
    "Translator": "ganzoo.models",
    "Objective": "ganzoo.objectives",
    "build_objective": "ganzoo.objectives",
    "list_objectives": "ganzoo.objectives",
    "list_regularizers": "ganzoo.objectives",
    "OptimizerConfig": "ganzoo.recipe",
    "Recipe": "ganzoo.recipe",
    "is_model": "ganzoo.registry",
    "list_models": "ganzoo.registry",
    "register_model": "ganzoo.registry",
    "split_model_name_tag": "ganzoo.registry",
    "build_gan": "ganzoo.zoo",
    "to_pil": "ganzoo.utils.pil",
    "create": "ganzoo.factory",
    "create_generator": "ganzoo.factory",
    "from_pretrained": "ganzoo.factory",
    "model_info": "ganzoo.factory",
    "rebuild": "ganzoo.factory",
    "load": "ganzoo.loading",
    "TrainConfig": "ganzoo.train",
    "Trainer": "ganzoo.train",
    "TrainResult": "ganzoo.train",
    "load_gan": "ganzoo.train",
}
_SUBMODULES = ("metrics", "hub", "data", "train", "bench", "zoo", "models", "objectives", "layers")

__all__ = [
    "GAN",
    "Batch",
    "CheckpointError",
    "ConfigError",
    "DataError",
    "Discriminator",
    "DistributedError",
    "GANBase",
    "GanzooError",
    "Generator",
    "Objective",
    "OptimizerConfig",
    "Recipe",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "TrainingDiverged",
    "TranslationGAN",
    "Translator",
    "UnknownNameError",
    "__version__",
    "bench",
    "build_gan",
    "build_objective",
    "create",
    "create_generator",
    "data",
    "from_pretrained",
    "hub",
    "is_model",
    "layers",
    "list_models",
    "list_objectives",
    "list_regularizers",
    "load",
    "load_dataset",
    "load_gan",
    "metrics",
    "model_info",
    "models",
    "objectives",
    "rebuild",
    "register_model",
    "split_model_name_tag",
    "to_pil",
    "train",
    "zoo",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"ganzoo.{name}")
    else:
        raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what type checkers and IDEs see
    from . import bench, data, hub, layers, metrics, models, objectives, train, zoo
    from .data import Batch, load_dataset
    from .errors import (
        CheckpointError,
        ConfigError,
        DataError,
        DistributedError,
        GanzooError,
        TrainingDiverged,
        UnknownNameError,
    )
    from .factory import create, create_generator, from_pretrained, model_info, rebuild
    from .gan import GAN, GANBase, TranslationGAN
    from .loading import load
    from .models import Discriminator, Generator, Translator
    from .objectives import Objective, build_objective, list_objectives, list_regularizers
    from .recipe import OptimizerConfig, Recipe
    from .registry import is_model, list_models, register_model, split_model_name_tag
    from .train import TrainConfig, Trainer, TrainResult, load_gan
    from .utils.pil import to_pil
    from .zoo import build_gan
