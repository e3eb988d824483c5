"""The model registry: names, aliases, listing, overrides, recipes and registration."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

import ganzoo
from ganzoo import registry
from ganzoo.config import to_dict
from ganzoo.gan import GAN
from ganzoo.models.dcgan import DCGANDiscriminator, DCGANGenerator
from ganzoo.recipe import Recipe
from ganzoo.zoo import build_gan

from .conftest import tiny_args

BUILTINS = registry.builtin_models()  # what ganzoo/zoo/ registers, found by listing it


def _builtin(names: list[str]) -> list[str]:
    """``names`` without models that come from installed plugins (in their order)."""
    return [n for n in names if n in BUILTINS]


def _shapes(module: nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def _convs(module: nn.Module, kind: type[nn.Module]) -> list[nn.Module]:
    return [m for m in module.modules() if isinstance(m, kind)]


@pytest.fixture
def scratch_registry():
    """Restore the registry's name tables after a test that registers throw-away models."""
    models, aliases = dict(registry._models), dict(registry._aliases)
    yield
    for table, saved in ((registry._models, models), (registry._aliases, aliases)):
        table.clear()
        table.update(saved)


def _tiny_dcgan(name: str, width: int, **overrides: Any) -> GAN:
    return build_gan(
        name,
        DCGANGenerator,
        DCGANDiscriminator,
        objective="hinge",
        defaults={"width": width},
        overrides=overrides,
    )


# --------------------------------------------------------------------------------------------
# Listing
# --------------------------------------------------------------------------------------------


def test_list_models_is_the_builtins_sorted() -> None:
    names = ganzoo.list_models()
    assert set(BUILTINS) <= set(names), f"missing built-ins: {set(BUILTINS) - set(names)}"
    assert names == sorted(names)
    assert _builtin(names) == BUILTINS
    assert len(names) == len(set(names))
    extras = set(names) - set(BUILTINS)
    if not list(entry_points(group=registry.ENTRY_POINT_GROUP)):
        assert extras == set(), f"unexpected models without any plugin installed: {extras}"
    for name in extras:  # anything else must come from a plugin, not from ganzoo itself
        assert not registry._models[name].module.startswith("ganzoo"), name
    for name in BUILTINS:
        assert registry._models[name].module.startswith("ganzoo.zoo."), name


def test_every_family_file_registers_a_model_and_nothing_else_does() -> None:
    zoo = Path(ganzoo.zoo.__file__).parent
    families = {p.stem for p in zoo.glob("*.py") if not p.stem.startswith("_")}
    modules = {registry.find_entry(n).module.rsplit(".", 1)[-1] for n in BUILTINS}
    assert modules == families
    assert {"dcgan", "stylegan", "pix2pix", "cyclegan"} <= set(BUILTINS)  # the classics stay


def test_list_models_fnmatch_pattern() -> None:
    gans = ganzoo.list_models("*gan*")
    assert "vanilla" not in gans
    assert _builtin(gans) == [n for n in BUILTINS if n not in ("vanilla", "pix2pix")]
    assert _builtin(ganzoo.list_models("wgan*")) == ["wgan", "wgan-gp"]
    assert ganzoo.list_models("wgan*")[:2] == ["wgan", "wgan-gp"]
    assert _builtin(ganzoo.list_models("dcgan")) == ["dcgan"]
    assert ganzoo.list_models("no-such-model*") == []


def test_list_models_pattern_spelling_is_canonicalised() -> None:
    assert _builtin(ganzoo.list_models("WGAN_*")) == ["wgan-gp"]


def test_list_models_list_of_patterns() -> None:
    assert _builtin(ganzoo.list_models(["dc*", "sagan", "vanilla"])) == [
        "dcgan",
        "sagan",
        "vanilla",
    ]


