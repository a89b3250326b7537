"""Write the students' copies of the course exercises: `python tools/exercises.py [OUT]` (what `make student` runs).

The instructor's copies are `nbs/exercises/*.ipynb`: each solution sits between Otter-Grader's markers `# BEGIN SOLUTION`
and `# END SOLUTION`, and the notebook's raw `# ASSIGNMENT CONFIG` cell tells `otter assign` to strip them from every
code cell and to add none of its own cells (the checks are `ijepa_viz.exercises`). `otter assign` writes an instructor
and a student version of each notebook; this keeps the student one, outputs cleared, in OUT (default `exercises_student/`,
git-ignored: it is regenerated from nbs/exercises/). It refuses to write a copy in which a solution survived.

It also writes the students' copy of the lab (nbs/15_lab.ipynb, the instructor's version) as OUT/lab.ipynb: without the
cells for the instructor (markdown cells that start with `<!-- instructor -->`: the note, the answers) and the test
plumbing (code cells that start with `#| hide` and `# test plumbing`), the `#| lab` flag line dropped, outputs cleared.

These notebooks have no otter tests by design, so otter's warning "No autograded tests were found in the assignment" is
dropped (that one message only: every other warning and error of otter still shows).
"""
import json, logging, shutil, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / 'nbs' / 'exercises'
MARKERS = ('# BEGIN SOLUTION', '# END SOLUTION', '# SOLUTION')


NO_TESTS = 'No autograded tests were found in the assignment'


def _drop_no_tests(record: logging.LogRecord) -> bool:
    "Logging filter: False (drop) for otter assign's no-tests warning alone."
    return record.getMessage() != NO_TESTS


LAB = ROOT / 'nbs' / '15_lab.ipynb'
INSTRUCTOR, PLUMBING = '<!-- instructor -->', '# test plumbing'


def build_lab(out=ROOT / 'exercises_student', src=LAB, keep_outputs: bool = False) -> Path:
    "Write the students' copy of the lab to `out/lab.ipynb` (see above; `keep_outputs`: its pictures too, for the docs site); return its path."
    nb = json.loads(Path(src).read_text())
    cells = []
    for c in nb['cells']:
        text = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        body = '\n'.join(l for l in text.splitlines() if not l.startswith('#|')).lstrip()
        if c['cell_type'] == 'markdown' and text.lstrip().startswith(INSTRUCTOR): continue
        if c['cell_type'] == 'code' and body.startswith(PLUMBING): continue
        if c['cell_type'] == 'code':
            text = '\n'.join(l for l in text.splitlines() if l.strip() != '#| lab')
            c = dict(c, source=text.splitlines(keepends=True))
            if not keep_outputs: c.update(outputs=[], execution_count=None)
        cells.append(c)
    left = [t for c in cells for t in (INSTRUCTOR, PLUMBING, '#| lab') if t in ''.join(c['source'])]
    if left: raise SystemExit(f'exercises: {left[0]!r} survived in the students\' lab')
    dst = Path(out) / 'lab.ipynb'; dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(dict(nb, cells=cells), indent=1, ensure_ascii=False) + '\n')
    return dst


def build(out=ROOT / 'exercises_student', quiet: bool = True) -> list:
    """Write the students' copies of every notebook in nbs/exercises/ to `out`; return their paths.
    `quiet` drops otter's no-tests warning (see above) and nothing else."""
    from otter.assign import main as otter_assign
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    nbs = sorted(SRC.glob('*.ipynb'))
    if not nbs: raise SystemExit(f'exercises: no notebooks in {SRC}')
    logger = logging.getLogger('otter.assign')   # otter's own logger for `otter assign` (propagate=False, its own handler)
    if quiet: logger.addFilter(_drop_no_tests)
    try: return _build(nbs, out, otter_assign)
    finally: logger.removeFilter(_drop_no_tests)


def _build(nbs, out, otter_assign) -> list:
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for nb in nbs:
            dist = Path(tmp) / nb.stem
            otter_assign(str(nb), str(dist), no_pdfs=True, no_run_tests=True)
            student = json.loads((dist / 'student' / nb.name).read_text())
            for c in student['cells']:
                src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
                if c['cell_type'] == 'code' and any(m in src for m in MARKERS):
                    raise SystemExit(f'exercises: a solution marker survived otter assign in {nb.name}: {src[:200]!r}')
                if c['cell_type'] == 'code': c['outputs'], c['execution_count'] = [], None
            student['metadata'].pop('otter', None)
            dst = out / nb.name
            dst.write_text(json.dumps(student, indent=1, ensure_ascii=False) + '\n')
            written.append(dst)
    return written


if __name__ == '__main__':
    paths = build(sys.argv[1] if len(sys.argv) > 1 else ROOT / 'exercises_student')
    paths.append(build_lab(paths[0].parent))
    where = paths[0].parent
    print(f'exercises: {len(paths)} student notebooks (the exercises and the lab) in {where}: ' + ', '.join(p.name for p in paths)
          + f'\nopen them with: .venv/bin/jupyter lab {where}')
