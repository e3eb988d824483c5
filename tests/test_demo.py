"""``ganzoo demo``: the page's logic on the published weights, and the page itself driven by a real
headless Chromium (Debian's chromium + chromium-driver; `.ci/install-browser` installs them)."""

from __future__ import annotations

import io
import os
import socket
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.demo import logic
from ganzoo.demo.logic import Models
from ganzoo.errors import ConfigError

from .test_translation import train

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


@pytest.fixture(scope="module")
def models() -> Models:
    return Models()


def test_the_published_tags_are_offered_offline(models: Models) -> None:
    assert {"dcgan.mnist", "cgan.mnist", "stylegan.mnist"} <= set(models.noise_choices())
    assert {"pix2pix.edges2mnist", "cyclegan.thin2thick"} <= set(models.translator_choices())


def test_generate_makes_a_grid_of_the_stated_size_that_follows_the_seed(models: Models) -> None:
    gan = models.get("dcgan.mnist")
    a, b = logic.generate(gan, 0, 12), logic.generate(gan, 1, 12)
    assert a.size == b.size == logic.grid_size(12, 28, 8) == (8 * (4 * 28 + 2) + 2, 2 * 114 + 2)
    assert np.array_equal(np.asarray(a), np.asarray(logic.generate(gan, 0, 12)))
    assert np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int)).mean() > 5


def test_conditional_classes_and_truncation(models: Models) -> None:
    cgan = models.get("cgan.mnist")
    threes = logic.generate(cgan, 0, 4, classes=[3])
    mixed = logic.generate(cgan, 0, 4, classes=[3, 7])
    assert not np.array_equal(np.asarray(threes), np.asarray(mixed))
    with pytest.raises(ConfigError, match=r"Classes must be in \[0, 10\); got \[12\]"):
        logic.generate(cgan, 0, 4, classes=[12])
    style = models.get("stylegan.mnist")
    free, truncated = logic.generate(style, 0, 4), logic.generate(style, 0, 4, truncation=0.5)
    assert not np.array_equal(np.asarray(free), np.asarray(truncated))
    assert np.array_equal(np.asarray(free), np.asarray(logic.generate(style, 0, 4, truncation=1.0)))
    with pytest.raises(ConfigError, match="Count must be a whole number from 1 to 64"):
        logic.generate(style, 0, 65)


def test_latent_walk_strip_ends_at_the_two_seeds_and_writes_a_gif(models: Models) -> None:
    gan = models.get("dcgan.mnist")
    strip, gif = logic.latent_walk(gan, 0, 1, 6)
    assert strip.size == logic.grid_size(6, 28, 6)
    with Image.open(gif) as animation:
        assert animation.n_frames == 6 + 4  # forward, then back without repeating the ends
    z = torch.randn(1, 100, generator=torch.Generator().manual_seed(0))  # seed 0's code
    first = logic.display_grid(gan.generate(z, ema=True).clamp(-1, 1), 1)
    assert first.size == logic.grid_size(1, 28, 1) == (112, 112)  # one image: no padding
    assert np.array_equal(np.asarray(strip)[2:114, 2:114], np.asarray(first))


def test_uploads_are_converted_or_refused_with_a_message() -> None:
    rgb = Image.fromarray(np.random.default_rng(0).integers(0, 255, (60, 90, 3), dtype=np.uint8))
    batch, note = logic.prepare_upload(rgb, (1, 28, 28))
    assert batch.shape == (1, 1, 28, 28) and batch.min() >= -1 and batch.max() <= 1
    assert (
        note
        == "Upload converted RGB to grey, cropped 90x60 to the centre 60x60, resized 60x60 to 28x28."
    )
    grey = Image.new("L", (28, 28), 255)
    batch, note = logic.prepare_upload(grey, (3, 28, 28))
    assert batch.shape == (1, 3, 28, 28) and note == "Upload converted L to RGB."
    assert logic.prepare_upload(grey, (1, 28, 28))[1] == ""
    with pytest.raises(ConfigError, match="upload an image between 4 and 4096 pixels a side"):
        logic.prepare_upload(Image.new("L", (2, 50)), (1, 28, 28))
    with pytest.raises(ConfigError, match="Upload an image file"):
        logic.prepare_upload("not an image", (1, 28, 28))  # type: ignore[arg-type]