def test_list_models_exclude() -> None:
    assert _builtin(ganzoo.list_models("*gan*", exclude="wgan*")) == [
        "acgan",
        "began",
        "cgan",
        "cyclegan",
        "dcgan",
        "ebgan",
        "lsgan",
        "sagan",
        "sngan",
        "stylegan",
    ]
    assert _builtin(ganzoo.list_models(exclude=["*gan*"])) == ["pix2pix", "vanilla"]
    assert _builtin(ganzoo.list_models(exclude=["wgan", "cgan"])) == [
        "acgan",
        "began",
        "cyclegan",
        "dcgan",
        "ebgan",
        "lsgan",
        "pix2pix",
        "sagan",
        "sngan",
        "stylegan",
        "vanilla",
        "wgan-gp",
    ]


def test_published_pretrained_tags() -> None:
    published = [n for n in ganzoo.list_models(pretrained=True) if n.split(".")[0] in BUILTINS]
    index = json.loads((Path(ganzoo.__file__).with_name("pretrained.json")).read_text())
    assert published == sorted(index)  # every tag of the index, attached to its model
    assert {
        "cgan.fashion_mnist",
        "cgan.mnist",
        "dcgan.fashion_mnist",
        "dcgan.mnist",
        "wgan-gp.fashion_mnist",
        "wgan-gp.mnist",
        "began.mnist",
    } <= set(published)
    assert ganzoo.list_models("dcgan*", pretrained=True) == ["dcgan.fashion_mnist", "dcgan.mnist"]


# --------------------------------------------------------------------------------------------
# Names, aliases, unknown names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("wgan_gp", "wgan-gp"),
        ("WGAN-GP", "wgan-gp"),
        ("  Wgan_Gp ", "wgan-gp"),
        ("gan", "vanilla"),
        ("GAN", "vanilla"),
        ("conditional-gan", "cgan"),
        ("conditional_gan", "cgan"),
        ("DCGAN", "dcgan"),
    ],
)
def test_aliases_and_spellings_resolve(name: str, canonical: str) -> None:
    gan = ganzoo.create(name, **tiny_args(canonical))
    assert gan.config["model"] == canonical
    assert gan.name == canonical
    assert ganzoo.is_model(name)


def test_aliases_build_the_aliased_architecture() -> None:
    assert type(ganzoo.create("gan", hidden=[16]).generator).__name__ == "MLPGenerator"
    cgan = ganzoo.create("conditional-gan", width=8)
    assert type(cgan.generator) is DCGANGenerator
    assert cgan.num_classes == 10
    wgan_gp = ganzoo.create("wgan_gp", width=8)
    assert wgan_gp.recipe.n_critic == 5
    assert "gradient-penalty" in str(wgan_gp.config["regularizers"])


def test_unknown_name_is_a_keyerror_subclass() -> None:
    assert issubclass(ganzoo.UnknownNameError, KeyError)
    assert issubclass(ganzoo.UnknownNameError, ganzoo.GanzooError)
    with pytest.raises(KeyError):
        ganzoo.create("definitely-not-a-gan")
    assert not ganzoo.is_model("definitely-not-a-gan")


@pytest.mark.parametrize(("typo", "close"), [("dcgn", "dcgan"), ("wgangp", "wgan-gp")])
def test_unknown_name_suggests_close_names(typo: str, close: str) -> None:
    with pytest.raises(ganzoo.UnknownNameError) as info:
        ganzoo.create(typo)
    message = str(info.value)
    assert repr(typo) in message
    suggestion = message.split("Did you mean:", 1)[1].split("?", 1)[0]
    assert close in [s.strip() for s in suggestion.split(",")]


@pytest.mark.parametrize(("typo", "close"), [("DCGN", "dcgan"), ("WGANGP", "wgan-gp")])
def test_unknown_name_suggestions_ignore_case_like_the_lookup_does(typo: str, close: str) -> None:
    # Lookup is case-insensitive ('WGAN-GP' works), so suggestions must be too.
    with pytest.raises(ganzoo.UnknownNameError) as info:
        ganzoo.create(typo)
    message = str(info.value)
    assert "Did you mean:" in message, message
    suggestion = message.split("Did you mean:", 1)[1].split("?", 1)[0]
    assert close in [s.strip() for s in suggestion.split(",")], message


