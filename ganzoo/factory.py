"""The factory: names and saved configs -> built models, with pretrained weights when asked.

``create`` looks a name up in the registry, builds it, then loads weights; ``rebuild`` is the one
path from a saved config (a checkpoint's or a Hub folder's ``config.json``) back to a model;
``from_pretrained`` reads a folder or Hub repo in the ganzoo format.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import CheckpointError, ConfigError, GanzooError
from .gan import GANBase
from .hub import (
    CONFIG_NAME,
    FULL_WEIGHTS,
    GENERATOR_WEIGHTS,
    fetch,
    load_weights,
    local_file,
    read_config,
    sha256_of,
)
from .hub.resolve import (
    HF_HUB_PREFIX,
    hub_offline_reason,
    hub_unreachable_reason,
    resolve_pretrained,
)
from .models.base import Generator
from .registry import ModelEntry, canonical_tag_name, find_entry, split_model_name_tag
from .safe_config import model_arguments
from .utils.placement import place

_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_ARCHITECTURE_EXEMPT = ("recipe",)  # saved arguments that may differ without changing any shape


def _build(entry: ModelEntry, args: Mapping[str, Any]) -> GANBase:
    """Call a registered builder and check that it returned a GAN."""
    gan = entry.builder(**args)
    if not isinstance(gan, GANBase):
        raise GanzooError(
            f"The builder of {entry.name!r} returned {type(gan).__name__}, not a ganzoo.GAN "
            "(or ganzoo.TranslationGAN)."
        )
    gan.config["model"] = entry.name
    return gan


def create(
    name: str,
    pretrained: bool = False,
    *,
    cache_dir: str | Path | None = None,
    device: Any = None,
    dtype: Any = None,
    **overrides: Any,
) -> GANBase:
    """Build the GAN registered as ``name`` with architecture/objective/recipe ``overrides``.

    Example: ``ganzoo.create("dcgan", img_size=64, channels=3, objective="hinge")``.
    ``ganzoo.create("dcgan.mnist", pretrained=True)`` loads the tag's weights from the Hugging
    Face cache (``cache_dir``, default the standard one), the Hub (pinned revision), or a local
    mirror, sha256-checked on every path (:mod:`ganzoo.hub.resolve`); overrides may then not
    change the architecture. ``ganzoo.create("hf-hub:org/name")`` loads any Hub repo in the
    ganzoo format. ``device`` and ``dtype`` (e.g. ``"cuda"``, ``"bfloat16"``) place the result.
    """
    if name.startswith(HF_HUB_PREFIX):  # timm's spelling for "any repo in our format"
        return from_pretrained(name, cache_dir=cache_dir, device=device, dtype=dtype, **overrides)
    if device is not None or dtype is not None:
        return place(create(name, pretrained, cache_dir=cache_dir, **overrides), device, dtype)
    name = canonical_tag_name(name)
    entry = find_entry(name)
    _, tag = split_model_name_tag(name)
    if tag and tag not in entry.pretrained_tags:
        tags = ", ".join(sorted(entry.pretrained_tags)) or "none yet"
        raise GanzooError(f"{entry.name} has no pretrained tag {tag!r}. Available tags: {tags}.")
    if not pretrained:
        return _build(entry, overrides)
    if not entry.pretrained_tags:
        raise GanzooError(
            f"No pretrained weights are published for {entry.name!r} yet. "
            "Train one with `ganzoo train` or call create() without pretrained=True."
        )
    tag = tag or next(iter(entry.pretrained_tags))
    cfg = entry.pretrained_tags[tag]
    found = resolve_pretrained(f"{entry.name}.{tag}", cfg, cache_dir=cache_dir)
    return from_pretrained(found.folder, sha256=cfg.get("sha256"), **overrides)


def create_generator(
    name: str, pretrained: bool = False, *, cache_dir: str | Path | None = None, **overrides: Any
) -> Generator:
    """Only the generator of :func:`create` (what sampling needs); ``device=``/``dtype=`` too."""
    return create(name, pretrained=pretrained, cache_dir=cache_dir, **overrides).generator


def model_config(config: Mapping[str, Any], where: str = "a saved config") -> dict[str, Any]:
    """A saved model config in the one layout, ``{"model": name, "args": {...}}``.

    Checkpoints written before ganzoo 0.2 kept the arguments beside the name (``{"model": name,
    **args}``); they are read as the same thing. Anything else beside ``model`` and ``args`` is
    refused: a file must not smuggle options past the allow-list of arguments.
    """
    if not isinstance(config, Mapping) or not isinstance(config.get("model"), str):
        raise CheckpointError(f"{where}: its config names no model; it cannot be rebuilt.")
    if "args" not in config:
        return {"model": config["model"], "args": {k: v for k, v in config.items() if k != "model"}}
    extra = [k for k in config if k not in ("model", "args")]
    if extra:
        raise CheckpointError(
            f"{where}: its config sets {extra[0]!r} beside the model's name and arguments; "
            "ganzoo refuses to build from it. Use a config written by ganzoo."
        )
    if not isinstance(config["args"], Mapping):
        raise CheckpointError(f"{where}: its config has args={config['args']!r}, not a mapping.")
    return {"model": config["model"], "args": dict(config["args"])}


def rebuild(config: Mapping[str, Any], where: str = "", **overrides: Any) -> GANBase:
    """The untrained GAN a saved config describes (a checkpoint's or a Hub ``config.json``).

    The saved arguments pass an allow-list of the model's own arguments
    (:func:`ganzoo.safe_config.model_arguments`) and go to its registered builder, not to
    :func:`create`: nothing in a file can ask for a download or choose a path.
    ``overrides`` may change the recipe but not the architecture.
    """
    config = model_config(config, where or "a saved config")
    model, args = model_arguments(config["model"], config["args"], where or "this repo")
    clashes = {
        k: (args[k], v)
        for k, v in overrides.items()
        if k in args and k not in _ARCHITECTURE_EXEMPT and args[k] != v
    }
    if clashes:
        details = ", ".join(
            f"{k}={saved!r} (you asked for {asked!r})" for k, (saved, asked) in clashes.items()
        )
        raise ConfigError(
            f"The pretrained weights in {where or 'this repo'} were made for {config['model']} with "
            f"{details}; they cannot be loaded into another architecture. Drop those overrides, "
            "or build an untrained model with ganzoo.create()."
        )
    return _build(find_entry(model), {**args, **overrides})


def from_pretrained(
    name_or_path: str | os.PathLike[str],
    *,
    revision: str | None = None,
    generator_only: bool = True,
    sha256: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    token: str | bool | None = None,
    device: Any = None,
    dtype: Any = None,
    **overrides: Any,
) -> GANBase:
    """A GAN with pretrained weights from a Hub repo id (``user/repo`` or ``hf-hub:user/repo``)
    or a local folder, placed on ``device`` in ``dtype`` when given.

    ``generator_only=False`` also loads the discriminator and objective state (``model.safetensors``)
    to continue training. ``sha256`` pins the weights file: a download whose hash differs is rejected.
    """
    if device is not None or dtype is not None:
        options = {"revision": revision, "sha256": sha256, "cache_dir": cache_dir, "token": token}
        gan = from_pretrained(name_or_path, generator_only=generator_only, **options, **overrides)
        return place(gan, device, dtype)
    name_or_path = _hub_repo_or_path(name_or_path)
    local = Path(name_or_path)
    remote = not local.is_dir()
    repo_id = str(name_or_path)
    where = str(name_or_path) if not remote else f"{repo_id}@{revision or 'main'}"
    if remote:
        cache_only = bool(hub_offline_reason() or hub_unreachable_reason(repo_id, revision))
        get = lambda f: fetch(repo_id, f, revision, cache_dir, token, cache_only)  # noqa: E731
    else:
        get = lambda f: local_file(local, f)  # noqa: E731
    config = read_config(get(CONFIG_NAME), where)
    weights = GENERATOR_WEIGHTS if generator_only else FULL_WEIGHTS
    path = get(weights)
    expected = sha256 or (config.get("sha256") or {}).get(weights)
    if expected:
        actual = sha256_of(path)
        if actual != expected:
            raise CheckpointError(
                f"{where}: {weights} has sha256 {actual}, expected {expected}. The download is "
                f"corrupt or the repo changed; delete {path} and retry, or pin the revision you trust."
            )
    gan = rebuild({"model": config["model"], "args": config.get("args", {})}, where, **overrides)
    load_weights(gan, path, generator_only=generator_only, where=where)
    return gan


def _hub_repo_or_path(name_or_path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """``hf-hub:org/name`` -> ``org/name`` (refused unless it is one); anything else unchanged."""
    if not (isinstance(name_or_path, str) and name_or_path.startswith(HF_HUB_PREFIX)):
        return name_or_path
    repo_id = name_or_path[len(HF_HUB_PREFIX) :]
    if not _REPO_ID.fullmatch(repo_id):
        raise ConfigError(
            f"{name_or_path!r} is not a Hub repo: write hf-hub:ORG/NAME, e.g. hf-hub:ganzoo/dcgan-mnist."
        )
    return repo_id


def model_info(name: str) -> dict[str, Any]:
    """Description, aliases, defaults, objective, recipe and parameter counts of a model."""
    entry = find_entry(name)
    gan = _build(entry, {})
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    return {
        "name": entry.name,
        "aliases": list(entry.aliases),
        "description": (entry.builder.__doc__ or "").strip(),
        "module": entry.module,
        "image_shape": list(gan.image_shape),
        "latent_dim": gan.latent_dim,
        "num_classes": gan.num_classes,
        "generator": type(gan.generator).__name__,
        "discriminator": type(gan.discriminator).__name__,
        "generator_params": count(gan.generator),
        "discriminator_params": count(gan.discriminator),
        "objective": repr(gan.objective),
        "arguments": {k: v for k, v in gan.config.items() if k not in ("model", "recipe")},
        "recipe": gan.config.get("recipe", {}),
        "pretrained_tags": sorted(entry.pretrained_tags),
    }
