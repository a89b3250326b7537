"""The Voila app (app/explorer.ipynb) in a real browser: Voila serves it, the system Chromium (driven by Playwright)
renders the three explorers, and moving a slider with the keyboard redraws the explorer's picture. The window is
1400 px wide, where each picture must follow the page: >= 600 px wide, its text >= 11 px, decoded panels >= 150 px.
Voila runs with the app's own template (app/share/jupyter/voila/templates/ijepa), and no request may leave the machine.

Screenshots go to tests/artifacts/ (git-ignored). Needs /usr/bin/chromium (`make test` installs it with apt-get);
never `playwright install`, which downloads a browser."""
import base64, io, os, re, socket, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / 'app' / 'explorer.ipynb'
CHROMIUM = Path('/usr/bin/chromium')
SHOTS = ROOT / 'tests' / 'artifacts'
ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
MASK, ATTN = '.ijepa-explorer.MaskExplorer', '.ijepa-explorer.AttentionExplorer'   # classes set by Explorer._panel
PRED = '.ijepa-explorer.PredictionExplorer'
WINDOW = 1400


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(f'{CHROMIUM} is missing: the app test drives the system Chromium. Install it with '
                    '`apt-get install -y chromium` (Debian/Ubuntu; `make test` does this for you), '
                    'not with `playwright install`.')
    return CHROMIUM


@pytest.fixture(scope='module')
def voila(tmp_path_factory):
    "URL of a Voila server on a free local port serving the app; stopped at the end of the module."
    port, log_path = _free_port(), tmp_path_factory.mktemp('voila') / 'voila.log'
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', JUPYTER_PATH=str(ROOT / 'app' / 'share' / 'jupyter'))
    with open(log_path, 'w') as log:
        proc = subprocess.Popen([sys.executable, '-m', 'voila', '--no-browser', f'--port={port}', '--Voila.ip=127.0.0.1',
                                 '--template=ijepa', str(APP)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None: pytest.fail(f'voila exited with {proc.returncode}:\n{log_path.read_text()}')
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
            except OSError:
                if time.monotonic() > deadline: pytest.fail(f'voila did not open port {port} in 60 s:\n{log_path.read_text()}')
                time.sleep(0.2)
        yield f'http://127.0.0.1:{port}/', log_path
    finally:
        proc.terminate()
        try: proc.wait(15)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait()


@pytest.fixture(scope='module')
def page(chromium, voila):
    "The app, loaded in headless Chromium, with both explorers' first pictures on screen."
    from playwright.sync_api import sync_playwright
    url, log_path = voila
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
        try:
            pg = browser.new_page(viewport={'width': WINDOW, 'height': 900})
            errors, requests = [], []
            pg.on('pageerror', lambda e: errors.append(str(e)))
            pg.on('request', lambda r: requests.append(r.url))
            pg.goto(url, timeout=120_000)   # Voila executes the notebook before it answers
            try:
                for ex in (MASK, PRED, ATTN): pg.wait_for_selector(f'{ex} .widget-output img', timeout=120_000)
            except Exception:
                pg.screenshot(path=str(SHOTS / 'app_failed.png'), full_page=True)
                raise AssertionError(f'explorers did not render; page errors {errors}; voila log:\n{log_path.read_text()}')
            pg.screenshot(path=str(SHOTS / 'app.png'), full_page=True)
            pg.errors, pg.requests = errors, requests
            yield pg
        finally:
            browser.close()


def _src(page, explorer: str) -> str:
    return page.locator(f'{explorer} .widget-output img').first.get_attribute('src')


def _picture(src: str) -> np.ndarray:
    "The RGB pixels of a data:image/png;base64 src, checked to be a real, non-blank picture."
    from PIL import Image
    head = 'data:image/png;base64,'
    assert src.startswith(head), src[:80]
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(src[len(head):]))).convert('RGB'))
    assert img.shape[0] > 150 and img.shape[1] > 150, img.shape
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50, 'the picture is (nearly) blank'
    return img