def test_split_model_name_tag() -> None:
    assert ganzoo.split_model_name_tag("dcgan.mnist") == ("dcgan", "mnist")
    assert ganzoo.split_model_name_tag("dcgan") == ("dcgan", "")
    assert ganzoo.split_model_name_tag("wgan-gp.fashion_mnist") == ("wgan-gp", "fashion_mnist")


# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------


def test_shared_overrides_reach_both_networks() -> None:
    gan = ganzoo.create("dcgan", img_size=32, channels=3, latent_dim=16, width=8)
    assert gan.image_shape == (3, 32, 32)
    assert gan.latent_dim == 16
    assert gan.discriminator.img_size == 32
    assert gan.discriminator.channels == 3
    g_convs = _convs(gan.generator, nn.ConvTranspose2d)
    d_convs = _convs(gan.discriminator, nn.Conv2d)
    # 32 = 4 * 2**3: three blocks, so the first layer has width * 2**2 channels.
    assert tuple(g_convs[0].weight.shape) == (16, 32, 4, 4)
    assert tuple(g_convs[-1].weight.shape) == (8, 3, 4, 4)
    assert tuple(d_convs[0].weight.shape) == (8, 3, 4, 4)
    assert tuple(gan.sample(2).shape) == (2, 3, 32, 32)
    assert tuple(gan.discriminate(gan.sample(2)).shape) == (2,)
    for key, value in {"img_size": 32, "channels": 3, "latent_dim": 16, "width": 8}.items():
        assert gan.config[key] == value


def test_num_classes_override_makes_a_conditional_model() -> None:
    gan = ganzoo.create("dcgan", num_classes=5, width=8)
    assert gan.num_classes == 5
    assert gan.generator.embed.embedding.num_embeddings == 5
    assert gan.discriminator.embed.embedding.num_embeddings == 5
    images = gan.sample(5)
    assert tuple(images.shape) == (5, 1, 28, 28)
    assert tuple(gan.discriminate(images, torch.arange(5)).shape) == (5,)
    assert ganzoo.create("cgan", num_classes=3, width=8).num_classes == 3


def test_vanilla_hidden_override_sets_layer_sizes() -> None:
    gan = ganzoo.create("vanilla", hidden=[16, 8], latent_dim=4)
    g_linear = _convs(gan.generator, nn.Linear)
    d_linear = _convs(gan.discriminator, nn.Linear)
    assert [tuple(m.weight.shape) for m in g_linear] == [(16, 4), (8, 16), (784, 8)]
    assert [tuple(m.weight.shape) for m in d_linear] == [(16, 784), (8, 16), (1, 8)]


def test_prefixed_overrides_target_one_network() -> None:
    gan = ganzoo.create("dcgan", d_width=16, g_width=8)
    g_convs = _convs(gan.generator, nn.ConvTranspose2d)
    d_convs = _convs(gan.discriminator, nn.Conv2d)
    # 28 = 7 * 2**2: the generator starts at 2 * width channels and ends at width.
    assert tuple(g_convs[0].weight.shape) == (100, 16, 7, 7)
    assert tuple(g_convs[-1].weight.shape) == (8, 1, 4, 4)
    assert tuple(d_convs[0].weight.shape) == (16, 1, 4, 4)
    assert tuple(d_convs[1].weight.shape) == (32, 16, 4, 4)
    assert gan.config["g_width"] == 8
    assert gan.config["d_width"] == 16
    assert "width" not in gan.config


def test_prefixed_override_only_changes_its_network() -> None:
    plain = ganzoo.create("dcgan", width=8)
    gan = ganzoo.create("dcgan", width=8, d_norm="none")
    assert _convs(gan.generator, nn.BatchNorm2d)
    assert not _convs(gan.discriminator, nn.BatchNorm2d)
    assert _convs(plain.discriminator, nn.BatchNorm2d)
    assert _shapes(gan.generator) == _shapes(plain.generator)


