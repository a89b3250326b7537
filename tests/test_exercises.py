"""The course exercises both ways: the instructor's copies (nbs/exercises/, with solutions) pass every check, each printing
one line, and the students' copies that `python tools/exercises.py` (`make student`, otter assign) writes fail every check,
with the check's own "not done yet" ExerciseError (not a NameError, not a bare AssertionError), while every other cell runs.
Writing the students' copies prints no otter warning. (Wrong answers and their messages: test_exercise_wrong_answers.py.)

The notebooks' code cells run in this process (exec, one namespace per notebook), so the whole module takes seconds."""
import json, logging, os, subprocess, sys, warnings
from pathlib import Path
import matplotlib
import pytest

matplotlib.use('Agg')
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
import exercises  # noqa: E402  (tools/exercises.py)
from ijepa_viz.exercises import ExerciseError  # noqa: E402

NOTEBOOKS = sorted((ROOT / 'nbs' / 'exercises').glob('*.ipynb'))


def run_cells(path: Path) -> list:
    "Run the notebook's code cells in order in one namespace: [(source, exception or None, printed text)]."
    import contextlib, io
    ns, out = {'__name__': '__main__'}, []
    for c in json.loads(path.read_text())['cells']:
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source'])
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf), warnings.catch_warnings():
                warnings.simplefilter('ignore')
                exec(compile(src, f'{path.name}', 'exec'), ns)
            out.append((src, None, buf.getvalue()))
        except Exception as e:
            out.append((src, e, buf.getvalue()))
    return out


def is_check(src: str) -> bool: return src.strip().startswith('check_')


@pytest.fixture(scope='module')
def student(tmp_path_factory):
    return exercises.build(tmp_path_factory.mktemp('student'))


def test_five_exercises():
    assert [p.stem.split('_')[1] for p in NOTEBOOKS] == list('abcde')


@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.stem)
def test_instructor_copy_passes(nb):
    cells = run_cells(nb)
    checks = [c for c in cells if is_check(c[0])]
    assert checks, f'{nb.name} has no check cell'
    for src, err, printed in cells:
        assert err is None, f'{nb.name}: cell {src[:60]!r} raised {type(err).__name__}: {err}'
    for src, _, printed in checks:
        assert printed.startswith('✓') and printed.count('\n') == 1, f'{nb.name}: {src!r} printed {printed!r}'


@pytest.mark.parametrize('i', range(len(NOTEBOOKS)), ids=[p.stem for p in NOTEBOOKS])
def test_student_copy_fails_every_check(student, i):
    nb = student[i]
    text = nb.read_text()
    assert 'BEGIN SOLUTION' not in text.replace('`# BEGIN SOLUTION`', '') and 'ASSIGNMENT CONFIG' not in text
    cells = run_cells(nb)
    checks = [c for c in cells if is_check(c[0])]
    assert len(checks) == sum(is_check(c[0]) for c in run_cells(NOTEBOOKS[i])), 'the student copy lost a check cell'
    for src, err, _ in cells:
        if is_check(src):
            assert isinstance(err, ExerciseError), f'{nb.name}: {src!r} on the stub gave {type(err).__name__}: {err}'
            assert ': not done yet' in str(err), str(err)
        else:
            assert err is None, f'{nb.name}: cell {src[:60]!r} raised {type(err).__name__} in the student copy: {err}'


def test_checks_name_the_mistake():
    "Wrong answers, not only stubs, fail with a message that says what differs."
    import torch
    import torch.nn.functional as F
    from ijepa_viz import exercises as ex
    ns = {n: dict() for n in 'abcde'}
    for nb, key in zip(NOTEBOOKS, 'abcde'):
        for src, err, _ in run_cells(nb):
            if not is_check(src): exec(compile(src, nb.name, 'exec'), ns[key])
    gather = ns['b']['gather_targets']
    with pytest.raises(ExerciseError, match='squared L2'):
        ex.check_loss(lambda p, h, idx: F.mse_loss(p, gather(F.layer_norm(h, h.shape[-1:]), idx).detach()))
    with pytest.raises(ExerciseError, match='gradient reaches the target features'):
        ex.check_loss(lambda p, h, idx: F.smooth_l1_loss(p, gather(F.layer_norm(h, h.shape[-1:]), idx)))
    @torch.no_grad()
    def swapped(t, o, m):
        for p, q in zip(t.parameters(), o.parameters()): p.mul_(1 - m).add_(q, alpha=m)
    with pytest.raises(ExerciseError, match='swapped'): ex.check_ema(swapped)
    def no_positions(pred, c, ci, ti):
        x = ns['b']['predictor_input'](pred, c, ci, ti); x[:, -ti.shape[-1]:] = pred.mask_token; return x
    with pytest.raises(ExerciseError, match='carry no positions'): ex.check_predictor_input(no_positions)
    with pytest.raises(ExerciseError, match='measured on the training set'):
        ex.check_linear_probe(lambda a, b, c, d: ns['e']['linear_probe'](a, b, a, b))
    def overlapping(grid, g):
        ctx, tg = ns['a']['sample_masks'](grid, g); return torch.arange(grid[0] * grid[1])[:120], tg
    with pytest.raises(ExerciseError, match='removes every target patch'): ex.check_mask_sampler(overlapping)
    def scattered(grid, g):
        ctx, tg = ns['a']['sample_masks'](grid, g)
        return ctx, torch.stack([torch.randperm(grid[0] * grid[1], generator=g)[:tg.shape[1]] for _ in range(len(tg))])
    with pytest.raises(ExerciseError, match='not a rectangle'): ex.check_mask_sampler(scattered)


