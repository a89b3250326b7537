"""Run (or resume) the sweep of the five-minute recipe, nbs/14_recipe.ipynb: candidate configs trained for the same
wall-clock budget on this CPU and probed along the way; results to nbs/recipe.json (rows already there are skipped).

    .venv/bin/python tools/recipe.py --out nbs/recipe.json
"""
from ijepa_viz.recipe import main

if __name__ == '__main__': main()
