"""Run configs: a YAML recipe file (or CLI flags) -> dataset + model + trainer -> a trained run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import torch
import yaml

from .config import from_dict, load_yaml, to_dict
from .data import ImagePairs, load_dataset
from .errors import ConfigError, DataError
from .gan import GAN
from .input_checks import DATA_SHAPE, POSITIVE_SIZES, check_architecture_sizes
from .recipe import Recipe
from .registry import create
from .train import HealthConfig, SpeedConfig, Trainer, TrainResult


@dataclass
class DataConfig:
    """Which dataset to train on (see :func:`ganzoo.load_dataset`); ``direction`` (``a2b`` or
    ``b2a``) picks the source domain of image-to-image data."""

    name: str = "default"
    root: str | None = None
    train: bool = True
    download: bool = True
    direction: str = "a2b"


@dataclass
class RunConfig:
    """Everything that defines a training run; ``zoo_configs/*.yaml`` files hold these."""

    model: str = "dcgan"
    model_args: dict[str, Any] = field(default_factory=dict)
    recipe: dict[str, Any] = field(default_factory=dict)
    data: DataConfig = field(default_factory=DataConfig)
    seed: int = 0
    out_dir: str | None = None
    log_every: int = 25
    sample_every: int | None = None
    checkpoint_every: int | None = None
    num_samples: int = 64
    device: str | None = None
    health: HealthConfig = field(default_factory=HealthConfig)
    speed: SpeedConfig = field(default_factory=SpeedConfig)
    tensorboard: bool = False
    source: str | None = None  # the config file the run came from (informational)

    # Keys users put at the top level that live elsewhere (used in error messages).
    key_hints: ClassVar[dict[str, str]] = {
        **{f.name: f"recipe.{f.name}" for f in fields(Recipe)},
        **{
            k: f"model_args.{k}"
            for k in ("img_size", "channels", "latent_dim", "num_classes", "width")
        },
        "direction": "data.direction",
    }


def load_run_config(path: str | os.PathLike[str]) -> RunConfig:
    """Read and validate a YAML run config (unknown keys and wrong types are errors)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Config file {path} does not exist.")
    try:
        raw = load_yaml(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from None
    config = from_dict(RunConfig, raw, where=path.name)
    config.source = config.source or str(path)
    return config


def apply_overrides(config: RunConfig, assignments: list[str]) -> RunConfig:
    """Apply ``key.sub=value`` strings (values parsed as YAML) to a config."""
    data = to_dict(config)
    for item in assignments:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(
                f"Override {item!r} must look like key=value, e.g. recipe.batch_size=32."
            )
        node = data
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"Override {item!r}: {part!r} is not a section.")
        node[leaf] = load_yaml(raw)
    return from_dict(RunConfig, data, where="overrides")


def build_run(config: RunConfig) -> tuple[GAN, Any]:
    """The dataset and a GAN shaped for it (image size, channels and classes follow the data
    unless ``model_args`` sets them, in which case the data is resized/converted). For
    :class:`ImagePairs` the targets set ``channels`` and the sources ``source_channels``."""
    args = dict(config.model_args)
    # before any data is resized or converted to them
    check_architecture_sizes(config.model, args, (*POSITIVE_SIZES, *DATA_SHAPE))
    img_size, channels = args.get("img_size"), args.get("channels")
    data = load_dataset(config.data.name, config.data.root, config.data.train, config.data.download,
                        img_size=img_size, channels=channels,
                        direction=config.data.direction)  # fmt: skip
    c, h, _ = data.image_shape
    args.setdefault("img_size", h)
    args.setdefault("channels", c)
    if isinstance(data, ImagePairs):
        if "source_channels" in args:
            data = data.formatted(source_channels=args["source_channels"])
        else:
            args["source_channels"] = data.source_shape[0]
    if config.recipe:
        args["recipe"] = config.recipe
    torch.manual_seed(config.seed)
    try:
        gan = create(config.model, **args)
    except ConfigError as err:
        if isinstance(data, ImagePairs) and "'source_channels'" in str(err):
            raise DataError(
                f"{config.model} does not translate images, but {data.name} is image-to-image "
                "data (source and target images); train an image-to-image model such as "
                "pix2pix or cyclegan on it, or pick a single-domain dataset."
            ) from err
        raise
    data_classes = getattr(data, "num_classes", 0)
    if (
        gan.num_classes
        and "num_classes" not in args
        and data_classes
        and data_classes != gan.num_classes
    ):
        torch.manual_seed(config.seed)
        gan = create(config.model, **args, num_classes=data_classes)
    return gan, data


def train(
    config: RunConfig | str | os.PathLike[str], resume: bool = False, progress: bool = True
) -> TrainResult:
    """Train from a run config (object or YAML path); writes the resolved config to the run folder."""
    if not isinstance(config, RunConfig):
        config = load_run_config(config)
    gan, data = build_run(config)
    out_dir = Path(config.out_dir or Path("runs") / gan.name)
    record = {**to_dict(config), "out_dir": str(out_dir)}  # `ganzoo train run.yaml` reruns it
    trainer = Trainer(
        gan, data, out_dir, seed=config.seed, device=config.device,
        log_every=config.log_every, sample_every=config.sample_every,
        checkpoint_every=config.checkpoint_every, num_samples=config.num_samples,
        resume=resume, progress=progress, run_config=record, health=config.health,
        speed=config.speed, tensorboard=config.tensorboard,
    )  # fmt: skip
    return trainer.fit()
