"""Fault injection: every bad input and fault gets one clear line (exit code 2), a bug keeps its traceback, nothing is lost.

Bad configs, YAML, checkpoints (missing, empty, truncated, unsafe, of another architecture), image folders nobody can
read, 16-bit images, a full disk, an unwritable folder, a save killed part-way, relaxed masks."""
import builtins, errno, json, os, pickle, signal, subprocess, sys, time, warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ijepa_viz import core, hub
from ijepa_viz.data import ImageFolder, open_image, photo
from ijepa_viz.masks import MaskError, RelaxedMasksWarning, make_sampler
from ijepa_viz.train import ConfigError, check_config, load_config

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CFG = str(ROOT / 'configs' / 'tiny_cpu.yaml')
ENV = dict(os.environ, OMP_NUM_THREADS='1')


def train(*args, config=CFG, timeout=300):
    cmd = [str(BIN / 'ijepa-train'), '--no-progress'] + (['--config', config] if config else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV)


class _Run:
    def __init__(self, returncode, stdout, stderr): self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def train_here(capsys, *args, config=CFG):
    "`ijepa-train` in this process (no second start-up of torch): what a subprocess would give."
    from ijepa_viz.train import main
    capsys.readouterr()
    try: main(['--no-progress'] + (['--config', config] if config else []) + list(args)); code = 0
    except SystemExit as e: code = e.code
    out = capsys.readouterr()
    return _Run(code, out.out, out.err)


def here(capsys, main, *args):
    "A console script's `main` run in this process (no second start-up of torch): what a subprocess would give."
    capsys.readouterr()
    try: main([str(a) for a in args]); code = 0
    except SystemExit as e: code = e.code
    out = capsys.readouterr()
    return _Run(code or 0, out.out, out.err)


def one_line_error(r, *words):
    "Exit code 2, exactly one line on stderr, no traceback, and it holds every one of `words`."
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert len(lines) == 1 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    for w in words: assert w in lines[0], (w, lines[0])
    return lines[0]


# ---------------------------------------------------------------- config: caught before any model is built
@pytest.mark.parametrize('override, words', [
    ('optimization.epochs=[2]', ['optimization.epochs', 'whole number', '[2]']),
    ('optimization.lr=', ['optimization.lr', 'empty']),
    ('optimization.lr=[0.1', ['optimization.lr', 'not valid YAML']),
    ('data.batch_size=0', ['data.batch_size', 'at least 1']),
    ('optimization.ipe_scale=0', ['optimization.ipe_scale', 'above 0']),          # (a division by zero)
    ('data.crop_scale=[0, 0]', ['data.crop_scale', '(0, 1]']),                     # (silently a centre crop)
    ('mask.pred_mask_scale=[0.9]', ['mask.pred_mask_scale', 'pair']),
    ('mask.fix_border=1', ['mask.fix_border', 'true or false']),
    ('meta.model_name=vit_tiiny', ['meta.model_name', 'vit_tiny']),
    ('data.crop_size=30', ['data.crop_size', 'mask.patch_size']),
    ('mask.min_keep=400', ['mask section', 'min_keep']),
])
def test_bad_config_values_are_one_line_naming_the_key(capsys, override, words):
    one_line_error(train_here(capsys, '--set', override, '--steps', '1'), 'ijepa-train: error:', *words)


def test_the_checks_run_before_any_model_is_built(monkeypatch):
    import ijepa_viz.train as T
    built = []
    monkeypatch.setattr(T, 'build_model', lambda cfg: built.append(cfg) or 1 / 0)
    cfg = load_config(CFG, ['optimization.epochs=[2]'])
    with pytest.raises(ConfigError, match='optimization.epochs'): T.Trainer(cfg, device='cpu')
    assert built == []
    for name in ('in1k_vith14_ep300', 'in22k_vitg16_ep44', 'tiny_cpu', 'shapes_vit_tiny', 'ablation_tiny'):
        check_config(load_config(name))                       # every shipped config passes


def test_yaml_errors_and_missing_meta_are_one_line(tmp_path, capsys):
    (tmp_path / 'bad.yaml').write_text('data:\n  batch_size: [16\n')
    one_line_error(train(config=str(tmp_path / 'bad.yaml')), 'bad.yaml', 'not valid YAML', 'line 3')
    (tmp_path / 'nometa.yaml').write_text('data:\n  batch_size: 16\n')
    one_line_error(train_here(capsys, '--device', 'cpu', config=str(tmp_path / 'nometa.yaml')), 'no meta section', 'vit_huge', 'meta.model_name')
    one_line_error(train_here(capsys, config=str(tmp_path / 'nope.yaml')), 'nope.yaml', 'does not exist')