def test_a_local_translator_run_translates_an_upload(tmp_path: Path) -> None:
    train("pix2pix", tmp_path / "run", steps=2)
    models = Models([str(tmp_path / "run")], include_published=False)
    assert models.translator_choices() == [str(tmp_path / "run")]
    gan = models.get(str(tmp_path / "run"))
    out, note = logic.translate(gan, Image.new("RGB", (40, 40), (255, 0, 0)))
    assert out.size == logic.grid_size(2, 28, 2) and "converted RGB to grey" in note
    with pytest.raises(ConfigError, match="translates one way only"):
        logic.translate(gan, Image.new("L", (28, 28)), "b2a")
    with pytest.raises(ConfigError, match="use the Translate tab"):
        logic.generate(gan, 0, 4)


def test_no_weights_is_a_clear_message() -> None:
    empty = Models(include_published=False)
    assert empty.choices == []
    with pytest.raises(ConfigError, match="No model weights were found"):
        empty.get(None)


# ---- the page in a real browser -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(
            f"NO REAL-BROWSER TEST: {', '.join(missing)} missing; run .ci/install-browser "
            "(apt-get install chromium chromium-driver) to test the demo page in a browser"
        )
    pytest.importorskip("selenium", reason="NO REAL-BROWSER TEST: pip install selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager go online
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1200,900",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("gradio", reason="the demo needs gradio: pip install 'ganzoo[demo]'")
    from ganzoo.demo import launch

    run = tmp_path_factory.mktemp("runs") / "pix2pix"
    train("pix2pix", run, steps=2)  # a local translator run, offered after the published ones
    port = _free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")  # the page must need nothing from the network
        app = launch([str(run)], block=False, port=port)
        yield f"http://127.0.0.1:{port}/"
        app.close()


def _wait(condition, timeout: float = 120.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _choose(driver, elem_id: str, option: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, f"#{elem_id} input")
    box.click()
    css = f'li[role="option"][aria-label="{option}"]'
    item = _wait(lambda: driver.find_elements(By.CSS_SELECTOR, css), what=f"option {option}")
    item[0].click()
    _wait(lambda: box.get_attribute("value") == option, what=f"{option} chosen")


def _shown_image(driver, elem_id: str, previous: str | None = None) -> tuple[str, tuple[int, int]]:
    """The src of the image now shown in ``#elem_id`` (waiting for a new one) and its
    natural size as the browser decoded it."""
    from selenium.webdriver.common.by import By

    def ready():
        imgs = driver.find_elements(By.CSS_SELECTOR, f"#{elem_id} img")
        if not imgs:
            return None
        src = imgs[0].get_attribute("src")
        size = driver.execute_script(
            "const i = arguments[0]; return i.complete ? [i.naturalWidth, i.naturalHeight] : null;",
            imgs[0],
        )
        return (src, tuple(size)) if src and src != previous and size and size[0] else None

    return _wait(ready, what=f"an image in #{elem_id}")


def _pixels(url: str) -> np.ndarray:
    with urllib.request.urlopen(url) as response:
        return np.asarray(Image.open(io.BytesIO(response.read())).convert("L"), dtype=int)


def test_the_page_in_a_real_browser(browser, page: str, tmp_path: Path) -> None:
    """Choose a tag, generate, check the image's size; another seed, other pixels.
    GANZOO_UPDATE_SCREENSHOT=1 also writes docs/images/demo.png (the README's picture)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(page)
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#generate"), what="the page")
    _choose(browser, "model", "cgan.mnist")
    _wait(
        lambda: "conditional on 10 classes" in browser.find_element(By.ID, "info").text,
        what="the model's description",
    )
    _choose(browser, "model", "dcgan.mnist")
    _wait(lambda: "dcgan.mnist" in browser.find_element(By.ID, "info").text, what="dcgan info")
    seed = browser.find_element(By.CSS_SELECTOR, "#seed input")
    seed.send_keys(Keys.CONTROL, "a")
    seed.send_keys("1", Keys.TAB)
    browser.find_element(By.ID, "generate").click()
    first, size = _shown_image(browser, "samples")
    assert size == logic.grid_size(16, 28, 8)  # 16 samples (the default count), 8 per row
    shot = tmp_path / "demo.png"
    browser.save_screenshot(str(shot))
    assert Image.open(shot).size[0] >= 1000
    if os.environ.get("GANZOO_UPDATE_SCREENSHOT") == "1":
        (DOCS_IMAGES / "demo.png").write_bytes(shot.read_bytes())

    seed.send_keys(Keys.CONTROL, "a")
    seed.send_keys("2", Keys.TAB)
    browser.find_element(By.ID, "generate").click()
    second, size2 = _shown_image(browser, "samples", previous=first)
    assert size2 == size
    a, b = _pixels(first), _pixels(second)
    assert a.shape == b.shape == (size[1], size[0])
    assert np.abs(a - b).mean() > 5  # another seed, other digits
    assert "seed 2" in browser.find_element(By.ID, "status").text


def _open_tab(driver, title: str) -> None:
    from selenium.webdriver.common.by import By

    tabs = [b for b in driver.find_elements(By.CSS_SELECTOR, "button[role=tab]") if b.text == title]
    tabs[0].click()


def test_latent_walk_and_translation_in_the_browser(browser, page: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(page)
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#generate"), what="the page")
    _open_tab(browser, "Latent walk")
    _wait(lambda: browser.find_elements(By.ID, "walk"), what="the walk button")[0].click()
    _, size = _shown_image(browser, "strip")
    assert size == logic.grid_size(8, 28, 8)  # 8 steps (the default) in one row
    gif_src, gif_size = _shown_image(browser, "gif")
    assert gif_size == (112, 112)
    with urllib.request.urlopen(gif_src) as response:
        assert Image.open(io.BytesIO(response.read())).n_frames == 8 + 6

    _open_tab(browser, "Translate")
    picture = tmp_path / "upload.png"
    Image.new("RGB", (50, 40), (200, 30, 30)).save(picture)
    upload = _wait(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#upload input[type=file]"),
        what="the upload field",
    )
    upload[0].send_keys(str(picture))
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#upload img"), what="the upload shown")
    browser.find_element(By.ID, "translate").click()
    _, size = _shown_image(browser, "translated")
    offered = Models()
    first = offered.translator_choices()[0]  # the page's default: the first published translator
    side = offered.get(first).image_shape[-1]
    assert size == logic.grid_size(2, side, 2)  # the upload beside its translation
    _wait(
        lambda: "converted RGB to grey" in browser.find_element(By.ID, "status").text,
        what="the conversion note",
    )


def test_the_page_says_so_when_there_are_no_weights(browser) -> None:
    pytest.importorskip("gradio")
    from selenium.webdriver.common.by import By

    from ganzoo.demo import launch

    port = _free_port()
    app = launch(block=False, port=port, include_published=False)
    try:
        browser.get(f"http://127.0.0.1:{port}/")
        text = _wait(lambda: browser.find_elements(By.ID, "no-weights"), what="the message")
        assert "No model weights were found" in text[0].text
        _wait(lambda: browser.find_elements(By.ID, "generate"), what="the button")[0].click()
        _wait(
            lambda: "No model weights were found" in browser.find_element(By.ID, "status").text,
            what="the error line",
        )
    finally:
        app.close()


def test_the_command_refuses_a_missing_run_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("gradio")
    from ganzoo.cli import main

    assert main(["demo", str(tmp_path / "no-such-run"), "--port", str(_free_port())]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'no-such-run'} does not exist.")
