"""The one builder every registered model calls: architecture + objective + recipe -> GAN."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from ..config import merge, to_dict
from ..errors import ConfigError, suggest
from ..gan import GAN, GANBase
from ..input_checks import check_architecture_sizes
from ..models.base import Discriminator, Generator
from ..objectives import LOSSES, Objective, RegularizerSpec, build_objective
from ..objectives.tricks import add_discriminator_dropout
from ..recipe import Recipe

_OBJECTIVE_KEYS = ("objective", "regularizers", "recipe")


def _init_params(cls: type) -> dict[str, Any]:
    """Constructor parameters of ``cls`` with their defaults."""
    params = inspect.signature(cls.__init__).parameters
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {n: p.default for n, p in params.items() if n != "self" and p.kind in kinds}


def _split_arch_args(
    overrides: Mapping[str, Any],
    g_params: Mapping[str, Any],
    d_params: Mapping[str, Any],
    model: str,
    objective_options: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Route each override to the generator, the discriminator or both (``g_``/``d_`` prefixes)."""
    g_kwargs: dict[str, Any] = {}
    d_kwargs: dict[str, Any] = {}
    # Unprefixed keys first, so a g_/d_ prefixed key always wins for its network.
    ordered = sorted(overrides.items(), key=lambda kv: kv[0].startswith(("g_", "d_")))
    for key, value in ordered:
        routed = False
        if key in g_params:
            g_kwargs[key], routed = value, True
        if key in d_params:
            d_kwargs[key], routed = value, True
        if key.startswith("g_") and key[2:] in g_params:
            g_kwargs[key[2:]], routed = value, True
        if key.startswith("d_") and key[2:] in d_params:
            d_kwargs[key[2:]], routed = value, True
        if not routed:
            valid = sorted(
                {
                    *g_params,
                    *d_params,
                    *(f"g_{k}" for k in g_params),
                    *(f"d_{k}" for k in d_params),
                    *_OBJECTIVE_KEYS,
                    *objective_options,
                }
            )
            raise ConfigError(
                f"{model}: unknown argument {key!r}.{suggest(key, valid)} Valid arguments: {', '.join(valid)}."
            )
    return g_kwargs, d_kwargs


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _resolved_args(g_kwargs: dict[str, Any], d_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Flat arguments that rebuild exactly these networks (shared keys unprefixed)."""
    args: dict[str, Any] = {}
    for key in sorted({*g_kwargs, *d_kwargs}):
        if key in g_kwargs and key in d_kwargs and g_kwargs[key] == d_kwargs[key]:
            args[key] = _jsonable(g_kwargs[key])
            continue
        if key in g_kwargs:
            args[key if key not in d_kwargs else f"g_{key}"] = _jsonable(g_kwargs[key])
        if key in d_kwargs:
            args[key if key not in g_kwargs else f"d_{key}"] = _jsonable(d_kwargs[key])
    return args


def build_gan(
    model: str,
    generator: type[Generator],
    discriminator: type[Discriminator],
    *,
    objective: str | Objective,
    regularizers: Sequence[RegularizerSpec] = (),
    recipe: Recipe | None = None,
    defaults: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    objective_class: type[Objective] = Objective,
    gan_class: type[GANBase] = GAN,
    builder_args: Mapping[str, Any] | None = None,
) -> GANBase:
    """Build a :class:`GAN` from architecture classes, an objective and a recipe.

    ``defaults`` are the model's own argument values; ``overrides`` come from the user. A key
    reaches every network whose constructor takes it; ``g_``/``d_`` prefixes target one network.
    ``objective``, ``regularizers`` and ``recipe`` (a mapping merged into the recipe) may also be
    overridden. A loss given by name is wrapped in ``objective_class`` (an :class:`Objective`
    subclass for models that add terms, such as ACGAN's class loss). Keyword arguments of
    ``objective_class`` beyond the loss and regularizers (e.g. EBGAN's ``margin``) are options
    that overrides may set; their resolved values are recorded in the config. ``gan_class`` is
    the container (:class:`~ganzoo.TranslationGAN` for image-to-image models).
    ``builder_args`` are arguments the model's own builder consumed (e.g. began's
    ``architecture``): recorded in the config, so rebuilds pass them again, and listed among the
    valid arguments in errors.
    """
    args = {**(defaults or {}), **(overrides or {})}
    check_architecture_sizes(model, args)
    objective = args.pop("objective", objective)
    regularizers = args.pop("regularizers", regularizers)
    recipe_overrides = args.pop("recipe", None)
    recipe = recipe or Recipe()
    if isinstance(recipe_overrides, Recipe):
        recipe = recipe_overrides
    elif recipe_overrides is not None:
        if not isinstance(recipe_overrides, Mapping):
            raise ConfigError(
                f"{model}: recipe overrides must be a mapping, got {recipe_overrides!r}."
            )
        recipe = merge(recipe, recipe_overrides, where=f"{model}.recipe")

    o_params = _objective_options(objective_class)
    o_kwargs = {k: args.pop(k) for k in list(args) if k in o_params}
    g_params, d_params = _init_params(generator), _init_params(discriminator)
    g_kwargs, d_kwargs = _split_arch_args(
        args, g_params, d_params, model, [*o_params, *(builder_args or {})]
    )
    g_full = {k: v for k, v in {**g_params, **g_kwargs}.items() if v is not inspect.Parameter.empty}
    d_full = {k: v for k, v in {**d_params, **d_kwargs}.items() if v is not inspect.Parameter.empty}
    try:
        gen = generator(**g_full)
        disc = discriminator(**d_full)
    except TypeError as err:
        raise ConfigError(f"{model}: {err}") from None

    o_full = {**o_params, **o_kwargs}
    try:
        built = build_objective(objective, regularizers, objective_class, **o_full)
    except TypeError as err:
        raise ConfigError(f"{model}: {err}") from None
    built.use_tricks(recipe.tricks)
    if recipe.tricks.d_dropout:
        add_discriminator_dropout(disc, recipe.tricks.d_dropout)
    config: dict[str, Any] = {
        "model": model,
        **(builder_args or {}),
        **_resolved_args(g_full, d_full),
    }
    user_given = "objective" in (overrides or {})
    config.update({k: _jsonable(v) for k, v in o_full.items()})
    config.update(_objective_spec(built, model, user_given, objective_class))
    config["recipe"] = to_dict(recipe)
    return gan_class(gen, disc, built, recipe, config)


def _objective_options(objective_class: type[Objective]) -> dict[str, Any]:
    """Keyword options of ``objective_class`` (all but the loss and regularizers), with defaults."""
    params = _init_params(objective_class)
    return {k: v for k, v in params.items() if k not in ("loss", "regularizers")}


def _objective_spec(
    objective: Objective, model: str, user_given: bool, objective_class: type[Objective]
) -> dict[str, Any]:
    """Config entries that rebuild ``objective``; empty for another custom Objective subclass,
    which the model's own builder recreates (a user-supplied one cannot be written down)."""
    named_loss = type(objective.loss) is LOSSES.get(objective.loss.name)
    if type(objective) is objective_class and named_loss:
        return {
            "objective": objective.loss.name,
            "regularizers": [r.spec() for r in objective.regularizers],
        }
    if type(objective) is objective_class and not user_given:
        # The model's own (unregistered) loss, which its builder recreates; keep the penalties.
        return {"regularizers": [r.spec() for r in objective.regularizers]}
    if user_given:
        warnings.warn(
            f"{model}: a custom objective ({type(objective).__name__}) cannot be saved in the config; "
            "checkpoints will rebuild the model with its default objective.",
            stacklevel=3,
        )
    return {}