# ---------------------------------------------------------------- checkpoints
def test_bad_checkpoints_are_one_line(tmp_path, capsys):
    run = tmp_path / 'run'
    assert train_here(capsys, '--set', f'logging.folder={run}', '--steps', '1').returncode == 0
    good = (run / 'jepa-latest.pth.tar').read_bytes()
    cases = {'missing': None, 'empty': b'', 'truncated': good[: len(good) // 2], 'text': b'not a checkpoint at all'}
    for name, data in cases.items():
        p = tmp_path / f'{name}.pth.tar'
        if data is not None: p.write_bytes(data)
        words = {'missing': ['does not exist'], 'empty': ['is empty, not a PyTorch checkpoint'],
                 'text': ['is a text file, not a PyTorch checkpoint']}.get(name, ['truncated'])
        one_line_error(train_here(capsys, '--set', f'logging.folder={run}', '--resume', str(p), '--steps', '2'), p.name, *words)
    # the right file, the wrong architecture
    r = train_here(capsys, '--set', f'logging.folder={run}', '--set', 'meta.pred_emb_dim=96', '--resume', '--steps', '2')
    one_line_error(r, 'another config', 'meta.pred_emb_dim: 48 -> 96', 'params-ijepa.yaml')


class _Payload:
    def __init__(self, fn, arg): self.fn, self.arg = fn, arg
    def __reduce__(self): return (self.fn, (self.arg,))


@pytest.mark.parametrize('fn', [os.system, subprocess.call, builtins.exec])
def test_unsafe_pickles_are_named_unsafe_and_never_run(tmp_path, fn):
    flag = tmp_path / 'ran'
    arg = {os.system: f'touch {flag}', subprocess.call: ['touch', str(flag)],
           builtins.exec: f"open({str(flag)!r}, 'w').close()"}[fn]
    p = tmp_path / 'evil.pth.tar'
    torch.save({'encoder': {}, 'x': _Payload(fn, arg)}, p)
    r = subprocess.run([str(BIN / 'ijepa-eval'), '--ckpt', str(p)], capture_output=True, text=True, timeout=120, env=ENV)
    one_line_error(r, 'evil.pth.tar', 'unsafe')
    assert not flag.exists()


# ---------------------------------------------------------------- data
def test_image_folder_nobody_can_read_is_one_line(tmp_path, capsys):
    (tmp_path / 'imgs' / 'a').mkdir(parents=True)
    for i in range(4): (tmp_path / 'imgs' / 'a' / f'{i}.jpg').write_bytes(np.random.default_rng(i).bytes(500))
    r = train('--set', f'logging.folder={tmp_path / "run"}', '--set', 'data.dataset=imagefolder', '--set', f'data.root_path={tmp_path}',
              '--set', 'data.image_folder=imgs', '--set', 'data.batch_size=2', '--set', 'data.num_workers=2', '--steps', '1')
    assert r.returncode == 2, r.stderr[-2000:]
    errors = [l for l in r.stderr.splitlines() if 'error' in l]
    assert len(errors) == 1 and 'Traceback' not in r.stderr and 'none of the 4 image files' in errors[0], r.stderr[-2000:]
    empty = tmp_path / 'none'; (empty / 'a').mkdir(parents=True)
    one_line_error(train_here(capsys, '--set', 'data.dataset=imagefolder', '--set', f'data.root_path={empty}', '--set', 'data.image_folder=',
                         '--steps', '1'), 'no image files')


def test_skipped_files_are_listed_at_the_end_across_workers(tmp_path):
    for c in ('a', 'b'):
        (tmp_path / 'imgs' / c).mkdir(parents=True)
        for i in range(6): Image.fromarray(photo('coffee', 32)).save(tmp_path / 'imgs' / c / f'{i}.png')
    (tmp_path / 'imgs' / 'a' / 'zz_bad.jpg').write_bytes(b'no image')
    (tmp_path / 'imgs' / 'b' / 'zz_bad.png').write_bytes(b'no image either')
    r = train('--set', f'logging.folder={tmp_path / "run"}', '--set', 'data.dataset=imagefolder', '--set', f'data.root_path={tmp_path}',
              '--set', 'data.image_folder=imgs', '--set', 'data.batch_size=7', '--set', 'data.num_workers=2', '--steps', '2')
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(l for l in r.stdout.splitlines() if l.startswith('skipped'))
    assert line.startswith('skipped 2 unreadable image files') and 'zz_bad.jpg' in line and 'zz_bad.png' in line, r.stdout


def test_16_bit_images_read_as_seen(tmp_path):
    ramp = (np.arange(64)[None].repeat(8, 0) * 1040).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / 'wide.png')
    rgb = np.asarray(open_image(tmp_path / 'wide.png'))
    assert rgb.dtype == np.uint8 and rgb[0, 0, 0] == 0 and rgb[0, -1, 0] >= 250   # the range is scaled, not clipped to white


# ---------------------------------------------------------------- disk full, unwritable folder, killed saves
@pytest.fixture
def small_disk(tmp_path):
    d = tmp_path / 'disk'; d.mkdir()
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', str(d)], capture_output=True)
    if r.returncode: pytest.skip('mounting a small tmpfs is not permitted here')
    yield d
    subprocess.run(['umount', str(d)], check=True)


def test_full_disk_keeps_the_last_checkpoint_and_no_temp_file(small_disk):
    run = small_disk / 'run'                                # a 15 MB checkpoint fits once, not twice
    r = train('--set', f'logging.folder={run}', '--set', 'logging.checkpoint_every_steps=1', '--steps', '3')
    one_line_error(r, 'no space left on device writing', 'jepa-latest.pth.tar', 'intact', 'no temporary file')
    assert torch.load(run / 'jepa-latest.pth.tar', weights_only=True)['step'] == 1      # the last good one, whole
    assert not list(run.glob('.*.tmp'))
    with pytest.raises(hub.WriteError, match='no space left'): hub.write_json({'x': 'y' * 30_000_000}, small_disk / 'big.json')
    assert not list(small_disk.glob('.*.tmp'))


def test_unwritable_folder_is_one_line(tmp_path):
    ro = tmp_path / 'ro'; ro.mkdir(); ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK): pytest.skip('chmod does not stop this user (root) from writing')
        one_line_error(train('--set', f'logging.folder={ro / "run"}', '--steps', '1'), 'permission denied', str(ro))
    finally: ro.chmod(0o700)