@pytest.mark.parametrize(
    "overrides",
    [
        {"width": 16, "g_width": 8},
        {"g_width": 8, "width": 16},
    ],
)
def test_prefixed_key_wins_regardless_of_order(overrides: dict[str, int]) -> None:
    gan = ganzoo.create("dcgan", **overrides)
    assert tuple(_convs(gan.generator, nn.ConvTranspose2d)[-1].weight.shape) == (8, 1, 4, 4)
    assert tuple(_convs(gan.discriminator, nn.Conv2d)[0].weight.shape) == (16, 1, 4, 4)
    assert (gan.config["g_width"], gan.config["d_width"]) == (8, 16)


@pytest.mark.parametrize(
    "overrides",
    [
        {"d_width": 4, "width": 8},
        {"width": 8, "d_width": 4},
    ],
)
def test_d_prefixed_key_wins_regardless_of_order(overrides: dict[str, int]) -> None:
    gan = ganzoo.create("dcgan", **overrides)
    assert tuple(_convs(gan.discriminator, nn.Conv2d)[0].weight.shape) == (4, 1, 4, 4)
    assert tuple(_convs(gan.generator, nn.ConvTranspose2d)[-1].weight.shape) == (8, 1, 4, 4)


def test_unknown_override_names_close_valid_arguments() -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        ganzoo.create("dcgan", widht=8)
    message = str(info.value)
    assert "'widht'" in message
    suggestion = message.split("Did you mean:", 1)[1].split("?", 1)[0]
    assert "width" in [s.strip() for s in suggestion.split(",")]
    assert "Valid arguments:" in message
    assert "latent_dim" in message.split("Valid arguments:", 1)[1]


@pytest.mark.parametrize("key", ["g_widht", "d_latent_dim", "hidden"])
def test_unknown_or_misrouted_override_raises(key: str) -> None:
    # The discriminator takes no latent_dim, and DCGAN has no MLP 'hidden'.
    with pytest.raises(ganzoo.ConfigError, match=repr(key)):
        ganzoo.create("dcgan", **{key: 8})


@pytest.mark.parametrize("name", BUILTINS)
def test_resolved_config_rebuilds_identical_architecture(name: str) -> None:
    gan = ganzoo.create(name, **tiny_args(name))
    config = dict(gan.config)
    model = config.pop("model")
    assert model == name
    rebuilt = ganzoo.create(model, **config)
    assert _shapes(rebuilt) == _shapes(gan)
    assert list(rebuilt.state_dict()) == list(gan.state_dict())
    assert rebuilt.config == gan.config
    assert to_dict(rebuilt.recipe) == to_dict(gan.recipe)
    assert repr(rebuilt.objective) == repr(gan.objective)


def test_resolved_config_rebuilds_prefixed_and_recipe_overrides() -> None:
    gan = ganzoo.create(
        "wgan-gp",
        g_width=8,
        d_width=4,
        img_size=32,
        channels=3,
        num_classes=4,
        recipe={"batch_size": 8},
    )
    config = dict(gan.config)
    rebuilt = ganzoo.create(config.pop("model"), **config)
    assert _shapes(rebuilt) == _shapes(gan)
    assert rebuilt.config == gan.config
    assert rebuilt.recipe.batch_size == 8
    assert not _convs(rebuilt.discriminator, nn.BatchNorm2d)


# --------------------------------------------------------------------------------------------
# Image formats
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "img_size"), [("dcgan", 30), ("dcgan", 8), ("sagan", 30)])
def test_unsupported_image_size_says_which_sizes_work(name: str, img_size: int) -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        ganzoo.create(name, img_size=img_size, **tiny_args(name))
    message = str(info.value)
    assert f"{img_size}x{img_size}" in message
    assert "28" in message
    assert "32" in message
    assert "64" in message


