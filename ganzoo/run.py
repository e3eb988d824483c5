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
from .factory import create
from .gan import GANBase, TranslationGAN
from .input_checks import DATA_SHAPE, POSITIVE_SIZES, check_architecture_sizes
from .recipe import Recipe
from .registry import find_entry
from .train import TrainConfig, Trainer, TrainResult

ZOO_CONFIGS = Path(__file__).resolve().parents[1] / "zoo_configs"  # in a checkout of the repo

# Keys that sat at the top level of run configs before the ``train:`` section existed.
_LEGACY_TRAIN_KEYS = (
    "seed",
    "log_every",
    "sample_every",
    "checkpoint_every",
    "num_samples",
    "device",
    "health",
    "speed",
    "tensorboard",
)


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
    """Everything that defines a training run; ``zoo_configs/*.yaml`` files hold these: the
    model and its arguments, recipe overrides, the data, and how to train (``train:``)."""

    model: str = "dcgan"
    model_args: dict[str, Any] = field(default_factory=dict)
    recipe: dict[str, Any] = field(default_factory=dict)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    out_dir: str | None = None
    source: str | None = None  # the config file the run came from (informational)

    # Keys users put at the top level that live elsewhere (used in error messages).
    key_hints: ClassVar[dict[str, str]] = {
        **{f.name: f"recipe.{f.name}" for f in fields(Recipe)},
        **{
            k: f"model_args.{k}"
            for k in ("img_size", "channels", "latent_dim", "num_classes", "width")
        },
        "direction": "data.direction",
        "progress": "train.progress",
        "num_workers": "train.num_workers",
    }


def run_config_from_dict(raw: Any, where: str) -> RunConfig:
    """A :class:`RunConfig` from parsed YAML; files written before the ``train:`` section
    (settings such as ``seed`` at the top level) are read as the same run."""
    if isinstance(raw, dict):
        legacy = {k: raw[k] for k in _LEGACY_TRAIN_KEYS if k in raw}
        if legacy:
            train = raw.get("train") or {}
            if not isinstance(train, dict):
                raise ConfigError(f"{where}: train must be a mapping, got {train!r}.")
            raw = {k: v for k, v in raw.items() if k not in legacy}
            raw["train"] = {**legacy, **train}
    return from_dict(RunConfig, raw, where=where)