def test_read_only_file_system_is_one_line(tmp_path):
    d = tmp_path / 'rofs'; d.mkdir()
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', str(d)], capture_output=True).returncode:
        pytest.skip('mounting a tmpfs is not permitted here')
    try: one_line_error(train('--set', f'logging.folder={d / "run"}', '--steps', '1'), 'read-only file system', str(d))
    finally: subprocess.run(['umount', str(d)], check=True)


def test_kill_during_save_then_resume_is_bit_identical(tmp_path):
    straight, killed = tmp_path / 'straight', tmp_path / 'killed'
    assert train('--set', f'logging.folder={straight}', '--steps', '8').returncode == 0
    assert train('--set', f'logging.folder={killed}', '--steps', '4').returncode == 0
    # a save of step 8 killed part-way: a stale temp file beside an intact checkpoint of step 4
    before = (killed / 'jepa-latest.pth.tar').read_bytes()
    gone = subprocess.Popen(['true']); gone.wait()                         # the PID of a writer that is no more
    stale = killed / f'.jepa-latest.pth.tar.ijepa-tmp-{gone.pid}-k1ll3d.tmp'
    stale.write_bytes(before[: len(before) // 3])
    mine = killed / '.draft.tmp'; mine.write_text('a user file that only looks like a temp file')
    p = subprocess.Popen([str(BIN / 'ijepa-train'), '--no-progress', '--config', CFG, '--set', f'logging.folder={killed}',
                          '--set', 'logging.checkpoint_every_steps=1', '--resume', '--steps', '400'],
                         env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline, caught = time.time() + 120, []
    while time.time() < deadline and not caught and p.poll() is None:          # wait until a save is under way
        caught = [t for t in killed.glob('.jepa-latest*.tmp') if t != stale]; time.sleep(0.002)
    p.send_signal(signal.SIGKILL); p.wait()
    assert caught, 'no save was caught in progress'
    assert not stale.exists()                               # the run removed the earlier stale temp file on start
    ck = torch.load(killed / 'jepa-latest.pth.tar', weights_only=True)        # never half-written
    assert 4 <= ck['step'] <= 8
    r = train('--set', f'logging.folder={killed}', '--resume', '--steps', '8')
    assert r.returncode == 0, r.stderr[-2000:]
    assert f'left by PID {p.pid}' in r.stderr, r.stderr[-2000:]
    assert not [t for t in killed.glob('.*.tmp') if t != mine]   # stale temp files of ours removed on resume...
    assert mine.exists()                                         # ...and nobody else's
    a = torch.load(straight / 'jepa-latest.pth.tar', weights_only=True)
    b = torch.load(killed / 'jepa-latest.pth.tar', weights_only=True)
    assert a['step'] == b['step'] == 8
    for net in ('encoder', 'predictor', 'target_encoder'):
        assert a[net].keys() == b[net].keys() and all(torch.equal(a[net][k], b[net][k]) for k in a[net])


# ---------------------------------------------------------------- masks, and the policy itself
def test_relaxed_masks_are_said_once_counted_and_strict_refuses():
    s = make_sampler('multiblock', 14, target_scale=(0.9, 1.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for _ in range(3): s(8)
    said = [w for w in caught if issubclass(w.category, RelaxedMasksWarning)]
    assert len(said) == 1 and 'of 8 images' in str(said[0].message) and 'min_keep' in str(said[0].message)
    assert s.sampled == 24 and 0 < s.relaxed_fraction <= 1
    with pytest.raises(MaskError, match='strict'): make_sampler('multiblock', 14, target_scale=(0.9, 1.0), strict=True)(8)
    with pytest.raises(ValueError) as e: make_sampler('multiblock', 2)
    assert 'min_keep < 0' not in str(e.value) and 'grid_size' in str(e.value)
    s = make_sampler('multiblock', 14)
    s(64); assert s.relaxed_fraction == 0                   # the official settings never relax on 14x14


def test_strict_masks_stop_the_run_with_one_line(tmp_path):
    base = ['--set', f'logging.folder={tmp_path}', '--set', 'mask.pred_mask_scale=[0.6, 0.7]', '--set', 'mask.min_keep=2', '--steps', '2']
    r = train(*base)
    assert r.returncode == 0, r.stderr[-2000:]
    notes = [l for l in r.stderr.splitlines() if 'could not avoid' in l]
    assert len(notes) == 1 and notes[0].startswith('ijepa-train: warning:')
    assert 'masks: the context had to overlap target blocks' in r.stdout
    assert float((tmp_path / 'jepa_r0.csv').read_text().splitlines()[1].split(',')[-1]) > 0
    one_line_error(train(*base, '--overwrite', '--set', 'mask.strict=true'), 'strict', 'mask.pred_mask_scale')


def test_a_bug_keeps_its_traceback():
    with pytest.raises(ZeroDivisionError):
        with hub.one_line_errors('x'): 1 / 0
    with pytest.raises(ValueError):                         # not ours to explain: a plain ValueError is a bug
        with hub.one_line_errors('x'): int('seven')
    with pytest.raises(SystemExit) as e:
        with hub.one_line_errors('x'): raise OSError(errno.ENOSPC, 'No space left on device', '/some/file')
    assert e.value.code == 2


@pytest.mark.parametrize('args, word', [(['--n-train', '0'], '--n-train 0'), (['--batch-size', '0'], '--batch-size 0'),
                                        (['--method', 'fewshot', '--shots', '0'], '--shots 0')])
def test_eval_counts_below_one_are_one_line(capsys, args, word):
    from ijepa_viz.eval import main
    capsys.readouterr()
    try: main(['--ckpt', 'shapes-vit-tiny', '--n-test', '10'] + args); code = 0
    except SystemExit as e: code = e.code
    one_line_error(_Run(code, '', capsys.readouterr().err), word, 'at least 1')


@pytest.mark.parametrize('args, word', [(['--batch-size', '0'], '--batch-size 0'), (['--dataset-size', '0'], '--dataset-size 0'),
                                        (['--ema', '1.5'], '--ema 1.5')])
def test_rcdm_values_out_of_range_are_one_line(capsys, tmp_path, args, word):
    from ijepa_viz.rcdm import main
    capsys.readouterr()
    try: main(['train', '--out', str(tmp_path / 'r.pt'), '--steps', '1', '--no-progress'] + args); code = 0
    except SystemExit as e: code = e.code
    one_line_error(_Run(code, '', capsys.readouterr().err), word, 'out of range')


@pytest.mark.parametrize('args, words', [(['demo', '--max-images', '0', '--images', '.'], ['--max-images 0']),
                                         (['demo', '--images', '/no/such/folder'], ['/no/such/folder', 'does not exist']),
                                         (['convert', 'shapes-vit-tiny', '/proc/x.safetensors', '--to', 'timm'], ['/proc/x.safetensors'])])
def test_ijepa_viz_input_problems_are_one_line(capsys, tmp_path, args, words):
    from ijepa_viz.demo import main
    capsys.readouterr()
    try: main(args[:1] + (['--out', str(tmp_path / 'd')] if args[0] == 'demo' else []) + args[1:]); code = 0
    except SystemExit as e: code = e.code
    one_line_error(_Run(code, '', capsys.readouterr().err), *words)


# ---------------------------------------------------------------- a run folder belongs to one run
def test_a_second_run_into_a_run_folder_is_refused_and_overwrite_replaces_it(tmp_path, capsys):
    run = tmp_path / 'R'
    assert train_here(capsys, '--set', f'logging.folder={run}', '--steps', '6').returncode == 0
    ck, log = (run / 'jepa-latest.pth.tar').read_bytes(), (run / 'jepa_r0.csv').read_text()
    r = train_here(capsys, '--set', f'logging.folder={run}', '--steps', '2')          # the likeliest mistake of all
    one_line_error(r, str(run), 'already holds a run', '--resume', '--set logging.folder=', '--overwrite')
    assert (run / 'jepa-latest.pth.tar').read_bytes() == ck and (run / 'jepa_r0.csv').read_text() == log
    one_line_error(train_here(capsys, '--set', f'logging.folder={run}', '--overwrite', '--resume'), '--overwrite', '--resume')
    r = train_here(capsys, '--set', f'logging.folder={run}', '--steps', '2', '--overwrite')
    assert r.returncode == 0, r.stderr
    assert torch.load(run / 'jepa-latest.pth.tar', weights_only=True)['step'] == 2
    assert len((run / 'jepa_r0.csv').read_text().splitlines()) == 1 + 2                  # the new run's log alone
    assert not (run / '.ijepa.lock').exists()                                           # released at the end


def test_resume_with_another_config_says_what_changed(tmp_path, capsys):
    run = tmp_path / 'R'
    assert train_here(capsys, '--set', f'logging.folder={run}', '--steps', '2').returncode == 0
    r = train_here(capsys, '--set', f'logging.folder={run}', '--set', 'optimization.lr=0.01', '--resume', '--steps', '3')
    one_line_error(r, 'another config', 'optimization.lr', '0.01', 'params-ijepa.yaml')
    r = train_here(capsys, '--set', f'logging.folder={run}', '--set', 'logging.log_freq=1', '--resume', '--steps', '3')
    assert r.returncode == 0, r.stderr                                                    # logging may change
    r = train_here(capsys, '--set', f'logging.folder={run}', '--set', 'optimization.epochs=3', '--resume', '--steps', '4')
    assert r.returncode == 0 and 'optimization.epochs 2 -> 3' in r.stderr, r.stderr       # a longer run is said


def test_two_runs_into_one_folder_the_second_is_refused_naming_the_first(tmp_path, capsys):
    run = tmp_path / 'R'
    first = subprocess.Popen([str(BIN / 'ijepa-train'), '--no-progress', '--config', CFG, '--set', f'logging.folder={run}',
                              '--steps', '100000', '--set', 'optimization.epochs=1000'],
                             env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not (run / 'jepa_r0.csv').exists() and first.poll() is None: time.sleep(0.05)
        assert first.poll() is None, first.stderr.read().decode()[-2000:]
        r = train_here(capsys, '--set', f'logging.folder={run}', '--steps', '2')
        one_line_error(r, str(run), 'in use by another ijepa-train run', f'PID {first.pid}', 'started')
        r = train_here(capsys, '--set', f'logging.folder={run}', '--resume', '--steps', '2')      # a resume waits its turn too
        one_line_error(r, 'in use', f'PID {first.pid}')
    finally:
        first.kill(); first.wait()
    rows = (run / 'jepa_r0.csv').read_text().splitlines()
    steps = [int(l.split(',')[0]) for l in rows[1:]]
    assert steps == list(range(len(steps)))                                  # one run's rows, in order, none lost


def test_rcdm_train_refuses_a_second_training_of_one_checkpoint(tmp_path):
    from ijepa_viz.hub import run_lock
    out = tmp_path / 'r.pt'
    with run_lock(tmp_path, 'ijepa-rcdm train', f'.{out.name}.lock'):
        r = subprocess.run([str(BIN / 'ijepa-rcdm'), 'train', '--out', str(out), '--batch-size', '2', '--dataset-size', '8',
                            '--steps', '1', '--device', 'cpu', '--no-progress'], capture_output=True, text=True, env=ENV)
    one_line_error(r, 'in use by another ijepa-rcdm train', f'PID {os.getpid()}')
    assert not out.exists()


def test_only_our_own_temp_files_are_removed_and_only_when_their_writer_is_gone(tmp_path):
    gone = subprocess.Popen(['true']); gone.wait()
    dead = tmp_path / f'.x.pth.tar.ijepa-tmp-{gone.pid}-ab12.tmp'
    live = tmp_path / f'.y.pth.tar.ijepa-tmp-{os.getpid()}-cd34.tmp'                   # a save under way in this process
    user = [tmp_path / '.draft.tmp', tmp_path / '.notes.txt.abc.tmp', tmp_path / f'.z.ijepa-tmp-{gone.pid}.tmp']
    for p in [dead, live] + user: p.write_text('x')
    assert hub.remove_stale_temps(tmp_path) == [dead]
    assert live.exists() and all(p.exists() for p in user)
    assert hub.temp_path(tmp_path / 'm.safetensors').name.startswith(f'.m.safetensors.ijepa-tmp-{os.getpid()}-')


# ---------------------------------------------------------------- no command destroys its input
@pytest.fixture
def viz(capsys):
    from ijepa_viz.demo import main
    return lambda *args: here(capsys, main, *args)


@pytest.fixture(scope='module')
def small_bundle(tmp_path_factory):
    from ijepa_viz.jepa import IJEPA
    d = tmp_path_factory.mktemp('bundle')
    torch.manual_seed(0)
    m = IJEPA.build('vit_tiny', 32, 8, pred_depth=1, pred_emb_dim=48, depth=2)
    card = {f'k{i}': i for i in range(12)}
    return hub.save_bundle(m, d / 'm', card)


def test_convert_onto_itself_or_an_existing_destination_is_refused(small_bundle, tmp_path, viz):
    card = small_bundle.with_suffix('.json').read_text()
    one_line_error(viz('convert', small_bundle, small_bundle.with_suffix(''), '--to', 'bundle'), 'onto itself', str(small_bundle.with_suffix('')))
    assert small_bundle.with_suffix('.json').read_text() == card                 # the card keeps its 17 keys
    off = tmp_path / 'jepa-latest.pth.tar'
    assert viz('convert', small_bundle, off, '--to', 'official').returncode == 0
    before = off.read_bytes()
    one_line_error(viz('convert', off, off, '--to', 'official'), 'onto itself')
    one_line_error(viz('convert', tmp_path / '.' / off.name, off, '--to', 'official'), 'onto itself')   # the same file by another path
    assert off.read_bytes() == before
    one_line_error(viz('convert', small_bundle, off, '--to', 'official'), 'already exists', '--overwrite')
    assert viz('convert', small_bundle, off, '--to', 'official', '--overwrite').returncode == 0
    copy = tmp_path / 'copy'
    assert viz('convert', small_bundle, copy, '--to', 'bundle').returncode == 0
    kept = json.loads(copy.with_suffix('.json').read_text())
    assert all(kept[f'k{i}'] == i for i in range(12)) and kept['converted_from'] == str(small_bundle)   # the card travels
    hf = tmp_path / 'hf'
    assert viz('convert', small_bundle, hf, '--to', 'hf').returncode == 0
    one_line_error(viz('convert', hf, hf / 'inside.safetensors', '--to', 'timm'), 'onto itself')     # into its own folder


def test_convert_writes_only_what_reads_back(tmp_path, viz):
    import transformers
    cfg = transformers.IJepaConfig(hidden_size=80, num_hidden_layers=2, num_attention_heads=5, intermediate_size=160,
                                   image_size=32, patch_size=8, layer_norm_eps=1e-6)        # a width no official size has
    torch.manual_seed(0); transformers.IJepaModel(cfg).save_pretrained(tmp_path / 'hf')
    for to, dst in (('timm', tmp_path / 'v.safetensors'), ('official', tmp_path / 'o.pth.tar'), ('bundle', tmp_path / 'b')):
        r = viz('convert', tmp_path / 'hf', dst, '--to', to)
        assert r.returncode == 0, r.stderr
        back = hub.load(dst if to != 'bundle' else dst.with_suffix('.safetensors'))     # no num_heads= needed
        assert back.context_encoder.num_heads == 5, to


def test_convert_on_a_full_disk_leaves_nothing_behind(small_disk, tmp_path, viz):
    from ijepa_viz.jepa import IJEPA
    big = IJEPA.build('vit_small', 64, 8, pred_depth=2, pred_emb_dim=96, depth=6)      # ~30 MB: does not fit on 24 MB
    src = hub.save_bundle(big, tmp_path / 'big')
    for to, dst in (('bundle', small_disk / 'b'), ('hf', small_disk / 'hf'), ('official', small_disk / 'o.pth.tar')):
        one_line_error(viz('convert', src, dst, '--to', to), 'no space left on device')
        assert not list(small_disk.iterdir()), list(small_disk.iterdir())     # no weights without their card, no temp


# ---------------------------------------------------------------- flags checked against the model and the machine
def test_layers_outside_the_model_are_refused_not_wrapped(tmp_path, capsys):
    from ijepa_viz.eval import main
    r = here(capsys, main, '--ckpt', 'shapes-vit-tiny', '--layers', '7', '--n-train', '20', '--n-test', '10')
    one_line_error(r, '--layers 7', 'has 4 blocks', '0..3', '-4..-1')
    from ijepa_viz.eval import encode
    from ijepa_viz.vit import VisionTransformer
    enc = VisionTransformer(img_size=16, patch_size=8, embed_dim=32, depth=2, num_heads=2)
    with pytest.raises(IndexError, match='2 blocks'): encode(enc, torch.zeros(1, 3, 16, 16), [2])
    assert encode(enc, torch.zeros(1, 3, 16, 16), [-1, 0]).shape == (1, 4, 64)


@pytest.mark.skipif(torch.cuda.is_available(), reason='this machine has a GPU')
def test_a_device_the_machine_lacks_is_one_line(capsys):
    one_line_error(train_here(capsys, '--device', 'cuda', '--steps', '1'), '--device cuda', 'no CUDA GPU', "'cpu'")
    one_line_error(train_here(capsys, '--device', 'gpu', '--steps', '1'), '--device gpu', 'cuda:N')
    from ijepa_viz.eval import main
    one_line_error(here(capsys, main, '--ckpt', 'shapes-vit-tiny', '--device', 'cuda:1'), '--device cuda:1', 'no CUDA GPU')


def test_steps_that_would_do_nothing_are_said(tmp_path, capsys):
    run = tmp_path / 'R'
    one_line_error(train_here(capsys, '--set', f'logging.folder={run}', '--steps', '0'), '--steps 0', 'at least 1')
    assert train_here(capsys, '--set', f'logging.folder={run}', '--steps', '3').returncode == 0
    one_line_error(train_here(capsys, '--set', f'logging.folder={run}', '--resume', '--steps', '2'), 'at step 3 already')
    r = train_here(capsys, '--set', f'logging.folder={run}', '--resume', '--steps', '100000')
    assert r.returncode == 0 and 'beyond the 64 steps' in r.stderr, r.stderr


# ---------------------------------------------------------------- image folders
def test_a_symlink_loop_counts_each_real_file_once(tmp_path):
    for c in 'ab':
        (tmp_path / c).mkdir()
        for i in range(2): Image.fromarray(photo('coffee', 16)).save(tmp_path / c / f'{i}.png')
    (tmp_path / 'a' / 'up').symlink_to('..')                               # a -> .. -> a -> ...
    (tmp_path / 'b' / 'again.png').symlink_to(tmp_path / 'b' / '0.png')     # the same file twice
    ds = ImageFolder(tmp_path, size=16)
    assert len(ds) == 4, [p for p, _ in ds.samples]
    assert ImageFolder(tmp_path, size=16, classes=False).__len__() == 4


def test_a_decompression_bomb_is_one_line_in_every_command(tmp_path, capsys):
    bomb = tmp_path / 'bombs'; bomb.mkdir()
    Image.new('L', (1, 1)).save(bomb / 'x.png')
    big = Image.new('1', (20000, 20000)); big.save(bomb / 'bomb.png')          # 400 M pixels: PIL refuses above 179 M
    from ijepa_viz.data import DataError
    with pytest.raises(DataError, match='decompression bomb'): open_image(bomb / 'bomb.png')
    r = subprocess.run([str(BIN / 'ijepa-viz'), 'demo', '--images', str(bomb), '--out', str(tmp_path / 'out')],
                       capture_output=True, text=True, env=ENV, timeout=600)      # (a subprocess: pytest would keep the warning)
    assert 'Traceback' not in r.stderr, r.stderr[-3000:]
    assert 'bomb.png' in r.stderr and 'decompression bomb' in r.stderr, r.stderr[-2000:]


# ---------------------------------------------------------------- files that parse but have the wrong shape
@pytest.fixture(scope='module')
def hf_folder(tmp_path_factory):
    import transformers
    d = tmp_path_factory.mktemp('hf') / 'm'
    cfg = transformers.IJepaConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                                   image_size=32, patch_size=8, layer_norm_eps=1e-6)
    torch.manual_seed(0); transformers.IJepaModel(cfg).save_pretrained(d)
    return d


def _variant(src: Path, dst: Path, name: str, content):
    import shutil
    shutil.copytree(src, dst)
    if isinstance(content, bytes): (dst / name).write_bytes(content)
    else: (dst / name).write_text(content if isinstance(content, str) else json.dumps(content))
    return dst


@pytest.mark.parametrize('name, content, words', [
    ('config.json', [1, 2], ['config.json', 'a list of 2', 'expected a mapping']),
    ('config.json', 'null', ['config.json', 'null']),
    ('config.json', b'\x89PNG\r\n\x1a\n' + bytes(range(200)), ['config.json', 'not a text file (a PNG image)']),
    ('config.json', 'CHANGE', ["key 'hidden_size'", 'the string', 'whole number']),
    ('config.json', 'WIDER', ['the sizes in', 'config.json']),                       # sizes that do not fit the weights
    ('preprocessor_config.json', 'null', ['preprocessor_config.json', 'null', 'mapping']),
    ('preprocessor_config.json', {'image_mean': [0.5, 0.5], 'image_std': [0.5, 0.5, 0.5]}, ["'image_mean'", '3 numbers']),
    ('model.safetensors.index.json', [], ['model.safetensors.index.json', 'a list of 0']),
])
def test_transformers_files_of_the_wrong_shape_are_one_line(hf_folder, tmp_path, name, content, words):
    if content in ('CHANGE', 'WIDER'):
        cfg = json.loads((hf_folder / 'config.json').read_text())
        cfg['hidden_size'] = '64' if content == 'CHANGE' else 96
        content = cfg
    d = _variant(hf_folder, tmp_path / 'm', name, content)
    if name.endswith('index.json'): (d / 'model.safetensors').rename(d / 'model-00001.safetensors')
    with pytest.raises(hub.InputError) as e: hub.load(d)
    msg = core._one_line(e.value)
    for w in words: assert w in msg, (w, msg)


@pytest.mark.parametrize('content, words', [
    ([1], ['m.json', 'a list of 1', 'expected a mapping']),
    ({'arch': 'vit'}, ["key 'arch'", 'the string']),
    ({'arch': {'encoder': {}}}, ["'arch.predictor'"]),
    (b'\x89PNG\r\n\x1a\n\x00\x01', ['m.json', 'not a text file']),
])
def test_cards_of_the_wrong_shape_are_one_line(small_bundle, tmp_path, content, words, capsys):
    import shutil
    st = shutil.copy(small_bundle, tmp_path / 'm.safetensors')
    js = tmp_path / 'm.json'
    js.write_bytes(content) if isinstance(content, bytes) else js.write_text(json.dumps(content))
    from ijepa_viz.eval import main
    one_line_error(here(capsys, main, '--ckpt', st), *words)


def test_a_yaml_config_that_is_an_image_is_one_line(tmp_path, capsys):
    (tmp_path / 'c.yaml').write_bytes(b'\x89PNG\r\n\x1a\n' + bytes(range(256)))
    one_line_error(train_here(capsys, config=str(tmp_path / 'c.yaml')), 'c.yaml', 'not a text file (a PNG image)', 'YAML')


def test_what_a_hostile_pass_found(tmp_path, capsys):
    "Three tracebacks and one wrong name from the hostile pass of the 'nothing lost' round (64 cases over the readers and flags)."
    torch.save({'encoder': [1, 2]}, tmp_path / 'enc_list.pth.tar')
    (tmp_path / 'photo.pth.tar').write_bytes(b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + bytes(64))
    from ijepa_viz.eval import main
    from ijepa_viz.rcdm import main as rcdm
    one_line_error(here(capsys, main, '--ckpt', tmp_path / 'enc_list.pth.tar'), "'encoder' entry is a list of 2", 'state dict')
    one_line_error(here(capsys, main, '--ckpt', tmp_path / 'photo.pth.tar'), 'is a PNG image, not a PyTorch checkpoint')
    for flag, words in ((['--index', '999999'], ['--index 999999', '0..16383']), (['--block', '9'], ['--block 9', '4 target blocks'])):
        one_line_error(here(capsys, rcdm, 'sample', '--decoder', 'shapes-vit-tiny-rcdm', '--png', tmp_path / 'x.png', *flag), *words)
