"""YAML run configs: loading, validation errors, ``key=value`` overrides and the zoo configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
import yaml

import ganzoo
from ganzoo.config import from_dict, to_dict
from ganzoo.data.datasets import _ALIASES as DATASET_ALIASES
from ganzoo.recipe import OptimizerConfig, Recipe
from ganzoo.registry import split_model_name_tag
from ganzoo.run import DataConfig, RunConfig, apply_overrides, load_run_config
from ganzoo.train import TrainConfig
from tests.conftest import tiny_args

ZOO_CONFIGS = Path(__file__).resolve().parents[1] / "zoo_configs"
ZOO_DATASETS = ("mnist", "fashion_mnist")


def _write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _dataset_in_file_name(path: Path) -> str | None:
    """The dataset a config's name promises: ``<model>_<dataset>.yaml``."""
    from ganzoo.data.translation_tasks import TRANSLATION_TASKS

    stem = path.stem.lower().replace("-", "_")
    task = next((t for t in TRANSLATION_TASKS if stem.endswith("_" + t.replace("-", "_"))), None)
    if task:
        return task.replace("-", "_")
    for dataset in ("fashion_mnist", "mnist", "cifar10", "celeba"):
        if stem.endswith("_" + dataset):
            return dataset
    return None


def _canonical_dataset(name: str) -> str:
    key = name.strip().lower()
    return DATASET_ALIASES.get(key, key).replace("-", "_")


def _data_shape(name: str) -> tuple[int, int, int] | None:
    """(C, H, W) of a named dataset's images; None for translation tasks and folders."""
    from ganzoo.data.datasets import IMAGE_SHAPES, canonical_name

    return IMAGE_SHAPES.get(canonical_name(name))


def _zoo_files() -> list[Path]:
    return sorted(ZOO_CONFIGS.glob("*.yaml"))


# --------------------------------------------------------------------------------------------
# Loading valid files
# --------------------------------------------------------------------------------------------


