"""Train the five-minute recipe (configs/five_minutes.yaml, seed 0) as the lab's part 4 runs it (probes at step 0 and
each quarter, 5,000 / 2,000 unseen scenes) and bundle it as ckpts/shapes-five-minutes (float16) with its run record
(`recipe.run_record`): what the lab shows when a classroom machine cannot train in time (`recipe.Replay`).
Run on an idle machine:  OMP_NUM_THREADS=2 .venv/bin/python tools/five_minute_bundle.py
"""
import sys
from pathlib import Path
import torch
from ijepa_viz import recipe
from ijepa_viz.eval import TASKS
from ijepa_viz.train import load_config

ROOT = Path(__file__).resolve().parents[1]

if __name__ == '__main__':
    cfg = load_config(recipe.CONFIG)
    w = recipe.watch(cfg, probes=4, first_tasks=TASKS['shapes'], final_tasks=TASKS['shapes'], n_train=5000, n_test=2000,
                     progress=True, overwrite=True)
    tr, points = w['trainer'], w['points']
    out = tr.export(ROOT / 'ckpts' / recipe.FIVE_MINUTES, command='python tools/five_minute_bundle.py', dtype=torch.float16,
                    run=recipe.run_record(tr, points), wall_seconds=round(w['wall_seconds'], 1), threads=torch.get_num_threads())
    a0, a1 = points[0]['accuracy'], points[-1]['accuracy']
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): {tr.step} steps in {tr.seconds:.0f} s of training "
          f"({w['wall_seconds']:.0f} s with the scenes and probes); " + ', '.join(f"{t} {a0[t]:.3f} -> {a1[t]:.3f}" for t in a1))