def load_run_config(path: str | os.PathLike[str]) -> RunConfig:
    """Read and validate a YAML run config (unknown keys and wrong types are errors)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Config file {path} does not exist.")
    try:
        raw = load_yaml(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from None
    config = run_config_from_dict(raw, path.name)
    config.source = config.source or str(path)
    return config


def zoo_config_name(model: str, dataset: str) -> str:
    """The file stem of a zoo recipe: ``wgan-gp`` on ``fashion-mnist`` -> ``wgan_gp_fashion_mnist``."""
    return f"{model}_{dataset}".replace("-", "_")


def zoo_config(model: str, dataset: str, folder: str | os.PathLike[str] | None = None) -> RunConfig:
    """The recipe that trains ``model`` on a standard ``dataset`` (or translation task).

    ``zoo_configs/<model>_<dataset>.yaml`` (in ``folder``, default the checkout's
    ``zoo_configs/``) when a file overrides it, else generated from the family's own recipe: a
    new family trains on every dataset it declares without a file.
    """
    entry = find_entry(model)
    if dataset not in entry.datasets:
        raise ConfigError(
            f"{entry.name} declares no recipe for {dataset!r}; its datasets: "
            f"{', '.join(entry.datasets)}. Train it with `ganzoo train {entry.name} --dataset ...`."
        )
    stem = zoo_config_name(entry.name, dataset)
    path = Path(folder) if folder is not None else ZOO_CONFIGS
    if (path / f"{stem}.yaml").is_file():
        return load_run_config(path / f"{stem}.yaml")
    return RunConfig(model=entry.name, data=DataConfig(name=dataset), out_dir=f"runs/{stem}")


def apply_overrides(config: RunConfig, assignments: list[str]) -> RunConfig:
    """Apply ``key.sub=value`` strings (values parsed as YAML) to a config."""
    data = to_dict(config)
    for item in assignments:
        key, sep, raw = item.partition("=")
        if key.split(".")[0] in _LEGACY_TRAIN_KEYS:
            key = f"train.{key}"
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
    return run_config_from_dict(data, "overrides")


def build_run(config: RunConfig) -> tuple[GANBase, Any]:
    """The dataset and a GAN shaped for it (image size, channels and classes follow the data
    unless ``model_args`` sets them, in which case the data is resized/converted). For
    :class:`ImagePairs` the targets set ``channels`` and the sources ``source_channels``.
    A model is rebuilt (from the same seed) only where the data disagrees with its defaults."""
    args = dict(config.model_args)
    # before any data is resized or converted to them
    check_architecture_sizes(config.model, args, (*POSITIVE_SIZES, *DATA_SHAPE))
    img_size, channels = args.get("img_size"), args.get("channels")
    data = load_dataset(
        config.data.name,
        config.data.root,
        config.data.train,
        config.data.download,
        img_size=img_size,
        channels=channels,
        direction=config.data.direction,
    )
    c, h, _ = data.image_shape
    args.setdefault("img_size", h)
    args.setdefault("channels", c)
    if isinstance(data, ImagePairs) and "source_channels" in args:
        data = data.formatted(source_channels=args["source_channels"])
    if config.recipe:
        args["recipe"] = config.recipe
    gan = _create(config, args)
    if isinstance(data, ImagePairs) and not isinstance(gan, TranslationGAN):
        raise DataError(
            f"{config.model} does not translate images, but {data.name} is image-to-image "
            "data (source and target images); train an image-to-image model such as "
            "pix2pix or cyclegan on it, or pick a single-domain dataset."
        )
    # What the data decides unless the config does: the sources' channels, the classes.
    follow: dict[str, int] = {}
    follows_sources = isinstance(gan, TranslationGAN) and "source_channels" not in args
    if follows_sources and gan.source_shape[0] != data.source_shape[0]:
        follow["source_channels"] = data.source_shape[0]
    data_classes = getattr(data, "num_classes", 0)
    if gan.num_classes and "num_classes" not in args and data_classes not in (0, gan.num_classes):
        follow["num_classes"] = data_classes
    if follow:
        gan = _create(config, {**args, **follow})
    return gan, data


def _create(config: RunConfig, args: dict[str, Any]) -> GANBase:
    """The run's model from ``args``, built from the run's seed."""
    torch.manual_seed(config.train.seed)
    return create(config.model, **args)


def train(
    config: RunConfig | str | os.PathLike[str],
    resume: bool = False,
    progress: bool | None = None,
    resume_from: str | os.PathLike[str] | None = None,
) -> TrainResult:
    """Train from a run config (object or YAML path); writes the resolved config to the run
    folder. ``progress`` (if given) overrides ``config.train.progress``; ``resume_from`` starts
    the run from another run's checkpoint (see :class:`~ganzoo.train.Trainer`)."""
    if not isinstance(config, RunConfig):
        config = load_run_config(config)
    if progress is not None:
        config.train = config.train.updated(progress=progress)
    gan, data = build_run(config)
    if config.train.fid_every and config.train.fid_data_root is None and config.data.root:
        config.train = config.train.updated(fid_data_root=config.data.root)  # its test split
    out_dir = Path(config.out_dir or Path("runs") / gan.name)
    record = {**to_dict(config), "out_dir": str(out_dir)}  # `ganzoo train run.yaml` reruns it
    trainer = Trainer(
        gan, data, out_dir, config.train, resume=resume, resume_from=resume_from, run_config=record
    )
    return trainer.fit()