def test_valid_yaml_loads_into_run_config(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        model: wgan_gp
        model_args:
          width: 16
          img_size: 32
        recipe:
          steps: 100
          g_optimizer:
            lr: 0.0001
        data:
          name: fashion-mnist
          root: /data
          train: false
          download: false
        out_dir: runs/x
        train:
          seed: 7
          log_every: 5
          sample_every: null
          checkpoint_every: 50
          num_samples: 16
          device: cpu
        """.replace("\n        ", "\n"),
    )
    config = load_run_config(path)
    assert isinstance(config, RunConfig)
    assert isinstance(config.data, DataConfig)
    assert config.model == "wgan_gp"
    assert config.model_args == {"width": 16, "img_size": 32}
    assert config.recipe == {"steps": 100, "g_optimizer": {"lr": 0.0001}}
    assert config.data == DataConfig(
        name="fashion-mnist", root="/data", train=False, download=False
    )
    assert config.out_dir == "runs/x"
    assert config.train == TrainConfig(
        seed=7, log_every=5, sample_every=None, checkpoint_every=50, num_samples=16, device="cpu"
    )


def test_files_from_before_the_train_section_load_as_the_same_run(tmp_path: Path) -> None:
    """run.yaml files of ganzoo 0.1 kept the training settings at the top level."""
    legacy = (
        "model: dcgan\nseed: 7\nlog_every: 5\nspeed: {channels_last: true}\ntrain: {steps: 3}\n"
    )
    config = load_run_config(_write(tmp_path, legacy))
    assert config.train.seed == 7 and config.train.log_every == 5 and config.train.steps == 3
    assert config.train.speed.channels_last is True
    assert apply_overrides(RunConfig(), ["seed=4"]).train.seed == 4  # old --set spelling


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, "# nothing but a comment\n")
    assert load_run_config(path) == RunConfig(source=str(path))  # the file it came from is recorded


def test_load_run_config_accepts_str_paths(tmp_path: Path) -> None:
    config = load_run_config(str(_write(tmp_path, "model: sagan\ndata: {name: mnist}\n")))
    assert config.model == "sagan"
    assert config.data.name == "mnist"
    assert config.data.train is True  # defaults fill the rest of a nested section


def test_from_dict_builds_nested_dataclasses() -> None:
    config = from_dict(RunConfig, {"data": {"name": "mnist"}, "train": {"seed": 3}})
    assert isinstance(config.data, DataConfig)
    assert config.data.name == "mnist"
    assert config.train.seed == 3
    optimizer = from_dict(OptimizerConfig, {"betas": [0.1, 0.2], "lr": 1})
    assert optimizer.betas == (0.1, 0.2)
    assert isinstance(optimizer.lr, float)
    recipe = from_dict(Recipe, {"g_optimizer": {"name": "rmsprop"}})
    assert isinstance(recipe.g_optimizer, OptimizerConfig)
    assert recipe.g_optimizer.name == "rmsprop"
    assert from_dict(RunConfig, config) is config


def test_to_dict_round_trips_through_from_dict() -> None:
    config = RunConfig(model="cgan", recipe={"steps": 3}, data=DataConfig(name="mnist"))
    data = to_dict(config)
    assert data["data"] == {
        "name": "mnist",
        "root": None,
        "train": True,
        "download": True,
        "direction": "a2b",
    }
    assert from_dict(RunConfig, yaml.safe_load(yaml.safe_dump(data))) == config


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_unknown_top_level_key_names_key_suggestion_and_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "model: dcgan\nstpes: 100\n", name="my_run.yaml")
    with pytest.raises(ganzoo.ConfigError) as info:
        load_run_config(path)
    message = str(info.value)
    assert "'stpes'" in message
    assert "Did you mean" in message
    assert "my_run.yaml" in message
    assert "Valid keys:" in message


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("stpes", "recipe.steps"),
        ("steps", "recipe.steps"),
        ("batch_size", "recipe.batch_size"),
        ("img_size", "model_args.img_size"),
    ],
)
def test_keys_that_live_in_a_section_point_there(tmp_path: Path, key: str, target: str) -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        load_run_config(_write(tmp_path, f"{key}: 1\n"))
    assert target in str(info.value)


@pytest.mark.parametrize(
    ("typo", "key"),
    [("dta", "data"), ("modl", "model"), ("recpe", "recipe"), ("trian", "train")],
)
def test_typo_of_a_top_level_key_suggests_that_key(tmp_path: Path, typo: str, key: str) -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        load_run_config(_write(tmp_path, f"{typo}: 1\n"))
    message = str(info.value)
    assert re.search(rf"Did you mean:? [^?]*(?<![\w.]){key}(?![\w.])", message), message


def test_unknown_nested_data_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "data:\n  nme: mnist\n", name="nested.yaml")
    with pytest.raises(ganzoo.ConfigError) as info:
        load_run_config(path)
    message = str(info.value)
    assert "nested.yaml" in message
    assert ".data" in message
    assert "'nme'" in message
    assert "Did you mean: name" in message


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('train:\n  seed: "abc"', "train.seed"),
        ("train:\n  log_every: 1.5", "train.log_every"),
        ("data: 3", "data"),
        ("recipe: [1, 2]", "recipe"),
        ("train:\n  seed: true", "train.seed"),
        ("train:\n  num_samples: false", "train.num_samples"),
        ("train:\n  sample_every: true", "train.sample_every"),
        ("train:\n  checkpoint_every: 2.5", "train.checkpoint_every"),
        ("seed: true", "train.seed"),  # the layout of ganzoo 0.1 files
        ("model_args: 3", "model_args"),
        ("model: 5", "model"),
        ("out_dir: [runs]", "out_dir"),
        ("data:\n  train: 1", "data.train"),
        ("data:\n  root: 5", "data.root"),
    ],
)
def test_wrong_types_name_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = _write(tmp_path, text + "\n", name="types.yaml")
    with pytest.raises(ganzoo.ConfigError) as info:
        load_run_config(path)
    assert f"types.yaml.{field}:" in str(info.value)


def test_bool_is_not_an_int_but_int_is_a_float() -> None:
    with pytest.raises(ganzoo.ConfigError, match="expected an integer"):
        from_dict(TrainConfig, {"log_every": True})
    with pytest.raises(ganzoo.ConfigError, match="expected a number"):
        from_dict(OptimizerConfig, {"lr": True})
    assert from_dict(OptimizerConfig, {"lr": 1}).lr == 1.0


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ganzoo.ConfigError, match="mapping"):
        load_run_config(_write(tmp_path, "- model: dcgan\n"))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ganzoo.ConfigError) as info:
        load_run_config(path)
    assert "nope.yaml" in str(info.value)
    assert "does not exist" in str(info.value)
    with pytest.raises(ganzoo.ConfigError):
        load_run_config(tmp_path)  # a folder is not a config file


def test_invalid_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, "model: [dcgan\nseed: 1\n", name="broken.yaml")
    with pytest.raises(ganzoo.ConfigError) as info:
        load_run_config(path)
    assert "broken.yaml" in str(info.value)
    assert "not valid YAML" in str(info.value)


# --------------------------------------------------------------------------------------------
# key=value overrides
# --------------------------------------------------------------------------------------------


def test_apply_overrides_sets_nested_values() -> None:
    base = RunConfig(model_args={"img_size": 32})
    config = apply_overrides(
        base, ["recipe.batch_size=32", "data.name=mnist", "model_args.width=16"]
    )
    assert config.recipe == {"batch_size": 32}
    assert config.data.name == "mnist"
    assert config.data.train is True
    assert config.model_args == {"img_size": 32, "width": 16}
    # The input config is left alone.
    assert base.recipe == {}
    assert base.model_args == {"img_size": 32}
    assert base.data.name == "default"


def test_apply_overrides_parses_values_as_yaml() -> None:
    config = apply_overrides(
        RunConfig(),
        [
            "train.seed=3",
            "data.download=false",
            "train.sample_every=null",
            "model=sagan",
            "recipe.g_optimizer.lr=0.001",
            "model_args.hidden=[16, 8]",
            "out_dir=runs/a=b",
        ],
    )
    assert config.train.seed == 3
    assert config.data.download is False
    assert config.train.sample_every is None
    assert config.model == "sagan"
    assert config.recipe == {"g_optimizer": {"lr": 0.001}}
    assert config.model_args == {"hidden": [16, 8]}
    assert config.out_dir == "runs/a=b"


def test_later_overrides_win() -> None:
    assert apply_overrides(RunConfig(), ["train.seed=1", "train.seed=2"]).train.seed == 2


@pytest.mark.parametrize("item", ["foo", "=3", "recipe.batch_size"])
def test_malformed_override(item: str) -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        apply_overrides(RunConfig(), [item])
    assert repr(item) in str(info.value)
    assert "key=value" in str(info.value)


@pytest.mark.parametrize(
    ("item", "needle"),
    [("seed.x=1", "'seed'"), ("stpes=3", "'stpes'"), ("seed=abc", "seed"), ("data=3", "data")],
)
def test_invalid_override_raises_config_error(item: str, needle: str) -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        apply_overrides(RunConfig(), [item])
    assert needle in str(info.value)


def test_override_with_exponent_float_reaches_the_recipe() -> None:
    # The CLI help suggests `--set recipe.g_optimizer.lr=1e-4`.
    config = apply_overrides(RunConfig(), ["recipe.g_optimizer.lr=1e-4"])
    gan = ganzoo.create(config.model, width=8, recipe=config.recipe)
    assert gan.recipe.g_optimizer.lr == 1e-4


def test_yaml_file_with_exponent_float_builds(tmp_path: Path) -> None:
    path = _write(tmp_path, "model: sagan\nrecipe:\n  d_optimizer:\n    lr: 4e-4\n")
    config = load_run_config(path)
    gan = ganzoo.create(config.model, width=8, recipe=config.recipe)
    assert gan.recipe.d_optimizer.lr == 4e-4


# --------------------------------------------------------------------------------------------
# zoo_configs/*.yaml
# --------------------------------------------------------------------------------------------


def test_every_zoo_config_loads_and_builds() -> None:
    files = _zoo_files()
    assert files, f"no zoo configs in {ZOO_CONFIGS}"
    problems: list[str] = []
    out_dirs: dict[str, str] = {}
    for path in files:
        try:
            config = load_run_config(path)
        except ganzoo.GanzooError as err:
            problems.append(f"{path.name}: does not load: {err}")
            continue
        if not ganzoo.is_model(config.model) or split_model_name_tag(config.model)[1]:
            problems.append(f"{path.name}: model {config.model!r} is not a registered model")
            continue
        shape = _data_shape(config.data.name)
        size = {"img_size": shape[1], "channels": shape[0]} if shape else {}
        try:  # at the shape of the data it trains on, as `ganzoo train` builds it (tiny)
            args = {**size, **config.model_args, **tiny_args(config.model)}
            gan = ganzoo.create(config.model, **args, recipe=config.recipe)
        except ganzoo.GanzooError as err:
            problems.append(f"{path.name}: does not build: {err}")
            continue
        if shape and isinstance(gan, ganzoo.GAN):
            with torch.no_grad():
                made = tuple(gan.sample(1).shape[1:])
            if made != shape:
                problems.append(f"{path.name}: makes {made} images, its data is {shape}")
        if gan.config["model"] not in ganzoo.list_models():
            problems.append(f"{path.name}: built {gan.config['model']!r}, which is not listed")
        dataset = _dataset_in_file_name(path)
        if dataset and _canonical_dataset(config.data.name) != dataset:
            problems.append(f"{path.name}: trains on {config.data.name!r}, not {dataset}")
        if config.out_dir:
            if config.out_dir in out_dirs:
                problems.append(f"{path.name}: same out_dir as {out_dirs[config.out_dir]}")
            out_dirs[config.out_dir] = path.name
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("model", ganzoo.list_models())
def test_every_model_has_a_recipe_for_each_dataset_it_declares(model: str) -> None:
    """A file in zoo_configs/ or, without one, the config generated from the family's recipe."""
    from ganzoo.registry import find_entry
    from ganzoo.run import ZOO_CONFIGS, zoo_config, zoo_config_name

    for dataset in find_entry(model).datasets:
        config = zoo_config(model, dataset)
        assert _canonical_dataset(config.data.name) == _canonical_dataset(dataset)
        assert ganzoo.create(config.model, **config.model_args, recipe=config.recipe).name == model
        stem = zoo_config_name(model, dataset)
        if not (ZOO_CONFIGS / f"{stem}.yaml").is_file():
            assert config.out_dir == f"runs/{stem}" and not config.recipe  # the family's own


def test_a_zoo_file_overrides_the_generated_recipe(tmp_path: Path) -> None:
    from ganzoo.run import zoo_config

    assert zoo_config("dcgan", "mnist", tmp_path).recipe == {}  # no file: the family's recipe
    (tmp_path / "dcgan_mnist.yaml").write_text(
        "model: dcgan\ndata: {name: mnist}\nrecipe: {steps: 7}\n"
    )
    assert zoo_config("dcgan", "mnist", tmp_path).recipe == {"steps": 7}
    with pytest.raises(ganzoo.ConfigError, match="declares no recipe for 'cifar10'"):
        zoo_config("dcgan", "cifar10", tmp_path)
