"""Every explorer, and the `ijepa-viz demo` report, on models loaded from a Hugging Face transformers folder, a timm
state dict and an official checkpoint: small random models built here with those libraries, nothing downloaded.
No browser (tests/test_app.py drives the app in one)."""
import subprocess, sys
from pathlib import Path
import numpy as np
import pytest
import torch
from PIL import Image

transformers = pytest.importorskip('transformers')
import timm
from safetensors.torch import save_file
from ijepa_viz import hub
from ijepa_viz.jepa import IJEPA
from ijepa_viz.widgets import MaskExplorer, AttentionExplorer, PredictionExplorer, network_note

BIN = Path(sys.executable).parent
SIZE, PATCH = 64, 8            # an 8x8 patch grid: the multi-block masks fit (a 4x4 grid is too small for them)


@pytest.fixture(scope='module')
def sources(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp('sources')
    torch.manual_seed(0)
    cfg = transformers.IJepaConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256,
                                   image_size=SIZE, patch_size=PATCH, layer_norm_eps=1e-6)
    transformers.IJepaModel(cfg).save_pretrained(d / 'hf')
    vt = timm.models.vision_transformer.VisionTransformer(img_size=SIZE, patch_size=PATCH, embed_dim=64, depth=2, num_heads=4,
                                                          class_token=False, global_pool='avg', fc_norm=False, num_classes=0)
    save_file({k: v.contiguous() for k, v in vt.state_dict().items()}, str(d / 'vit.safetensors'))
    official = IJEPA.build('vit_tiny', SIZE, PATCH, pred_depth=1, pred_emb_dim=48, depth=2)
    hub.save_official(official, d / 'official.pth.tar')
    return {'hf': d / 'hf', 'timm': d / 'vit.safetensors', 'official': d / 'official.pth.tar'}


def _load(src: Path):
    return hub.load(src, num_heads=4) if src.suffix == '.safetensors' else hub.load(src)


@pytest.fixture(scope='module')
def models(sources) -> dict:
    return {k: _load(v) for k, v in sources.items()}


@pytest.mark.parametrize('kind', ['hf', 'timm'])
def test_encoder_only_sources_say_so(models, kind):
    m = models[kind]
    assert m.meta['source'] == kind and m.meta['has'] == ['encoder'], m.meta
    assert 'same weights' in network_note(m)


@pytest.mark.parametrize('kind', ['hf', 'timm', 'official'])
def test_mask_and_attention_explorers_draw(models, kind):
    m = models[kind]
    mx = MaskExplorer(model=m, image='photo: coffee')
    assert mx.message is None and mx.png and (mx.size, mx.grid.value) == (SIZE, SIZE // PATCH)
    png0 = mx.png
    mx.seed.value = 7
    assert mx.png != png0 and mx.renders == 2
    ax = AttentionExplorer(m, image='photo: astronaut')
    assert ax.message is None and ax.png and ax.renders == 1


@pytest.mark.parametrize('kind', ['hf', 'timm'])
def test_prediction_explorer_refuses_an_untrained_predictor(models, kind):
    px = PredictionExplorer(models[kind])
    assert px.png is None and 'untrained' in px.message and px.out.outputs   # a message in the output, no exception


def test_prediction_explorer_with_a_trained_predictor_and_no_decoder(models):
    m = models['official']
    assert m.meta['source'] == 'official' and set(m.meta['has']) == {'encoder', 'predictor', 'target_encoder'}
    px = PredictionExplorer(m, image='photo: chelsea')
    assert px.message is None and px.png and px.decoder is None and 'no decoder' in px.status.value
    e0 = px.error
    px.seed.value = 4
    assert px.png and px.error != e0


def test_explorers_feed_the_model_its_own_normalisation(sources):
    half = dict(mean=(0.5,) * 3, std=(0.5,) * 3)                     # as the hub's transformers folders say
    m = hub.load(sources['official'], **half)
    assert (m.mean, m.std) == (half['mean'], half['std'])
    px = PredictionExplorer(m, image='photo: coffee')
    img = px.img.astype(np.float32) / 255
    want = (torch.from_numpy(img).permute(2, 0, 1) - 0.5) / 0.5
    torch.testing.assert_close(px.model_input()[0], want)
    f = px.features(*px.masks())['all']
    with torch.no_grad():
        own = m.target_encoder(want[None])[0]
        imagenet = m.target_encoder(hub.load('shapes-vit-tiny').preprocess(px.img)[None])[0]
    ln = lambda h: torch.nn.functional.layer_norm(h, h.shape[-1:])
    torch.testing.assert_close(f, ln(own), atol=1e-5, rtol=1e-5)
    assert (f - ln(imagenet)).abs().max() > 1e-2                       # ImageNet's statistics would give other features


def test_convert_command_writes_what_hub_loads(sources, models, tmp_path):
    import subprocess, sys
    from pathlib import Path
    dst = tmp_path / 'vit.safetensors'
    r = subprocess.run([str(Path(sys.executable).with_name('ijepa-viz')), 'convert', str(sources['hf']), str(dst), '--to', 'timm',
                        '--net', 'context_encoder'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    # one line: where, which format, what it holds and what was left out and why
    assert r.stdout.strip() == f'wrote {dst} (timm): it holds the context encoder; left out: the predictor (the source has no trained one)', r.stdout
    back = hub.load(dst, num_heads=4)
    for k, v in models['hf'].context_encoder.state_dict().items():
        torch.testing.assert_close(back.context_encoder.state_dict()[k], v)


def test_demo_report_for_a_transformers_folder_on_my_photos(sources, tmp_path):
    from ijepa_viz.data import photo
    photos = tmp_path / 'photos'; photos.mkdir()
    for name in ('astronaut', 'chelsea', 'coffee'):
        Image.fromarray(photo(name, 96)).save(photos / f'my-{name}.png')
    out = tmp_path / 'report'
    r = subprocess.run([str(BIN / 'ijepa-viz'), 'demo', '--ckpt', str(sources['hf']), '--images', str(photos), '--out', str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    page = (out / 'index.html').read_text()
    for name in ('astronaut', 'chelsea', 'coffee'): assert f'my-{name}.png' in page
    assert "Skipped:</b> this model's predictor is untrained" in page
    assert 'hf (' in page and 'same weights' in page
    # masks + quirks + one attention figure per photo; no prediction figures
    assert page.count('data:image/png;base64,') == 2 + 3
    assert 'http' not in page.replace('http-equiv', '')
