"The bundled checkpoint loads, its card is complete, and its frozen features beat an untrained encoder's."
from pathlib import Path
from ijepa_viz import hub
import pytest
from ijepa_viz.eval import evaluate, eval_splits, extract_features, linear_probe, untrained_encoder, encoder_arch

NAME = 'shapes-vit-tiny'
# What it learnt in 6,144 CPU steps (24 epochs): object count, colour and position show with a probe fitted on 2,000
# scenes. The shape of the largest object needs more labelled scenes to read linearly off the pooled features: with
# 20,000 (seed 1) it is 0.283 against 0.229 untrained, with 2,000 the two differ by less than the noise.
TASKS = ('count', 'color', 'position')


def test_bundled_checkpoint_is_there_and_small():
    assert NAME in hub.bundled()
    assert (hub.CKPT_DIR / f'{NAME}.safetensors').stat().st_size < 12e6


def test_card_says_how_it_was_made():
    card = hub.load(NAME).card
    for key in ('command', 'config', 'steps', 'seed', 'train_seconds', 'final_loss', 'loss_curve', 'metrics'):
        assert key in card, key
    assert card['command'].startswith('ijepa-train --config configs/shapes_vit_tiny.yaml')
    curve = [l for _, l in card['loss_curve']]
    assert sum(curve[-10:]) < sum(curve[:10])                              # it trained


@pytest.fixture(scope='module')
def shapes_features():
    """`evaluate`'s features, extracted once for both probe tests: the bundled model's target encoder and its untrained
    architecture (seeded 1) on 20,000 training and 2,000 test scenes of seed 1 (not the card's). Scene i depends only on
    (i, seed), so the first 2,000 / 1,000 are the scenes `evaluate(..., n_train=2000, n_test=1000, seed=1)` draws."""
    model = hub.load(NAME); enc = model.target_encoder
    train, test = eval_splits('shapes', enc.img_size[0], 20_000, 2000, seed=1)
    encs = [enc, untrained_encoder(encoder_arch(enc), 1)]
    (fa, ya), (fb, yb) = (extract_features(encs, ds, 256, prep=model.from_imagenet) for ds in (train, test))
    return fa, ya, fb, yb


def accuracies(features, task, n_train, n_test):
    fa, ya, fb, yb = features
    return [linear_probe(a[:n_train], ya[task][:n_train], b[:n_test], yb[task][:n_test]) for a, b in zip(fa, fb)]


def test_probe_beats_random_init_by_a_clear_margin(shapes_features):
    for task in TASKS:
        ijepa, random = accuracies(shapes_features, task, 2000, 1000)
        assert ijepa - random >= MARGIN, (task, ijepa, random)


MARGIN = 0.05


def test_probe_reads_shape_better_than_random_init(shapes_features):
    # 2,000 test scenes: one accuracy's standard error is ~0.01, a difference's ~0.014; 0.03 is over two of those
    ijepa, random = accuracies(shapes_features, 'shape', 20_000, 2000)
    assert ijepa - random >= 0.03, (ijepa, random)


# The RCDM-style decoder bundled for it (chapter 08 measures what it decodes).
DECODER = 'shapes-vit-tiny-rcdm'


