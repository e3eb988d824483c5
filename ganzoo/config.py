"""Typed dataclass configs built from plain dicts (YAML, JSON, CLI) with clear errors."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union

import yaml

from .errors import ConfigError, suggest

T = TypeVar("T")


class _YamlLoader(yaml.SafeLoader):
    """SafeLoader that also reads 1e-4 (no dot) as a float, as users write learning rates."""


_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\d[\d_]*(\.[\d_]*)?|\.[\d_]+)[eE][-+]?\d+$"),
    list("-+0123456789."),
)


def load_yaml(text: str) -> Any:
    """Parse YAML safely (no arbitrary objects), reading exponent numbers as floats."""
    return yaml.load(text, Loader=_YamlLoader)  # a SafeLoader subclass: no arbitrary objects


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against annotation ``tp``; convert lists/ints where that is lossless."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        errors = []
        for option in typing.get_args(tp):
            try:
                return _coerce(value, option, where)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(f"{where}: expected {_type_name(tp)}, got {value!r}.")
    if tp is type(None):
        if value is None:
            return None
        raise ConfigError(f"{where}: expected null, got {value!r}.")
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, where)
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, (list, tuple)) or len(value) != len(args):
            raise ConfigError(f"{where}: expected a list of {len(args)} values, got {value!r}.")
        return tuple(
            _coerce(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args, strict=True))
        )
    if origin in (list, typing.get_origin(list[int])):
        (arg,) = typing.get_args(tp) or (Any,)
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}.")
        return [_coerce(v, arg, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}.")
        return dict(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}.")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}.")
        return value
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ConfigError(f"{where}: expected {_type_name(tp)}, got {value!r}.")
    return value


def _similarity(word: str, choices: Any) -> tuple[float, str]:
    return max(
        ((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in choices), default=(0.0, "")
    )


def _moved_key(key: str, moved: dict[str, str], fields: set[str]) -> str:
    """Where a key that lives in another section belongs, if ``key`` is (close to) one of those
    and closer to it than to any valid key here."""
    if key in moved:
        return moved[key]
    score, best = _similarity(key, moved)
    return moved[best] if score >= 0.6 and score > _similarity(key, fields)[0] else ""


def from_dict(cls: type[T], data: Any, where: str = "config") -> T:
    """Build dataclass ``cls`` from a mapping, rejecting unknown keys and wrong types."""
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a mapping of {cls.__name__} fields, got {data!r}.")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs = {}
    moved: dict[str, str] = getattr(cls, "key_hints", {})
    for key, value in data.items():
        if key not in fields:
            hint = suggest(str(key), fields)
            moved_to = _moved_key(str(key), moved, fields)
            if moved_to:
                hint = f" Did you mean {moved_to}?"
            raise ConfigError(
                f"{where}: unknown key {key!r}.{hint} Valid keys: {', '.join(sorted(fields))}."
            )
        kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}: {err}") from None


def to_dict(obj: Any) -> Any:
    """A dataclass as plain JSON/YAML-ready data (tuples become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def merge(base: Any, overrides: Mapping[str, Any] | None, where: str = "config") -> Any:
    """A copy of dataclass ``base`` with ``overrides`` (nested mappings merge into fields)."""
    if not overrides:
        return base
    data = to_dict(base)
    for key, value in overrides.items():
        current = data.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            data[key] = {**current, **value}
        else:
            data[key] = value
    return from_dict(type(base), data, where)
