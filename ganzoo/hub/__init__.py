"""The ganzoo repo format and its transfers: ``config.json`` + safetensors weights in a folder
or a Hugging Face Hub repo, model cards, uploads and downloads.

This layer knows nothing of which GAN it stores (as huggingface_hub's ``ModelHubMixin`` sits
under the models that use it); rebuilding a model from a repo is :func:`ganzoo.from_pretrained`.
"""

from .card import model_card
from .download import fetch, local_file
from .format import (
    CONFIG_NAME,
    FULL_WEIGHTS,
    GENERATOR_WEIGHTS,
    load_weights,
    read_config,
    save_pretrained,
    sha256_of,
)
from .publish import export_folder, pull, push_to_hub

__all__ = [
    "CONFIG_NAME",
    "FULL_WEIGHTS",
    "GENERATOR_WEIGHTS",
    "export_folder",
    "fetch",
    "load_weights",
    "local_file",
    "model_card",
    "pull",
    "push_to_hub",
    "read_config",
    "save_pretrained",
    "sha256_of",
]

# Names that moved up a layer in ganzoo 0.2 (they rebuild models, which this layer cannot).
_MOVED = {
    "from_pretrained": ("ganzoo.factory", "ganzoo.from_pretrained"),
    "build_from_config": ("ganzoo.factory", "ganzoo.rebuild"),
    "describe_run": ("ganzoo.train.publishing", "ganzoo.train.publishing.describe_run"),
}


def __getattr__(name: str) -> object:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    import warnings

    module, new = _MOVED[name]
    warnings.warn(
        f"ganzoo.hub.{name} moved to {new}; the old name goes away in ganzoo 0.3.",
        DeprecationWarning,
        stacklevel=2,
    )
    attribute = "rebuild" if name == "build_from_config" else name
    return getattr(importlib.import_module(module), attribute)
