"""Probe the photo models on the real photographs of ../shared/data: the figures their cards quote.

For each model (default: every bundled model whose card names a photo set), the frozen target encoder's average-pooled
features of every training and every test image of its set, fed at the model's own size (the whole image, resized):
  linear  logistic regression on standardised features (scikit-learn, C=1), top-1 on the test split;
  20-NN   cosine similarity, distance-weighted vote of the 20 nearest training images, top-1 on the test split;
for the trained encoder and for the same architecture untrained (the official initialisation, seed 0). Imagenette: train
9,469 / val 3,925 at 224 px on disk; CIFAR-10: train 50,000 / test 10,000, JPEG copies (pixels differ slightly from the
pickled batches). Run on an idle machine:
  python benchmarks/real_photos.py [--ckpt NAME_OR_PATH --data ROOT] [--json FILE] [--card]
"""
import argparse, json, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz import hub
from ijepa_viz.eval import eval_splits, extract_features, linear_probe, knn_probe, untrained_encoder
from ijepa_viz.jepa import encoder_arch

SHARED = Path(__file__).resolve().parents[2] / 'shared' / 'data'

def probe_encoders(encoders: dict, data, size: int, prep=None, n_train=None, n_test=None, k=20, seed=0) -> dict:
    "Linear and k-NN top-1 of each encoder in `encoders` (name -> encoder, one pass over the images) on photo set `data`."
    t0 = time.time()
    train, test = eval_splits(str(data), size, n_train, n_test, seed)
    t_data = time.time() - t0
    (fa, ya), (fb, yb) = (extract_features(list(encoders.values()), ds, 256, prep=prep) for ds in (train, test))
    t_feat = time.time() - t0 - t_data
    out = {name: dict(linear=linear_probe(xa, ya['label'], xb, yb['label']), knn=knn_probe(xa, ya['label'], xb, yb['label'], k))
           for name, xa, xb in zip(encoders, fa, fb)}
    return dict(results=out, n_train=len(train), n_test=len(test), k=k, seed=seed, data=str(data), size=size,
                features=dict(zip(encoders, zip(fb, [yb['label']] * len(fb)))),
                seconds=dict(data=round(t_data, 1), features=round(t_feat, 1), probes=round(time.time() - t0 - t_data - t_feat, 1)),
                protocol=(f"frozen encoder, average-pooled patch features of the whole image resized to {size} px; "
                          f"linear: logistic regression on standardised features (scikit-learn, C=1); {k}-NN: cosine similarity, "
                          f"distance-weighted vote; top-1 on all {len(test)} test images"),
                torch=torch.__version__, threads=torch.get_num_threads())

def probe_model(model, data, n_train=None, n_test=None, k=20, seed=0) -> dict:
    "`probe_encoders` for a model's trained target encoder and the same architecture untrained ('random', seed 0)."
    enc = model.target_encoder.eval()
    r = probe_encoders({'trained': enc, 'random': untrained_encoder(encoder_arch(enc), seed)}, data, enc.img_size[0],
                       model.from_imagenet, n_train, n_test, k, seed)
    r.pop('features')
    r['protocol'] += f"; 'random': the same architecture untrained (official initialisation, seed {seed})"
    r['command'] = 'python benchmarks/real_photos.py ' + ' '.join(sys.argv[1:])
    return r

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ckpt', nargs='*', help='models (anything hub.load reads); default: the bundled photo models')
    ap.add_argument('--data', help='the photo set of --ckpt (default: the one its card names, under ../shared/data)')
    ap.add_argument('--n-train', type=int); ap.add_argument('--n-test', type=int)
    ap.add_argument('--json', help='write the figures here'); ap.add_argument('--card', action='store_true', help="store them in each bundle's card (metrics.photos)")
    a = ap.parse_args(argv)
    names = a.ckpt or [n for n in hub.bundled() if (hub.read_bundle(n)[1].get('photos') or {}).get('set')]
    rows = {}
    for name in names:
        model = hub.load(name)
        card = getattr(model, 'card', {}) or {}
        data = Path(a.data) if a.data else SHARED / card.get('photos', {}).get('set', '')
        if not data.is_dir(): print(f"{name}: skipped, no photo set at {data} (give --data)"); continue
        r = probe_model(model, data, a.n_train, a.n_test)
        rows[name] = r
        t, u = r['results']['trained'], r['results']['random']
        print(f"{name} on {data.name} (train {r['n_train']}, test {r['n_test']}): linear {100 * t['linear']:.1f} % "
              f"(random init {100 * u['linear']:.1f} %), {r['k']}-NN {100 * t['knn']:.1f} % (random init {100 * u['knn']:.1f} %); "
              f"{r['seconds']}")
        if a.card and hub.detect(name) == 'bundle':
            stem = hub.resolve(name); js = stem.with_suffix('.json')
            c = hub.read_json(js, dict)
            c.setdefault('photos', {}).update(probe=r)
            hub.write_json(c, js)
    if a.json: Path(a.json).write_text(json.dumps(rows, indent=1))

if __name__ == '__main__': main()
