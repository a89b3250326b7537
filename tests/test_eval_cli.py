"`ijepa-eval` from the command line (run in this process: `conftest.run_in_process`): a table, JSON, and clear errors."
import json
from conftest import run_in_process
from ijepa_viz.cli import ijepa_eval


def run(*args):
    return run_in_process(ijepa_eval, 'ijepa-eval', args)


def test_eval_prints_table_and_writes_json(tmp_path):
    out = tmp_path / 'r.json'
    r = run('--ckpt', 'shapes-vit-tiny', '--task', 'count', 'color', '--n-train', '400', '--n-test', '200', '--json', str(out))
    assert r.returncode == 0, r.stderr
    assert 'count' in r.stdout and 'margin' in r.stdout
    res = json.loads(out.read_text())
    assert res['method'] == 'linear' and set(res['results']) == {'count', 'color'}
    assert all(0 <= v <= 1 for t in res['results'].values() for v in t.values())


def test_eval_other_probes_and_layers_run():
    for method, says in (('knn', 'k-NN'), ('fewshot', '5-shot'), ('torch', 'linear head (torch)')):
        r = run('--ckpt', 'shapes-vit-tiny', '--task', 'position', '--n-train', '300', '--n-test', '150', '--method', method)
        assert r.returncode == 0, r.stderr
        assert says in r.stdout
    r = run('--ckpt', 'shapes-vit-tiny', '--task', 'count', '--n-train', '300', '--n-test', '150', '--layers', '-2', '-1')
    assert r.returncode == 0, r.stderr


def test_eval_errors_are_clear(tmp_path):
    r = run('--ckpt', 'shapes-vit-tiny', '--task', 'colour')
    assert r.returncode == 2 and "unknown task(s) ['colour']" in r.stderr
    r = run('--ckpt', str(tmp_path / 'missing'))
    assert r.returncode == 2 and 'missing' in r.stderr and 'is neither a file, a folder nor one of the bundled names' in r.stderr


def test_eval_card_stores_the_results_in_the_bundle_card(tmp_path):
    import shutil
    from ijepa_viz.hub import CKPT_DIR
    for ext in ('safetensors', 'json'): shutil.copy(CKPT_DIR / f'shapes-vit-tiny.{ext}', tmp_path / f'm.{ext}')
    before = json.loads((tmp_path / 'm.json').read_text())
    r = run('--ckpt', str(tmp_path / 'm.safetensors'), '--task', 'count', '--n-train', '300', '--n-test', '150', '--card')
    assert r.returncode == 0, r.stderr
    card = json.loads((tmp_path / 'm.json').read_text())
    assert {k: v for k, v in card.items() if k != 'metrics'} == {k: v for k, v in before.items() if k != 'metrics'}
    m = card['metrics']
    assert set(m['results']) == {'count'} and m['n_train'] == 300 and m['command'].startswith('ijepa-eval --ckpt ')
    assert 'seeds 10000/20000' in m['protocol']
    from ijepa_viz import hub
    hub.save_official(hub.load(tmp_path / 'm.safetensors'), tmp_path / 'x.pth.tar')     # an official checkpoint: no card
    r = run('--ckpt', str(tmp_path / 'x.pth.tar'), '--card')
    assert r.returncode == 2 and '--card needs a bundle' in r.stderr


def test_eval_on_a_folder_of_photos_and_on_a_cifar_root(tmp_path):
    import pickle
    import numpy as np
    from PIL import Image
    from ijepa_viz.data import photo
    root = tmp_path / 'photos'
    for split, n in (('train', 6), ('val', 3)):
        for c, name in enumerate(('chelsea', 'coffee')):
            (root / split / f'c{c}').mkdir(parents=True)
            for i in range(n): Image.fromarray(photo(name, 48 + 8 * i)).save(root / split / f'c{c}' / f'{i}.jpg')
    out = tmp_path / 'r.json'
    r = run('--ckpt', 'shapes-vit-tiny', '--data', str(root), '--method', 'knn', '--json', str(out))
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    assert res['n_train'] == 'all' and set(res['results']) == {'label'} and 'train and val' in res['protocol']
    assert res['results']['label']['ijepa'] > 0.5                      # a cat and a cup, told apart by their neighbours
    cifar = tmp_path / 'cifar' / 'cifar-10-batches-py'; cifar.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, n in (('data_batch_1', 20), ('test_batch', 10)):
        with open(cifar / name, 'wb') as f:
            pickle.dump({b'labels': [i % 2 for i in range(n)], b'data': rng.integers(0, 256, (n, 3072), dtype=np.uint8)}, f)
    r = run('--ckpt', 'shapes-vit-tiny', '--data', str(cifar.parent), '--n-train', '12')
    assert r.returncode == 0 and 'train 12, test all' in r.stdout, r.stderr
    r = run('--ckpt', 'shapes-vit-tiny', '--data', str(tmp_path / 'nowhere'))
    assert r.returncode == 2 and 'neither' in r.stderr, r.stderr
