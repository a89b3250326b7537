"""The committed results of the real-photos chapter (nbs/16_photos.ipynb) from a photo model's training run:
probes along the run (each kept checkpoint: linear and 20-NN top-1 on seeded subsets of Imagenette train / val, the
trained target encoder), the loss curve, and a t-SNE map of the final model's val embeddings (points and labels only,
no images). Reads ../shared/data; run on an idle machine after the training:

    .venv/bin/python tools/photos.py --run runs/imagenette_vit_tiny --data ../shared/data/imagenette --out nbs/photos.json
"""
import argparse, csv, json, re, sys, time
from pathlib import Path
import numpy as np, torch
from ijepa_viz import hub
from ijepa_viz.eval import eval_splits, extract_features, linear_probe, knn_probe, untrained_encoder
from ijepa_viz.jepa import encoder_arch

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--run', required=True); ap.add_argument('--data', required=True); ap.add_argument('--out', required=True)
    ap.add_argument('--n-train', type=int, default=3000); ap.add_argument('--n-test', type=int, default=1000)
    ap.add_argument('--tsne', type=int, default=3925, help='val images in the map (default: all)')
    a = ap.parse_args(argv)
    run = Path(a.run)
    res = json.loads(Path(a.out).read_text()) if Path(a.out).exists() else {}
    res.update(command='python tools/photos.py ' + ' '.join(sys.argv[1:]), n_train=a.n_train, n_test=a.n_test, torch=torch.__version__)
    with open(run / 'jepa_r0.csv') as f: rows = list(csv.DictReader(f))
    res['loss'] = [[int(r['step']), float(r['loss'])] for r in rows[::10]]
    res['health'] = [dict(step=int(r['step']), rankme=float(r['rankme']), cos_sim=float(r['cos_sim'])) for r in rows if r.get('rankme')]
    ckpts = sorted(run.glob('jepa-ep*.pth.tar'), key=lambda p: int(re.search(r'ep(\d+)', p.name).group(1)))
    points = {p['epoch']: p for p in res.get('along', [])}
    model = None
    for ck in ckpts:
        ep = int(re.search(r'ep(\d+)', ck.name).group(1))
        if ep in points: continue
        model = hub.load(ck)
        enc = model.target_encoder
        encs = [enc] + ([untrained_encoder(encoder_arch(enc), 0)] if 0 not in points else [])
        tr, te = eval_splits(a.data, enc.img_size[0], a.n_train, a.n_test)
        (fa, ya), (fb, yb) = (extract_features(encs, ds, 256, prep=model.from_imagenet) for ds in (tr, te))
        step = int(hub.read_checkpoint(ck, mmap=True).get('step', 0))
        points[ep] = dict(epoch=ep, step=step, linear=linear_probe(fa[0], ya['label'], fb[0], yb['label']),
                          knn=knn_probe(fa[0], ya['label'], fb[0], yb['label'], 20))
        if len(encs) > 1:
            points[0] = dict(epoch=0, step=0, linear=linear_probe(fa[1], ya['label'], fb[1], yb['label']),
                             knn=knn_probe(fa[1], ya['label'], fb[1], yb['label'], 20))
        print(f"epoch {ep}: {points[ep]}", flush=True)
        res['along'] = [points[k] for k in sorted(points)]
        Path(a.out).write_text(json.dumps(res, indent=1))
    if ckpts and a.tsne:
        from sklearn.manifold import TSNE
        model = hub.load(ckpts[-1]); enc = model.target_encoder
        _, te = eval_splits(a.data, enc.img_size[0], 1, a.tsne)
        f, y = extract_features(enc, te, 256, prep=model.from_imagenet)
        t0 = time.time()
        xy = TSNE(2, init='pca', random_state=0, perplexity=30).fit_transform((f - f.mean(0)) / (f.std(0) + 1e-6))
        res['tsne'] = dict(epoch=int(re.search(r'ep(\d+)', ckpts[-1].name).group(1)), xy=np.round(xy, 2).tolist(),
                           label=y['label'].tolist(), names=list(te.names), seconds=round(time.time() - t0, 1),
                           how='t-SNE (scikit-learn, perplexity 30, PCA init, seed 0) of the standardised average-pooled target-encoder features')
        Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == '__main__': main()
