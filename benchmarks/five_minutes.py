"""The five-minute recipe (configs/five_minutes.yaml, found by the sweep of nbs/14_recipe.ipynb), three seeds, from scratch.

Each seed trains the recipe on this machine's CPU with `--threads` threads, probing the target encoder before the first
step and at four points along the way (count), and at the end every Shapes label. Prints per seed: steps, training
seconds (time inside `Trainer.fit`), wall seconds (drawing the scenes, building the model, training and the probes), count
accuracy before and after, the margin and when it was first reached; then mean and spread over the seeds. The probe is
the card's protocol (`ijepa-eval`): logistic regression on the average-pooled target-encoder features, Shapes scenes
unseen in training; the baseline is the same encoder at step 0 (same architecture, same initialisation, untrained).
Run on an idle machine: `python benchmarks/five_minutes.py [--json nbs/five_minutes.json]`.
"""
import argparse, json, statistics, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz.recipe import CONFIG, BUDGET_S, MARGIN, watch, margins, time_to_margin
from ijepa_viz.train import load_config
from ijepa_viz.eval import TASKS
from ijepa_viz.hub import write_json

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seeds', type=int, nargs='*', default=[0, 1, 2])
    ap.add_argument('--threads', type=int, default=2, help='torch CPU threads (default 2: the laptop of the promise)')
    ap.add_argument('--n-train', type=int, default=5000); ap.add_argument('--n-test', type=int, default=2000)
    ap.add_argument('--json', help='also write the rows and the summary here')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    rows = []
    for seed in a.seeds:
        t0 = time.time()
        cfg = load_config(CONFIG, [('data', 'seed', seed), ('meta', 'seed', seed), ('logging', 'folder', f'/tmp/five_minutes_seed{seed}')])
        w = watch(cfg, probes=4, final_tasks=TASKS['shapes'], n_train=a.n_train, n_test=a.n_test, seed=seed, overwrite=True)
        pts, tr = w['points'], w['trainer']
        row = dict(seed=seed, steps=tr.step, train_seconds=round(tr.seconds, 1), wall_seconds=round(time.time() - t0, 1),
                   count_before=pts[0]['accuracy']['count'], count_after=pts[-1]['accuracy']['count'],
                   margin=margins(pts)[-1][2], time_to_margin=time_to_margin(pts),
                   after={t: pts[-1]['accuracy'][t] for t in TASKS['shapes']}, points=pts)
        rows.append(row)
        print(f"seed {seed}: {row['steps']} steps, {row['train_seconds']} s training ({row['wall_seconds']} s wall with data and "
              f"probes); count {row['count_before']:.3f} -> {row['count_after']:.3f}, margin {row['margin']:+.3f}, "
              f"reached {MARGIN:.2f} at {row['time_to_margin']} s", flush=True)
    ms = lambda k: (statistics.mean(r[k] for r in rows), statistics.stdev(r[k] for r in rows) if len(rows) > 1 else float('nan'))
    summary = {k: ms(k) for k in ('train_seconds', 'wall_seconds', 'count_before', 'count_after', 'margin')}
    summary['min_margin'] = min(r['margin'] for r in rows)
    summary['max_train_seconds'] = max(r['train_seconds'] for r in rows)
    reached = [r['time_to_margin'] for r in rows]
    print(f"\n{len(rows)} seeds, {a.threads} threads, probe on {a.n_train}/{a.n_test} unseen scenes:")
    print(f"  training {summary['train_seconds'][0]:.0f} ± {summary['train_seconds'][1]:.0f} s (max {summary['max_train_seconds']:.0f}; "
          f"budget {BUDGET_S:.0f}); wall {summary['wall_seconds'][0]:.0f} ± {summary['wall_seconds'][1]:.0f} s")
    print(f"  count: untrained {summary['count_before'][0]:.3f} ± {summary['count_before'][1]:.3f}, trained "
          f"{summary['count_after'][0]:.3f} ± {summary['count_after'][1]:.3f}; margin {summary['margin'][0]:+.3f} ± "
          f"{summary['margin'][1]:.3f} (smallest {summary['min_margin']:+.3f}; goal {MARGIN:+.2f})")
    print(f"  margin {MARGIN:.2f} first reached at (s of training): {reached}")
    for t in TASKS['shapes']:
        print(f"  {t}: after {statistics.mean(r['after'][t] for r in rows):.3f}")
    if a.json:
        write_json(dict(command='python benchmarks/five_minutes.py ' + ' '.join(sys.argv[1:] if argv is None else argv),
                        config=CONFIG.name, threads=a.threads, n_train=a.n_train, n_test=a.n_test, torch=torch.__version__,
                        summary=summary, rows=rows), a.json)

if __name__ == '__main__': main()