def _slider(page, explorer: str, label: str):
    "The ipywidgets slider of `explorer` whose description is exactly `label`."
    box = page.locator(f'{explorer} .widget-slider').filter(
        has=page.locator('.widget-label', has_text=re.compile(rf'^{re.escape(label)}$')))
    assert box.count() == 1, f'{box.count()} sliders labelled {label!r} in {explorer}'
    return box


def _press(page, explorer: str, label: str, key: str, timeout: int = 30_000) -> tuple[str, str, str]:
    "Focus a slider's handle, press `key`; wait for the redraw. (readout before, readout after, new src)"
    box, old = _slider(page, explorer, label), _src(page, explorer)
    before = box.locator('.widget-readout').inner_text()
    box.locator('.noUi-handle').focus()
    page.keyboard.press(key)
    page.wait_for_function('([sel, old]) => { const i = document.querySelector(sel); return i && i.src !== old; }',
                           arg=[f'{explorer} .widget-output img', old], timeout=timeout)
    return before, box.locator('.widget-readout').inner_text(), _src(page, explorer)


def test_app_lays_out_controls_beside_pictures(page):
    "Each explorer shows its controls at full width with the picture to their right (not squeezed away or overlapping)."
    for ex in (MASK, PRED, ATTN):
        controls = page.locator(f'{ex} > .widget-vbox').first.bounding_box()
        img = page.locator(f'{ex} .widget-output img').first.bounding_box()
        first = page.locator(f'{ex} .widget-dropdown').first.bounding_box()
        assert controls['width'] >= first['width'] >= 250, (ex, controls, first)
        assert img['x'] >= controls['x'] + controls['width'] - 1, (ex, controls, img)
        assert img['width'] >= 200 and img['x'] + img['width'] <= WINDOW, (ex, img)
    assert page.evaluate('document.documentElement.scrollWidth') <= WINDOW   # no sideways scrolling


def _figures(model: str, image: str = 'photo: astronaut') -> dict:
    "The figures the app draws for `model` and `image`, drawn here by the same code (the kernel's are out of reach)."
    from ijepa_viz import hub
    from ijepa_viz.widgets import MaskExplorer, PredictionExplorer, AttentionExplorer
    m = hub.load(model).eval()
    exs = {MASK: MaskExplorer(image=image, model=m), PRED: PredictionExplorer(m, image=image), ATTN: AttentionExplorer(m, image=image)}
    return {k: ex.draw()[0] for k, ex in exs.items()}


def _check_sizes(page, model: str):
    "Each picture >= 600 px wide on screen, its smallest text >= 11 px there, the prediction explorer's panels >= 150 px."
    from ijepa_viz.demo import text_sizes
    for ex, fig in _figures(model).items():
        shown = page.locator(f'{ex} .widget-output img').first.bounding_box()['width']
        assert shown >= 600, (ex, shown)
        px_per_inch = shown / fig.get_figwidth()
        fig.canvas.draw(); sizes = text_sizes(fig)
        assert sizes and min(sizes) * px_per_inch / 72 >= 11, (ex, min(sizes), px_per_inch)
        if ex == PRED:
            panel = min(a.get_position().width for a in fig.axes) * shown
            assert panel >= 150, panel


def test_app_pictures_follow_the_page_width(page):
    _check_sizes(page, 'imagenette-vit-tiny')


def test_app_mask_explorer_redraws_when_the_seed_moves(page):
    old = _picture(_src(page, MASK))
    assert 'multiblock on 14x14' in page.locator(MASK).inner_text()
    before, after, src = _press(page, MASK, 'seed', 'ArrowRight')
    assert (before, after) == ('0', '1')
    new = _picture(src)
    assert new.shape == old.shape and (new != old).any(axis=-1).mean() > 0.01   # other blocks, not one stray pixel
    page.locator(MASK).screenshot(path=str(SHOTS / 'mask_explorer_seed1.png'))
    assert not page.errors, page.errors