def test_bundled_decoder_loads_for_its_model_and_decodes_deterministically():
    import torch
    from ijepa_viz.data import Shapes
    from ijepa_viz.masks import make_sampler
    from ijepa_viz.rcdm import load_decoder, bundled_decoder, decode, mask_params
    assert DECODER in hub.bundled('rcdm') and DECODER not in hub.bundled()
    assert (hub.CKPT_DIR / f'{DECODER}.safetensors').stat().st_size < 5e6
    dec, model = load_decoder(DECODER), hub.load(NAME)
    card = dec.card
    for key in ('command', 'steps', 'train_seconds', 'final_loss', 'loss_curve', 'decoding_scores', 'model'):
        assert card.get(key) is not None, key
    assert card['model'] == NAME and card['command'].startswith('ijepa-rcdm train')
    curve = [l for _, l in card['loss_curve']]
    assert sum(curve[-10:]) < sum(curve[:10])                              # it trained
    assert card['model_fingerprint'] == hub.fingerprint(model)              # trained on these very weights' features
    assert bundled_decoder(model) is not None                              # found from the model's architecture and weights
    other = hub.load(NAME)
    with torch.no_grad(): other.target_encoder.norm.bias.add_(0.01)
    assert bundled_decoder(other) is None                                  # not offered for features it never saw
    size = model.target_encoder.img_size[0]
    ds = Shapes(2, size, seed=40_000)
    x = torch.stack([ds[i][0] for i in range(2)])
    m = make_sampler('multiblock', size // model.context_encoder.patch_size, seed=0, **mask_params(model))(2)
    a, b = (decode(dec, model, x, m, 0, seeds=(3,), steps=4) for _ in range(2))
    assert a.shape == (1, 2, 3, size, size) and torch.equal(a, b) and a.isfinite().all()


# The photo model: an I-JEPA trained on Imagenette (chapter 16 tells the run).
PHOTO = 'imagenette-vit-tiny'
IMAGENETTE = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'imagenette'   # the training machine's copy


def test_photo_model_is_bundled_small_and_its_card_holds_the_figures():
    assert PHOTO in hub.bundled() and hub.photo_model() == PHOTO
    assert (hub.CKPT_DIR / f'{PHOTO}.safetensors').stat().st_size <= 15e6
    card = hub.load(PHOTO).card
    for key in ('command', 'config', 'steps', 'train_seconds', 'train_cpu_seconds', 'torch', 'loss_curve', 'photos'):
        assert card.get(key) is not None, key
    assert card['command'].startswith('ijepa-train --config configs/imagenette_vit_tiny.yaml')
    probe = card['photos']['probe']
    assert probe['n_test'] == 3925 and probe['n_train'] == 9469
    for m in ('linear', 'knn'): assert 0.1 < probe['results']['trained'][m] <= 1 and 0.1 < probe['results']['random'][m] <= 1


def test_photo_model_features_beat_its_untrained_architecture_on_imagenette():
    import pytest
    if not (IMAGENETTE / 'val').is_dir(): pytest.skip('no Imagenette at ../shared/data/imagenette')
    res = evaluate(hub.load(PHOTO), str(IMAGENETTE), ('label',), n_train=2000, n_test=1000, seed=1)   # not the card's images
    assert res['label']['ijepa'] - res['label']['random'] >= 0.05, res



# Its RCDM decoder (chapter 08, "On photographs"): what the predictor predicts for a hidden block of a photo.
PHOTO_DECODER = f'{PHOTO}-rcdm'


def test_photo_decoder_is_found_for_the_photo_model_and_its_card_holds_the_scores():
    import torch
    from ijepa_viz.data import photo, to_tensor
    from ijepa_viz.masks import make_sampler
    from ijepa_viz.rcdm import load_decoder, bundled_decoder, decode, mask_params
    assert PHOTO_DECODER in hub.bundled('rcdm') and (hub.CKPT_DIR / f'{PHOTO_DECODER}.safetensors').stat().st_size <= 10e6
    dec, model = load_decoder(PHOTO_DECODER), hub.load(PHOTO)
    card = dec.card
    assert card['model'] == PHOTO and card['command'].startswith('ijepa-rcdm train') and card['train_seconds'] > 0
    assert card['model_fingerprint'] == hub.fingerprint(model) and bundled_decoder(model) is not None
    s = card['decoding_scores']                                            # photo_decoding_scores on Imagenette val
    assert s['n'] >= 200 and len(s['seeds']) == 2 and set(s['attributes']) == {'class'} and 'spread' in s
    size = model.target_encoder.img_size[0]
    x = torch.stack([to_tensor(photo(n, size)) for n in ('chelsea', 'rocket')])
    m = make_sampler('multiblock', size // model.context_encoder.patch_size, seed=0, **mask_params(model))(2)
    a, b = (decode(dec, model, x, m, 0, seeds=(3,), steps=4) for _ in range(2))
    assert a.shape == (1, 2, 3, size, size) and torch.equal(a, b) and a.isfinite().all()

# The CIFAR-10 model (chapter 16: beside the published I-JEPA ViT-Tiny/4 figure).
CIFAR = 'cifar10-vit-tiny'
CIFAR10 = IMAGENETTE.parent / 'cifar10'


def test_cifar_model_is_bundled_small_and_its_card_holds_the_figures():
    assert CIFAR in hub.bundled()
    assert (hub.CKPT_DIR / f'{CIFAR}.safetensors').stat().st_size <= 10e6
    model = hub.load(CIFAR)
    card = model.card
    for key in ('command', 'config', 'steps', 'train_seconds', 'train_cpu_seconds', 'torch', 'loss_curve', 'photos'):
        assert card.get(key) is not None, key
    assert card['command'].startswith('ijepa-train --config configs/cifar10_vit_tiny.yaml')
    assert model.img_size == (32, 32) and model.shares_encoder          # one encoder stored: the target encoder
    probe, stored = card['photos']['probe'], card['photos']['stored']
    assert probe['n_test'] == 10_000 and probe['n_train'] == 50_000 and probe['k'] == 20
    for m in ('linear', 'knn'): assert 0.1 < probe['results']['random'][m] < probe['results']['trained'][m] <= 1
    assert set(stored['prediction_loss']) == {'context encoder', 'target encoder as context'}


def test_cifar_model_features_beat_its_untrained_architecture_on_cifar10():
    import pytest
    if not (CIFAR10 / 'test').is_dir(): pytest.skip('no CIFAR-10 at ../shared/data/cifar10')
    res = evaluate(hub.load(CIFAR), str(CIFAR10), ('label',), n_train=2000, n_test=1000, seed=1)   # a subset, not the card's
    assert res['label']['ijepa'] - res['label']['random'] >= 0.03, res
