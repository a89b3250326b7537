"""Milliseconds per redraw of each explorer on the CPU, driven as a user would (a slider moved step by step).

The issue's target: masks and attention redraw within 100 ms; decoding a prediction may take longer (the explorer
says it is working). Medians over the moves, after the first draw. Run: `python benchmarks/widgets.py [--threads 2]`.
"""
import argparse, sys
from pathlib import Path
import matplotlib
matplotlib.use('Agg')
import numpy as np
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz import hub
from ijepa_viz.widgets import MaskExplorer, AttentionExplorer, PredictionExplorer


def drive(ex, control, values) -> np.ndarray:
    "Redraw times (ms) of `ex` while `control` takes each of `values`."
    n = len(ex.times)
    for v in values: control.value = v
    return np.asarray(ex.times[n:])


def report(name, t):
    print(f'{name:58s} median {np.median(t):6.0f} ms   max {t.max():6.0f} ms   ({len(t)} redraws)')


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: leave the default)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads')
    mx = MaskExplorer()
    report('masks: seed slider (224 px photo, 14x14)', drive(mx, mx.seed, range(1, 21)))
    mx.coverage.value = True
    report('masks + cached coverage: seed slider', drive(mx, mx.seed, range(21, 31)))
    report('masks + new coverage (256 draws): targets slider', drive(mx, mx.num_targets, [3, 2, 1, 4]))
    model = hub.load('shapes-vit-tiny')
    ax = AttentionExplorer(model)
    report('attention: query column (target encoder)', drive(ax, ax.col, list(range(8)) * 2))
    report('attention: layer', drive(ax, ax.layer, [0, 1, 2, 3] * 2))
    ax.network.value = 'predictor'
    report('attention: query column (predictor)', drive(ax, ax.col, list(range(8)) * 2))
    px = PredictionExplorer(model, seeds=3, steps=20)
    if px.decoder is None: print('no bundled decoder: the prediction explorer runs without decoding')
    report('predictions, decoding on (3 seeds + target, 20 DDIM steps): mask seed', drive(px, px.seed, range(2, 7)))
    px.decode.value = False
    report('predictions, decoding off: mask seed', drive(px, px.seed, range(7, 17)))