def test_app_attention_explorer_redraws_when_the_layer_moves(page):
    old = _picture(_src(page, ATTN))
    assert 'target encoder query' in page.locator(ATTN).inner_text()
    before, after, src = _press(page, ATTN, 'layer', 'ArrowLeft')
    assert int(after) == int(before) - 1 >= 0
    new = _picture(src)
    assert new.shape == old.shape and (new != old).any(axis=-1).mean() > 0.01
    assert f'block {after}' in page.locator(ATTN).inner_text()
    page.locator(ATTN).screenshot(path=str(SHOTS / 'attention_explorer_layer.png'))
    page.screenshot(path=str(SHOTS / 'app_after.png'), full_page=True)
    assert not page.errors, page.errors


def _pick_model(page, name: str, timeout: int = 180_000):
    "Choose `name` in the app's model picker and wait until every explorer shows a new picture."
    old = [_src(page, ex) for ex in (MASK, PRED, ATTN)]
    page.locator('.ijepa-app select').first.select_option(name)
    for ex, o in zip((MASK, PRED, ATTN), old):
        page.wait_for_function('([sel, old]) => { const i = document.querySelector(sel); return i && i.src !== old; }',
                               arg=[f'{ex} .widget-output img', o], timeout=timeout)


def test_app_prediction_explorer_decodes_a_new_block_when_the_mask_seed_moves(page):
    _pick_model(page, 'shapes-vit-tiny')                 # a second model (with a bundled decoder): all three explorers redrawn
    _check_sizes(page, 'shapes-vit-tiny')
    old = _picture(_src(page, PRED))
    text = page.locator(PRED).inner_text()
    assert 'prediction error' in text and 'decoding off' not in text, text     # the bundled decoder was found
    before, after, src = _press(page, PRED, 'mask seed', 'ArrowRight', timeout=120_000)   # decoding: seconds on a CPU
    assert int(after) == int(before) + 1
    new = _picture(src)
    assert new.shape == old.shape and (new != old).any(axis=-1).mean() > 0.01
    page.locator(PRED).screenshot(path=str(SHOTS / 'prediction_explorer_seed.png'))
    assert not page.errors, page.errors


def _upload(page, path):
    "Click the app's upload button and give the file chooser `path` (ipywidgets keeps its file input out of the page)."
    with page.expect_file_chooser() as chooser:
        page.locator('.ijepa-app .widget-upload').first.click()
    chooser.value.set_files(str(path))


def test_app_takes_an_uploaded_photo_and_refuses_a_file_that_is_not_one(page, tmp_path):
    from PIL import Image
    from ijepa_viz.data import photo
    png = tmp_path / 'mine.png'; Image.fromarray(photo('rocket', 120)).save(png)
    old = [_src(page, ex) for ex in (MASK, PRED, ATTN)]
    _upload(page, png)
    for ex, o in zip((MASK, PRED, ATTN), old):
        page.wait_for_function('([sel, old]) => { const i = document.querySelector(sel); return i && i.src !== old; }',
                               arg=[f'{ex} .widget-output img', o], timeout=180_000)
        assert 'your image' in page.locator(f'{ex} select').first.input_value()
        _picture(_src(page, ex))
    page.screenshot(path=str(SHOTS / 'app_upload.png'), full_page=True)
    bad = tmp_path / 'notes.png'; bad.write_text('not a picture')
    now = [_src(page, ex) for ex in (MASK, PRED, ATTN)]
    _upload(page, bad)
    page.wait_for_selector('.ijepa-app >> text=not an image this app can read', timeout=60_000)
    assert [_src(page, ex) for ex in (MASK, PRED, ATTN)] == now            # the explorers stayed as they were
    assert not page.errors, page.errors


def test_app_asked_nothing_of_another_host(page):
    "Every request of the whole session (page, widgets, pictures) went to the local Voila server."
    here = page.url.split('/')[2]
    away = sorted({u.split('/')[2] for u in page.requests if u.split(':')[0] in ('http', 'https', 'ws', 'wss')} - {here})
    assert not away, away
