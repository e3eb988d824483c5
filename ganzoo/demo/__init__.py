"""``ganzoo demo``: a web page to try the zoo's models (the optional ``demo`` extra, Gradio)."""

from .app import build_app, launch
from .logic import Models

__all__ = ["Models", "build_app", "launch"]
