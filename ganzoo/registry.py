"""The model registry: names -> builders, with aliases, fnmatch listing and entry-point plugins.

Shaped after timm's registry: plain module-level dicts, ``@register_model`` on small builder
functions, and ``model.tag`` names for pretrained weights.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import pkgutil
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import GanzooError, unknown_name

if TYPE_CHECKING:
    from .gan import GANBase

ENTRY_POINT_GROUP = "ganzoo.models"
BUILTIN_PACKAGE = "ganzoo.zoo"  # one module per family, found by listing the package
STANDARD_DATASETS = ("mnist", "fashion-mnist")  # what a family trains on unless it says otherwise
Builder = TypeVar("Builder", bound=Callable[..., "GANBase"])


@dataclass
class ModelEntry:
    """What the registry knows about one model name."""

    name: str
    builder: Callable[..., GANBase]
    aliases: tuple[str, ...] = ()
    module: str = ""
    pretrained_tags: dict[str, dict[str, Any]] = field(default_factory=dict)
    tiny: dict[str, Any] = field(default_factory=dict)
    datasets: tuple[str, ...] = STANDARD_DATASETS

    @property
    def builtin(self) -> bool:
        """Whether the model is one of ganzoo's own families (not a plugin or user model)."""
        return self.module.startswith(f"{BUILTIN_PACKAGE}.")

    @property
    def description(self) -> str:
        doc = (self.builder.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


_models: dict[str, ModelEntry] = {}
_aliases: dict[str, str] = {}
_builtins_loaded = False
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
    tiny: dict[str, Any] | None = None,
    datasets: Iterable[str] = STANDARD_DATASETS,
) -> Any:
    """Register a function that returns a GAN under its (or the given) name.

    Usable bare (``@register_model``) or with options (``@register_model(aliases=["gan"])``).
    ``tiny`` are arguments that build a small instance with the real architecture's shapes (the
    generic tests and quick benchmarks use them); ``datasets`` are the standard datasets (or, for
    image-to-image models, translation tasks) its recipe trains on (see
    :func:`ganzoo.run.zoo_config`).
    """

    def decorate(builder: Builder) -> Builder:
        load_builtins()  # a user's model must meet the built-in names it may clash with
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
            key,
            builder,
            alias_keys,
            builder.__module__,
            dict(pretrained_tags or {}),
            dict(tiny or {}),
            tuple(datasets),
        )
        for alias in alias_keys:
            _aliases[alias] = key
        return builder

    return decorate(fn) if fn is not None else decorate


def _same_builder(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    """Same function, or the same definition imported again (e.g. a reloaded module)."""
    return a is b or (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def load_builtins() -> None:
    """Import every family module of :mod:`ganzoo.zoo` once (their ``@register_model``
    decorators fill the registry). Families are found by listing the package, the way plugins
    are found by their entry points: adding a family is adding a file."""
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    package = importlib.import_module(BUILTIN_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{BUILTIN_PACKAGE}.{module.name}")


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


def _load_all() -> None:
    load_builtins()
    load_plugins()
    _load_published_tags()


def find_entry(name: str) -> ModelEntry:
    """The registry entry of ``name`` (a model, an alias, or ``model.tag``)."""
    _load_all()
    arch, _ = split_model_name_tag(name)
    key = _aliases.get(_key(arch), _key(arch))
    if key not in _models:
        raise unknown_name(
            "model",
            name,
            [*_models, *_aliases],
            hint="List models with ganzoo.list_models() or `ganzoo list`.",
        )
    return _models[key]


def builtin_models() -> list[str]:
    """The sorted names of ganzoo's own families (as found in :mod:`ganzoo.zoo`)."""
    _load_all()
    return sorted(name for name, entry in _models.items() if entry.builtin)


def is_model(name: str) -> bool:
    """Whether ``name`` (or an alias of it) is registered."""
    try:
        find_entry(name)
    except GanzooError:
        return False
    return True


def list_models(
    pattern: str | Iterable[str] = "", exclude: str | Iterable[str] = "", pretrained: bool = False
) -> list[str]:
    """Sorted registered names matching fnmatch ``pattern``(s), e.g. ``'*gan*'``.

    With ``pretrained=True``, lists ``model.tag`` names that have published weights.
    """
    _load_all()
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


def canonical_tag_name(name: str) -> str:
    """One spelling rule: names are lower case and ``-``/``_`` are interchangeable; the canonical
    tag writes its dataset with ``_`` (``dcgan.fashion-mnist`` -> ``dcgan.fashion_mnist``)."""
    arch, dot, tag = name.strip().partition(".")
    return f"{arch}{dot}{tag.lower().replace('-', '_')}"