@pytest.mark.parametrize("img_size", [12, 16, 24, 28, 32, 48, 64])
def test_supported_image_sizes_build(img_size: int) -> None:
    gan = ganzoo.create("dcgan", img_size=img_size, width=4)
    assert tuple(gan.sample(1).shape) == (1, 1, img_size, img_size)


@pytest.mark.parametrize("name", ["dcgan", "vanilla", "sagan"])
@pytest.mark.parametrize("channels", [0, -1])
def test_bad_channel_count_says_which_counts_work(name: str, channels: int) -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        ganzoo.create(name, channels=channels, **tiny_args(name))
    message = str(info.value)
    assert "channels" in message
    assert repr(channels) in message
    assert "1 or 3" in message


# --------------------------------------------------------------------------------------------
# Recipes
# --------------------------------------------------------------------------------------------


def test_recipe_overrides_change_only_those_fields() -> None:
    base = to_dict(ganzoo.create("dcgan", width=8).recipe)
    gan = ganzoo.create("dcgan", width=8, recipe={"batch_size": 16, "g_optimizer": {"lr": 1e-3}})
    assert isinstance(gan.recipe, Recipe)
    assert gan.recipe.batch_size == 16
    assert gan.recipe.g_optimizer.lr == 1e-3
    expected = to_dict(ganzoo.create("dcgan", width=8).recipe)
    expected["batch_size"] = 16
    expected["g_optimizer"]["lr"] = 1e-3
    assert to_dict(gan.recipe) == expected
    assert gan.config["recipe"] == expected
    assert gan.recipe.steps == base["steps"]
    assert gan.recipe.g_optimizer.betas == (0.5, 0.999)
    # The model's own recipe is the starting point, not the library default.
    wgan = ganzoo.create("wgan", width=8, recipe={"batch_size": 16})
    assert (wgan.recipe.n_critic, wgan.recipe.d_optimizer.name) == (5, "rmsprop")
    assert (Recipe().n_critic, Recipe().d_optimizer.name) == (1, "adam")


def test_recipe_overrides_keep_the_models_own_recipe() -> None:
    gan = ganzoo.create("sagan", width=8, recipe={"g_optimizer": {"lr": 2e-4}})
    assert gan.recipe.g_optimizer.lr == 2e-4
    assert gan.recipe.g_optimizer.betas == (0.0, 0.9)
    assert gan.recipe.d_optimizer.lr == 4e-4


def test_unknown_recipe_key_suggests_valid_keys() -> None:
    with pytest.raises(ganzoo.ConfigError) as info:
        ganzoo.create("dcgan", width=8, recipe={"bogus": 1})
    message = str(info.value)
    assert "'bogus'" in message
    valid = message.split("Valid keys:", 1)[1]
    for key in ("batch_size", "steps", "n_critic", "g_optimizer", "d_optimizer"):
        assert key in valid
    with pytest.raises(ganzoo.ConfigError) as info:
        ganzoo.create("dcgan", width=8, recipe={"batch_szie": 1})
    assert "Did you mean: batch_size" in str(info.value)


def test_unknown_optimizer_name_raises_unknown_name_error() -> None:
    with pytest.raises(ganzoo.UnknownNameError) as info:
        ganzoo.create("dcgan", width=8, recipe={"g_optimizer": {"name": "adamx"}})
    message = str(info.value)
    assert "'adamx'" in message
    assert "adam" in message.split("Did you mean:", 1)[1]


@pytest.mark.parametrize(
    "recipe",
    [
        {"batch_size": 0},
        {"batch_size": "16"},
        {"g_optimizer": {"lr": -1.0}},
        {"d_optimizer": {"betas": [0.5]}},
        "fast",
    ],
)
def test_invalid_recipe_values_raise_config_error(recipe: Any) -> None:
    with pytest.raises(ganzoo.ConfigError):
        ganzoo.create("dcgan", width=8, recipe=recipe)


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------