def test_student_copies_print_no_otter_warning(tmp_path):
    "What `make student` runs: otter's no-tests warning (these notebooks have no otter tests by design) is dropped."
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'exercises.py'), str(tmp_path)], capture_output=True, text=True,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'}, timeout=300)
    assert r.returncode == 0, r.stderr
    assert 'WARNING' not in r.stdout + r.stderr and 'No autograded tests' not in r.stdout + r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.glob('*.ipynb')) == sorted([p.name for p in NOTEBOOKS] + ['lab.ipynb'])   # and the lab


def test_only_the_no_tests_warning_is_dropped(student):
    "The filter drops that one message, keeps every other record, and is gone once the copies are written."
    def record(msg, level=logging.WARNING):
        return logging.LogRecord('otter.assign', level, __file__, 1, msg, None, None)
    assert not exercises._drop_no_tests(record(exercises.NO_TESTS))
    assert exercises._drop_no_tests(record('Seeding cell found but no or invalid seed provided', logging.ERROR))
    assert exercises._drop_no_tests(record('some other warning'))
    assert exercises._drop_no_tests not in logging.getLogger('otter.assign').filters


def test_lab_student_copy_has_no_instructor_cells_nor_plumbing(tmp_path):
    lab = exercises.build_lab(tmp_path)
    nb = json.loads(lab.read_text())
    text = ''.join(''.join(c['source']) for c in nb['cells'])
    for gone in ('For the instructor', 'test plumbing', 'QUICK = True', '#| lab', 'make test'):
        assert gone not in text, gone
    assert 'QUICK = False' in text and 'Before class' in text and 'check_mask_sampler(sample_masks)' in text
    full = json.loads(exercises.LAB.read_text())['cells']
    n_instr = sum(c['cell_type'] == 'markdown' and ''.join(c['source']).startswith(exercises.INSTRUCTOR) for c in full)
    assert n_instr >= 5 and len(nb['cells']) == len(full) - n_instr - 1      # the note, four answers; one plumbing cell


@pytest.mark.parametrize('stopped', [False, True], ids=['trained', 'training stopped'])
def test_lab_student_copy_runs_as_a_dry_run(tmp_path, stopped):
    """The students' lab, switched to its dry run (QUICK = True), runs top to bottom in an IPython shell (as nbdev-test
    runs notebooks); with the training cell stopped before it ends, the bundled run stands in and the later parts run on it."""
    from fastcore.nbio import read_nb
    from execnb.shell import CaptureShell
    lab = exercises.build_lab(tmp_path)
    nb = json.loads(lab.read_text())
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        c['source'] = ''.join(c['source']).replace('QUICK = False', 'QUICK = True')
        if stopped and 'w = recipe.watch(' in c['source']: c['source'] = c['source'].split('w = recipe.watch(')[0]   # stopped in the training
    lab.write_text(json.dumps(nb))
    from IPython.core.interactiveshell import InteractiveShell
    cwd = os.getcwd(); os.chdir(ROOT / 'nbs')            # as Jupyter runs it: from nbs/
    try:
        shell = CaptureShell(lab)
        shell.run_all(read_nb(lab), exc_stop=True)
        assert ('w' in shell.user_ns) != stopped
        assert shell.user_ns['trainer'].step == (5632 if stopped else 8)      # the bundled run, or the dry run's 8 steps
    finally:
        os.chdir(cwd)
        CaptureShell.clear_instance(); InteractiveShell.clear_instance()   # IPython's shell is a singleton: leave none behind
