"""The model registry: names -> builders, with aliases, fnmatch listing and entry-point plugins.

Shaped after timm's registry: plain module-level dicts, ``@register_model`` on small builder
functions, and ``model.tag`` names for pretrained weights.
"""

from __future__ import annotations

import fnmatch
import json
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

from .errors import GanzooError, unknown_name
from .gan import GAN
from .models.base import Generator

ENTRY_POINT_GROUP = "ganzoo.models"
Builder = TypeVar("Builder", bound=Callable[..., GAN])


@dataclass
class ModelEntry:
    """What the registry knows about one model name."""

    name: str
    builder: Callable[..., GAN]
    aliases: tuple[str, ...] = ()
    module: str = ""
    pretrained_tags: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def description(self) -> str:
        doc = (self.builder.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


_models: dict[str, ModelEntry] = {}
_aliases: dict[str, str] = {}
_plugins_loaded = False
_published_loaded = False


def _key(name: str) -> str:
    """Canonical spelling: lower case, '-' for '_' (so 'wgan_gp' finds 'wgan-gp')."""
    return name.strip().lower().replace("_", "-")


def register_model(
    fn: Builder | None = None,
    *,
    name: str | None = None,
    aliases: Iterable[str] = (),
    pretrained_tags: dict[str, dict[str, Any]] | None = None,
    overwrite: bool = False,
) -> Any:
    """Register a function that returns a :class:`GAN` under its (or the given) name.

    Usable bare (``@register_model``) or with options (``@register_model(aliases=["gan"])``).
    """

    def decorate(builder: Builder) -> Builder:
        key = _key(name or builder.__name__)
        alias_keys = tuple(_key(a) for a in aliases)
        for k in (key, *alias_keys):
            owner = _aliases.get(k) or (k if k in _models else None)
            if owner and not overwrite and not _same_builder(_models[owner].builder, builder):
                raise GanzooError(
                    f"Model name {k!r} is already registered by {_models[owner].module}; "
                    "pick another name or pass overwrite=True to replace it."
                )
        if overwrite:  # the new names must not stay aliases of (or models behind) older entries
            _aliases.pop(key, None)
            for alias in alias_keys:
                _models.pop(alias, None)
        _models[key] = ModelEntry(
            key, builder, alias_keys, builder.__module__, dict(pretrained_tags or {})
        )
        for alias in alias_keys:
            _aliases[alias] = key
        return builder

    return decorate(fn) if fn is not None else decorate


def _same_builder(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    """Same function, or the same definition imported again (e.g. a reloaded module)."""
    return a is b or (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def load_plugins() -> None:
    """Import every ``ganzoo.models`` entry point once; a broken plugin only warns.

    An entry point may name a module (importing it runs its ``@register_model`` decorators) or a
    builder function (registered under the entry point's name).
    """
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
            if callable(loaded) and not any(
                _same_builder(e.builder, loaded) for e in _models.values()
            ):
                register_model(loaded, name=ep.name)
        except Exception as err:  # a third-party plugin must not break the zoo
            warnings.warn(
                f"ganzoo plugin {ep.name!r} ({ep.value}) failed to load: {err}", stacklevel=3
            )


def split_model_name_tag(name: str) -> tuple[str, str]:
    """'dcgan.mnist' -> ('dcgan', 'mnist'); 'dcgan' -> ('dcgan', '')."""
    arch, _, tag = name.partition(".")
    return arch, tag


def _load_published_tags() -> None:
    """Attach the tags in ``ganzoo/pretrained.json`` (our published weights) to their models."""
    global _published_loaded
    if _published_loaded:
        return
    _published_loaded = True
    path = Path(__file__).with_name("pretrained.json")
    if not path.exists():
        return
    for full_name, cfg in json.loads(path.read_text()).items():
        arch, tag = split_model_name_tag(full_name)
        entry = _models.get(_key(arch))
        if entry is not None:
            entry.pretrained_tags.setdefault(tag, cfg)


def _entry(name: str) -> ModelEntry:
    load_plugins()
    _load_published_tags()
    arch, _ = split_model_name_tag(name)
    key = _aliases.get(_key(arch), _key(arch))
    if key not in _models:
        raise unknown_name(
            "model", name, [*_models, *_aliases],
            hint="List models with ganzoo.list_models() or `ganzoo list`.",
        )  # fmt: skip
    return _models[key]


def is_model(name: str) -> bool:
    """Whether ``name`` (or an alias of it) is registered."""
    try:
        _entry(name)
    except GanzooError:
        return False
    return True


def list_models(
    pattern: str | Iterable[str] = "", exclude: str | Iterable[str] = "", pretrained: bool = False
) -> list[str]:
    """Sorted registered names matching fnmatch ``pattern``(s), e.g. ``'*gan*'``.

    With ``pretrained=True``, lists ``model.tag`` names that have published weights.
    """
    load_plugins()
    _load_published_tags()
    if pretrained:
        names = [f"{n}.{tag}" for n, e in _models.items() for tag in e.pretrained_tags]
    else:
        names = list(_models)
    include = [pattern] if isinstance(pattern, str) else list(pattern)
    include = [_key(p) for p in include if p]
    if include:
        names = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in include)]
    excludes = [exclude] if isinstance(exclude, str) else list(exclude)
    for pat in filter(None, excludes):
        names = [n for n in names if not fnmatch.fnmatchcase(n, _key(pat))]
    return sorted(names)


def create(
    name: str,
    pretrained: bool = False,
    *,
    cache_dir: str | Path | None = None,
    device: Any = None,
    dtype: Any = None,
    **overrides: Any,
) -> GAN:
    """Build the GAN registered as ``name`` with architecture/objective/recipe ``overrides``.

    Example: ``ganzoo.create("dcgan", img_size=64, channels=3, objective="hinge")``.
    ``ganzoo.create("dcgan.mnist", pretrained=True)`` loads the tag's weights from the Hugging
    Face cache (``cache_dir``, default the standard one), the Hub (pinned revision), or a local
    mirror, sha256-checked on every path (:mod:`ganzoo.hub.resolve`); overrides may then not
    change the architecture. ``ganzoo.create("hf-hub:org/name")`` loads any Hub repo in the
    ganzoo format. ``device`` and ``dtype`` (e.g. ``"cuda"``, ``"bfloat16"``) place the result.
    """
    # -- #20: hf-hub: repos, one spelling rule for tags, device/dtype --
    from .placement import place

    if name.startswith("hf-hub:"):  # (ganzoo.hub.resolve.HF_HUB_PREFIX; the Hub only when used)
        from .hub import from_pretrained

        return from_pretrained(name, cache_dir=cache_dir, device=device, dtype=dtype, **overrides)
    if device is not None or dtype is not None:
        return place(create(name, pretrained, cache_dir=cache_dir, **overrides), device, dtype)
    name = canonical_tag_name(name)
    # -- end #20 --
    entry = _entry(name)
    _, tag = split_model_name_tag(name)
    if tag and tag not in entry.pretrained_tags:
        tags = ", ".join(sorted(entry.pretrained_tags)) or "none yet"
        raise GanzooError(f"{entry.name} has no pretrained tag {tag!r}. Available tags: {tags}.")
    if pretrained:
        if not entry.pretrained_tags:
            raise GanzooError(
                f"No pretrained weights are published for {entry.name!r} yet. "
                "Train one with `ganzoo train` or call create() without pretrained=True."
            )
        tag = tag or next(iter(entry.pretrained_tags))
        cfg = entry.pretrained_tags[tag]
        from .hub import from_pretrained
        from .hub.resolve import resolve_pretrained

        found = resolve_pretrained(f"{entry.name}.{tag}", cfg, cache_dir=cache_dir)
        return from_pretrained(found.folder, sha256=cfg.get("sha256"), **overrides)
    gan = entry.builder(**overrides)
    if not isinstance(gan, GAN):
        raise GanzooError(
            f"The builder of {entry.name!r} returned {type(gan).__name__}, not a ganzoo.GAN."
        )
    gan.config["model"] = entry.name
    return gan


def create_generator(
    name: str, pretrained: bool = False, *, cache_dir: str | Path | None = None, **overrides: Any
) -> Generator:
    """Only the generator of :func:`create` (what sampling needs); ``device=``/``dtype=`` too."""
    return create(name, pretrained=pretrained, cache_dir=cache_dir, **overrides).generator


def canonical_tag_name(name: str) -> str:
    """One spelling rule: names are lower case and ``-``/``_`` are interchangeable; the canonical
    tag writes its dataset with ``_`` (``dcgan.fashion-mnist`` -> ``dcgan.fashion_mnist``)."""
    arch, dot, tag = name.strip().partition(".")
    return f"{arch}{dot}{tag.lower().replace('-', '_')}"


def model_info(name: str) -> dict[str, Any]:
    """Description, aliases, defaults, objective, recipe and parameter counts of a model."""
    entry = _entry(name)
    gan = entry.builder()
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