def test_register_model_with_aliases(scratch_registry: None) -> None:
    def zootest_reg(**overrides: Any) -> GAN:
        """A registry test model. Second line."""
        return _tiny_dcgan("zootest-reg", 8, **overrides)

    returned = ganzoo.register_model(name="zootest-reg", aliases=["zootest_alias", "ZTR"])(
        zootest_reg
    )
    assert returned is zootest_reg
    assert "zootest-reg" in ganzoo.list_models()
    assert "zootest-alias" not in ganzoo.list_models()
    for spelling in ("zootest-reg", "zootest_reg", "zootest-alias", "ztr", "ZTR"):
        gan = ganzoo.create(spelling, img_size=32)
        assert gan.config["model"] == "zootest-reg"
        assert gan.image_shape == (1, 32, 32)
    info = ganzoo.model_info("ztr")
    assert info["name"] == "zootest-reg"
    assert info["aliases"] == ["zootest-alias", "ztr"]
    assert registry._models["zootest-reg"].description == "A registry test model. Second line."


def test_register_model_bare_decorator_uses_function_name(scratch_registry: None) -> None:
    @ganzoo.register_model
    def zootest_bare(**overrides: Any) -> GAN:
        """Bare."""
        return _tiny_dcgan("whatever", 4, **overrides)

    assert ganzoo.is_model("zootest-bare")
    assert ganzoo.create("zootest_bare").config["model"] == "zootest-bare"
    # Registering the very same builder again is harmless.
    ganzoo.register_model(zootest_bare)
    assert ganzoo.list_models("zootest*") == ["zootest-bare"]


def test_register_taken_name_raises_and_overwrite_replaces(scratch_registry: None) -> None:
    def zootest_first(**overrides: Any) -> GAN:
        return _tiny_dcgan("zootest-taken", 8, **overrides)

    def zootest_second(**overrides: Any) -> GAN:
        return _tiny_dcgan("zootest-taken", 4, **overrides)

    ganzoo.register_model(zootest_first, name="zootest-taken", aliases=["zootest-taken-alias"])
    with pytest.raises(ganzoo.GanzooError, match="overwrite=True"):
        ganzoo.register_model(zootest_second, name="zootest-taken")
    with pytest.raises(ganzoo.GanzooError):
        ganzoo.register_model(zootest_second, name="zootest_TAKEN")
    with pytest.raises(ganzoo.GanzooError):  # an alias may not take a model's name either
        ganzoo.register_model(zootest_second, name="zootest-other", aliases=["zootest-taken"])
    with pytest.raises(ganzoo.GanzooError):  # nor an existing alias
        ganzoo.register_model(zootest_second, name="zootest-other", aliases=["zootest-taken-alias"])
    with pytest.raises(ganzoo.GanzooError):  # a built-in is protected too
        ganzoo.register_model(zootest_second, name="dcgan")
    assert ganzoo.list_models("zootest*") == ["zootest-taken"]
    assert ganzoo.create("zootest-taken").config["width"] == 8
    assert registry._models["dcgan"].module == "ganzoo.zoo.dcgan"

    ganzoo.register_model(zootest_second, name="zootest-taken", overwrite=True)
    assert registry._models["zootest-taken"].builder is zootest_second
    assert ganzoo.create("zootest-taken").config["width"] == 4
    assert ganzoo.list_models("zootest*") == ["zootest-taken"]


def test_overwrite_a_name_that_is_an_alias_replaces_it(scratch_registry: None) -> None:
    def zootest_owner(**overrides: Any) -> GAN:
        return _tiny_dcgan("zootest-owner", 8, **overrides)

    def zootest_new(**overrides: Any) -> GAN:
        return _tiny_dcgan("zootest-new", 4, **overrides)

    ganzoo.register_model(zootest_owner, name="zootest-owner", aliases=["zootest-nick"])
    with pytest.raises(ganzoo.GanzooError):
        ganzoo.register_model(zootest_new, name="zootest-nick")
    ganzoo.register_model(zootest_new, name="zootest-nick", overwrite=True)
    # overwrite=True must make the name build the new builder, not the old alias target.
    gan = ganzoo.create("zootest-nick")
    assert gan.config["model"] == "zootest-nick"
    assert gan.config["width"] == 4
    assert ganzoo.create("zootest-owner").config["width"] == 8


