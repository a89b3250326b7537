"""Run `nbdev-test` over every notebook in nbs/ and print our own count: `nbdev-test: N passed, M failed`.

nbdev-test exits 0 when it finds no notebook at all, so we count the notebooks ourselves and
fail unless every one of them ran and passed. Extra arguments go to nbdev-test (e.g. --flags slow).
"""
import re, subprocess, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
nbs = sorted(p for p in (root / 'nbs').rglob('*.ipynb')
             if not any(part.startswith(('_', '.')) for part in p.relative_to(root / 'nbs').parts))
if not nbs: sys.exit('nbdev-test: no notebooks found in nbs/')
exe = Path(sys.executable).with_name('nbdev-test')
cmd = [str(exe), '--n-workers', '2', '--timing', *sys.argv[1:]]
proc = subprocess.run(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(proc.stdout, end='')
timed = set(re.findall(r'^(\S+\.ipynb): \d+ secs$', proc.stdout, re.M))
failed = set(re.findall(r'^\t(\S+\.ipynb)$', proc.stdout, re.M))
names = {p.name for p in nbs}
passed = timed if proc.returncode == 0 else names - failed
missing = names - passed - failed
print(f'nbdev-test: {len(passed)} passed, {len(failed) + len(missing)} failed'
      + (f' (not run: {", ".join(sorted(missing))})' if missing else ''))
sys.exit(1 if proc.returncode or failed or missing else 0)
