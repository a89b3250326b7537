"""How long the commands take to start: each console script's `--help`, and the import of the package and of each
chapter module that does a command's work, every one in a fresh interpreter (median of --repeat runs). Run on an idle
machine:  python benchmarks/startup.py [--repeat 5]
"""
import argparse, shutil, statistics, subprocess, sys, time
from pathlib import Path

BIN = Path(sys.executable).parent

def timed(cmd, repeat):
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter(); r = subprocess.run(cmd, capture_output=True, text=True); runs.append(time.perf_counter() - t0)
        if r.returncode != 0: sys.exit(f"{' '.join(map(str, cmd))} failed: {r.stderr[-400:]}")
    return statistics.median(runs)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0]); ap.add_argument('--repeat', type=int, default=5)
    a = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}; median of {a.repeat} fresh interpreters")
    for prog in ('ijepa-viz', 'ijepa-train', 'ijepa-eval', 'ijepa-rcdm'):
        exe = shutil.which(prog, path=str(BIN)) or shutil.which(prog)
        if exe is None: print(f"{prog}: not installed (pip install -e .)"); continue
        print(f"{prog} --help: {timed([exe, '--help'], a.repeat):.2f} s")
    for mod in ('ijepa_viz', 'ijepa_viz.cli', 'torch', 'ijepa_viz.train', 'ijepa_viz.eval', 'ijepa_viz.rcdm', 'ijepa_viz.demo'):
        print(f"import {mod}: {timed([sys.executable, '-c', f'import {mod}'], a.repeat):.2f} s")

if __name__ == '__main__': main()
