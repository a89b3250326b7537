"""Run (or resume) the sweep of the ablation chapter, nbs/11_ablations.ipynb: every masking strategy and prediction
target on Shapes and Digits, 3 seeds, one fixed budget; results to nbs/ablations.json (rows already there are skipped).

    OMP_NUM_THREADS=1 .venv/bin/python tools/ablate.py --out nbs/ablations.json

The photo sweep (its plan, fixed before the runs, is in the chapter): two processes share it through --work:
    OMP_NUM_THREADS=1 nohup .venv/bin/python tools/ablate.py --data ../shared/data/cifar10 --config configs/ablation_cifar.yaml \
        --probes 5 --n-train 10000 --n-test 5000 --out nbs/ablations_cifar.json --work runs/ablate &
"""
from ijepa_viz.ablations import main

if __name__ == '__main__': main()
