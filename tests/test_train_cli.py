"""`ijepa-train` end to end: one process, torchrun with 2 CPU processes (gloo), resume, bad input. Single-process runs call
the console script's function here (no new Python and torch each); the torchrun test and the missing config start the
real command."""
import os, subprocess, sys
from pathlib import Path
import torch
from conftest import run_in_process
from ijepa_viz.cli import ijepa_train

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CFG = str(ROOT / 'configs' / 'tiny_cpu.yaml')
ENV = dict(os.environ, OMP_NUM_THREADS='1')


def run(*args, torchrun=False, timeout=600):
    "`ijepa-train` under torchrun (2 processes), or in this process (its console script's function: output and exit code)."
    args = ['--config', CFG, '--no-progress', *args]
    if torchrun:
        cmd = [str(BIN / 'torchrun'), '--standalone', '--nproc_per_node', '2', str(BIN / 'ijepa-train')]
        return subprocess.run(cmd + args, capture_output=True, text=True, timeout=timeout, env=ENV)
    return run_in_process(ijepa_train, 'ijepa-train', args)


def weights(folder):
    ck = torch.load(Path(folder) / 'jepa-latest.pth.tar', map_location='cpu', weights_only=True)
    return ck, {f'{net}.{k}': v for net in ('encoder', 'predictor', 'target_encoder') for k, v in ck[net].items()}


def test_single_process_run_writes_log_and_checkpoint(tmp_path):
    r = run('--set', f'logging.folder={tmp_path}', '--steps', '6')
    assert r.returncode == 0, r.stderr
    assert 'done: step 6' in r.stdout
    ck, w = weights(tmp_path)
    assert ck['step'] == 6 and ck['epoch'] == 0 and all(k.startswith(('encoder.module.', 'predictor.module.', 'target_encoder.module.')) for k in w)
    assert len((tmp_path / 'jepa_r0.csv').read_text().splitlines()) == 7
    assert (tmp_path / 'params-ijepa.yaml').exists()


def test_torchrun_two_processes_stay_identical_and_resume_exactly(tmp_path):
    a, b = tmp_path / 'straight', tmp_path / 'resumed'
    r = run('--set', f'logging.folder={a}', '--steps', '8', torchrun=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'replicas identical across 2 processes' in r.stdout
    assert not (a / 'jepa_r1.csv').exists()                    # only rank 0 writes
    r = run('--set', f'logging.folder={b}', '--steps', '4', torchrun=True)
    assert r.returncode == 0, r.stderr[-3000:]
    r = run('--set', f'logging.folder={b}', '--steps', '8', '--resume', torchrun=True)
    assert r.returncode == 0, r.stderr[-3000:]
    (cka, wa), (ckb, wb) = weights(a), weights(b)
    assert cka['world_size'] == 2 and ckb['step'] == 8
    assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


def test_bad_input_gives_clear_errors(tmp_path):
    r = run('--set', 'optimization.learning_rate=0.1')
    assert r.returncode == 2 and 'unknown key optimization.learning_rate' in r.stderr
    r = run('--set', f'logging.folder={tmp_path}', '--resume')
    assert r.returncode == 2 and 'does not exist' in r.stderr           # never a silent restart
    r = subprocess.run([str(BIN / 'ijepa-train'), '--config', str(tmp_path / 'nope.yaml')], capture_output=True, text=True, env=ENV)
    assert r.returncode == 2 and 'nope.yaml' in r.stderr