def test_builder_returning_a_non_gan_raises(scratch_registry: None) -> None:
    @ganzoo.register_model(name="zootest-not-a-gan")
    def zootest_not_a_gan(**overrides: Any) -> nn.Module:
        return nn.Linear(2, 2)

    with pytest.raises(ganzoo.GanzooError) as info:
        ganzoo.create("zootest-not-a-gan")
    message = str(info.value)
    assert "zootest-not-a-gan" in message
    assert "Linear" in message
    assert "ganzoo.GAN" in message


def test_scratch_registry_fixture_cleans_up() -> None:
    assert ganzoo.list_models("zootest*") == []
    assert not [a for a in registry._aliases if a.startswith("zootest") or a == "ztr"]


# --------------------------------------------------------------------------------------------
# model_info and pretrained names
# --------------------------------------------------------------------------------------------


def test_model_info_sagan() -> None:
    info = ganzoo.model_info("sagan")
    assert info["name"] == "sagan"
    assert "SAGAN" in info["description"]
    assert "self-attention" in info["description"]
    assert info["aliases"] == []
    assert info["module"] == "ganzoo.zoo.sagan"
    assert info["generator"] == "SAGANGenerator"
    assert info["discriminator"] == "SAGANDiscriminator"
    assert info["generator_params"] > 0
    assert info["discriminator_params"] > 0
    gan = ganzoo.create("sagan")
    assert info["generator_params"] == sum(p.numel() for p in gan.generator.parameters())
    assert info["discriminator_params"] == sum(p.numel() for p in gan.discriminator.parameters())
    assert info["recipe"]["g_optimizer"]["lr"] == 1e-4
    assert info["recipe"]["d_optimizer"]["lr"] == 4e-4
    assert "hinge" in info["objective"].lower()
    assert info["image_shape"] == [1, 28, 28]
    assert info["latent_dim"] == 128
    assert "model" not in info["arguments"]
    assert info["arguments"]["width"] == 64


def test_model_info_of_aliases() -> None:
    assert ganzoo.model_info("gan")["name"] == "vanilla"
    assert ganzoo.model_info("vanilla")["aliases"] == ["gan"]
    assert ganzoo.model_info("cgan")["aliases"] == ["conditional-gan"]
    assert ganzoo.model_info("cgan")["num_classes"] == 10
    assert "least-squares" in ganzoo.model_info("lsgan")["objective"].lower().replace("_", "-")


def test_pretrained_true_without_published_weights_says_so(monkeypatch) -> None:
    from ganzoo.registry import find_entry

    for name in ("sagan", "lsgan"):  # as a model without published weights (yet) looks
        monkeypatch.setattr(find_entry(name), "pretrained_tags", {})
    with pytest.raises(ganzoo.GanzooError) as info:
        ganzoo.create("sagan", pretrained=True)
    message = str(info.value)
    assert "No pretrained weights" in message
    assert "yet" in message
    assert "'sagan'" in message
    with pytest.raises(ganzoo.GanzooError, match="No pretrained weights"):
        ganzoo.create_generator("lsgan", pretrained=True)


def test_unknown_pretrained_tag_raises() -> None:
    with pytest.raises(ganzoo.GanzooError) as info:
        ganzoo.create("dcgan.nosuchtag")
    assert "'nosuchtag'" in str(info.value)
    with pytest.raises(ganzoo.UnknownNameError):
        ganzoo.create("nosuchmodel.mnist")


def test_create_generator_returns_the_generator() -> None:
    generator = ganzoo.create_generator("dcgan", width=8, img_size=32)
    assert isinstance(generator, ganzoo.Generator)
    assert generator.image_shape == (1, 32, 32)
