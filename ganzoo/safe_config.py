"""Model configs from files ganzoo did not write itself (a Hub ``config.json``, the ``config``
inside a checkpoint) pass through an allow-list before they reach ``create()``.

Only the model's own arguments get through: ``create()``'s control arguments (``pretrained``,
``cache_dir``, ...) and anything else a file might add are refused, so a file cannot trigger a
download or choose a directory. (File names read from such a config are checked by
:func:`ganzoo.hub.format.safe_file_name` before they are joined to a local folder.)
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Any

from .errors import CheckpointError
from .registry import find_entry, is_model

_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """Whether ``value`` is JSON data (what ganzoo writes into configs), nothing else."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _builder_options(model: str) -> list[str]:
    """Arguments a model's builder names itself (e.g. began's ``architecture``)."""
    params = inspect.signature(find_entry(model).builder).parameters.values()
    return [p.name for p in params if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD]


@functools.lru_cache(maxsize=64)
def _allowed(model: str, options_json: str) -> frozenset[str]:
    """The argument names a build of ``model`` with builder options ``options_json`` records."""
    return frozenset(find_entry(model).builder(**json.loads(options_json)).config) - {"model"}


def model_arguments(model: Any, args: Any, where: str) -> tuple[str, dict[str, Any]]:
    """``(model name, arguments)`` from an untrusted config, allowed through only when every
    argument is one of the model's own; raises a one-line CheckpointError naming the first that
    is not."""
    if not isinstance(model, str) or not is_model(model):
        raise CheckpointError(
            f"{where}: its config names model {model!r}, which is not a registered ganzoo model "
            "(see `ganzoo list`); install the plugin that provides it or use another file."
        )
    model = find_entry(model).name
    if not isinstance(args, dict) or not _plain(args):
        raise CheckpointError(
            f"{where}: the arguments of {model} in its config are not plain values (numbers, "
            "strings, lists, mappings); ganzoo refuses to build from it. Use a file written by ganzoo."
        )
    options = {k: args[k] for k in _builder_options(model) if k in args}
    try:
        allowed = _allowed(model, json.dumps(options, sort_keys=True))
    except Exception as err:
        raise CheckpointError(
            f"{where}: {model} cannot be built from its config ({err})."
        ) from None
    for key in args:
        if key not in allowed:
            raise CheckpointError(
                f"{where}: its config sets {key!r}, which is not an argument of {model} (allowed: "
                f"{', '.join(sorted(allowed))}); ganzoo refuses to build from it. Use a config "
                "written by ganzoo, or remove that key if you edited the file yourself."
            )
    return model, dict(args)
