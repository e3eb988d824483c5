"""The Gradio page of ``ganzoo demo``: Generate, Latent walk and Translate tabs over the models
that :class:`~ganzoo.demo.logic.Models` finds. Errors show as one line on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import GanzooError, MissingExtraError
from . import logic
from .logic import Models

HOST = "127.0.0.1"


def _gradio() -> Any:
    try:
        import gradio
    except ImportError as err:
        raise MissingExtraError('The demo page needs gradio: pip install "ganzoo[demo]"') from err
    return gradio


def _shown(handler: Callable[..., Any], outputs: int) -> Callable[..., Any]:
    """``handler`` with errors turned into the status line (``outputs`` image slots emptied)."""

    def run(*args: Any) -> Any:
        try:
            result = handler(*args)
        except GanzooError as err:
            return (*([None] * outputs), f"**Error:** {err}")
        return result

    return run


def build_app(models: Models) -> Any:
    """The page (a ``gradio.Blocks``) for ``models``; not started."""
    gr = _gradio()
    noise = models.noise_choices()
    translators = models.translator_choices()

    def controls(choice: str | None) -> tuple[Any, Any, str]:
        try:
            facts = models.facts(choice)
        except GanzooError as err:
            return gr.CheckboxGroup(visible=False), gr.Slider(visible=False), f"**Error:** {err}"
        classes = [str(i) for i in range(facts.num_classes)]
        return (
            gr.CheckboxGroup(choices=classes, value=[], visible=bool(classes)),
            gr.Slider(visible=facts.truncation),
            facts.describe(),
        )

    def generate(choice: str, seed: float, count: float, classes: list[str], psi: float):
        image = logic.generate(models.get(choice), int(seed), count, [int(c) for c in classes], psi)
        return image, f"{int(count)} samples of **{choice}**, seed {int(seed)}."

    def walk(choice: str, seed_from: float, seed_to: float, steps: float, classes, psi: float):
        label = int(classes[0]) if classes else None
        strip, gif = logic.latent_walk(
            models.get(choice), int(seed_from), int(seed_to), steps, label, psi
        )
        return strip, str(gif), f"Walk from seed {int(seed_from)} to {int(seed_to)}."

    def translate(choice: str, image: Any, direction: str):
        out, note = logic.translate(models.get(choice), image, direction)
        return out, note or "Translated (left: the upload, right: the translation)."

    with gr.Blocks(title="ganzoo demo", analytics_enabled=False) as app:
        gr.Markdown("# ganzoo demo\nTry the zoo's generators: pick a model, a seed, generate.")
        if not models.choices:
            gr.Markdown(f"**{logic.NO_WEIGHTS}**", elem_id="no-weights")
        status = gr.Markdown(elem_id="status")
        with gr.Tab("Generate"):
            with gr.Row():
                model = gr.Dropdown(
                    noise, value=noise[0] if noise else None, label="Model", elem_id="model"
                )
                seed = gr.Number(value=0, precision=0, label="Seed", elem_id="seed")
                count = gr.Slider(
                    1, logic.MAX_COUNT, value=16, step=1, label="Count", elem_id="count"
                )
            info = gr.Markdown(elem_id="info")
            classes = gr.CheckboxGroup(
                [], label="Classes (none ticked: all)", visible=False, elem_id="classes"
            )
            psi = gr.Slider(
                0.0,
                1.0,
                value=1.0,
                step=0.05,
                visible=False,
                elem_id="truncation",
                label="Truncation psi (1 = off)",
            )
            button = gr.Button("Generate", variant="primary", elem_id="generate")
            grid = gr.Image(
                type="pil", format="png", label="Samples", interactive=False, elem_id="samples"
            )
        with gr.Tab("Latent walk"):
            with gr.Row():
                seed_from = gr.Number(value=0, precision=0, label="From seed")
                seed_to = gr.Number(value=1, precision=0, label="To seed")
                steps = gr.Slider(2, logic.MAX_WALK, value=8, step=1, label="Steps")
            walk_button = gr.Button("Walk", variant="primary", elem_id="walk")
            strip = gr.Image(
                type="pil", format="png", label="Interpolation", interactive=False, elem_id="strip"
            )
            gif = gr.Image(type="filepath", label="GIF", interactive=False, elem_id="gif")
        with gr.Tab("Translate"):
            if not translators:
                gr.Markdown(
                    "No translation model here yet: start `ganzoo demo runs/pix2pix` with a "
                    "pix2pix or cyclegan run (`ganzoo train pix2pix --dataset edges2mnist`)."
                )
            with gr.Row():
                translator = gr.Dropdown(
                    translators,
                    label="Translator",
                    elem_id="translator",
                    value=translators[0] if translators else None,
                )
                direction = gr.Radio(["a2b", "b2a"], value="a2b", label="Direction")
            upload = gr.Image(type="pil", label="Image to translate", elem_id="upload")
            translate_button = gr.Button("Translate", variant="primary", elem_id="translate")
            translated = gr.Image(
                type="pil",
                format="png",
                label="Translation",
                interactive=False,
                elem_id="translated",
            )

        model.change(controls, model, [classes, psi, info])
        app.load(controls, model, [classes, psi, info])
        button.click(_shown(generate, 1), [model, seed, count, classes, psi], [grid, status])
        walk_button.click(
            _shown(walk, 2), [model, seed_from, seed_to, steps, classes, psi], [strip, gif, status]
        )
        translate_button.click(
            _shown(translate, 1), [translator, upload, direction], [translated, status]
        )
    return app


def launch(
    sources: list[str] | None = None,
    *,
    host: str = HOST,
    port: int | None = 7860,
    block: bool = True,
    include_published: bool = True,
) -> Any:
    """Start the page on ``host:port`` with the local pretrained tags and ``sources`` (run
    folders, checkpoints, model folders). ``block=False`` returns the running app (tests)."""
    gr = _gradio()
    models = Models(sources, include_published=include_published)
    for source in sources or []:
        models.get(source)  # a bad path fails here, as one line, before the server starts
    app = build_app(models)
    theme = gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )  # local fonts: works offline
    app.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=not block,
        quiet=not block,
        theme=theme,
        show_error=True,
    )
    return app
