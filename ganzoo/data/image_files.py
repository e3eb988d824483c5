"""Image files from a user's folder, checked before training: an empty, undecodable, truncated
or oversized (decompression bomb) file is one line naming it and the fix, not a PIL traceback
at the start or in the middle of a run."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError

_FIX = "remove or replace the file, then run again (a resumed run checks the folder afresh)"


def check_image_file(path: str | os.PathLike[str]) -> None:
    """Raise a one-line DataError if ``path`` is not an image PIL can safely decode (its header
    and, for PNG, every chunk's checksum are read; pixels are decoded when loaded)."""
    from PIL import Image

    path = Path(path)
    if path.stat().st_size == 0:
        raise DataError(f"Image {path} is empty (0 bytes); {_FIX}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise DataError(
            f"Image {path} is too large to decode safely ({str(err).split('.')[0]}; a "
            f"decompression bomb or a huge image); shrink it, or {_FIX}."
        ) from None
    except Exception as err:  # PIL raises OSError, SyntaxError, ValueError, struct.error, ...
        raise DataError(
            f"Cannot decode image {path} ({type(err).__name__}: {err}); {_FIX}."
        ) from None


def load_rgb(path: str | os.PathLike[str]) -> Any:
    """Decode ``path`` as an RGB PIL image (16-bit and float greys scaled to 8 bits, palette,
    CMYK and alpha converted); a file that fails to decode is a one-line DataError."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                pixels = np.asarray(image, dtype=np.float64)
                top = 65535.0 if image.mode.startswith("I;16") else max(float(pixels.max()), 1.0)
                image = Image.fromarray((pixels.clip(0, top) / top * 255).round().astype(np.uint8))
            return image.convert("RGB")
    except Exception as err:
        raise DataError(
            f"Cannot decode image {path} ({type(err).__name__}: {err}); {_FIX}."
        ) from None
