"""Hugging Face Hub integration: the ganzoo repo format, from_pretrained, push_to_hub, model cards."""

from .card import model_card
from .format import (
    CONFIG_NAME,
    FULL_WEIGHTS,
    GENERATOR_WEIGHTS,
    build_from_config,
    load_weights,
    read_config,
    save_pretrained,
    sha256_of,
)
from .remote import describe_run, export_folder, from_pretrained, pull, push_to_hub

__all__ = [
    "CONFIG_NAME",
    "FULL_WEIGHTS",
    "GENERATOR_WEIGHTS",
    "build_from_config",
    "describe_run",
    "export_folder",
    "from_pretrained",
    "load_weights",
    "model_card",
    "pull",
    "push_to_hub",
    "read_config",
    "save_pretrained",
    "sha256_of",
]
