"""Run (or resume) the sweep of the ablation chapter, nbs/11_ablations.ipynb: every masking strategy and prediction
target on Shapes and Digits, 3 seeds, one fixed budget; results to nbs/ablations.json (rows already there are skipped).

    OMP_NUM_THREADS=1 .venv/bin/python tools/ablate.py --out nbs/ablations.json
"""
from ijepa_viz.ablations import main

if __name__ == '__main__': main()
