"""The wheel carries what it needs: built from the project, installed in a fresh venv, used from a folder that is not
the checkout — the bundled checkpoints and configs come from the installed package, not from the repository.

Dependencies (torch & co., several GB) are not installed again: the fresh venv sees the project venv's site-packages
through a path entry, which does not run that venv's editable-install hook, so `import ijepa_viz` finds the wheel.
"""
import json, os, re, shutil, subprocess, sys, sysconfig
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(cmd, cwd, timeout=600, env=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert r.returncode == 0, f"{cmd} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('wheel')
    src = tmp / 'src'                                    # build from a copy: the checkout gets no build/ or egg-info
    for f in run(['git', 'ls-files', '-z'], ROOT).split('\0'):
        if f and (ROOT / f).is_file(): (src / f).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(ROOT / f, src / f)
    run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp / 'dist'), str(src)], tmp)
    wheel = next((tmp / 'dist').glob('ijepa_viz-*.whl'))
    venv = tmp / 'venv'
    run([sys.executable, '-m', 'venv', '--without-pip', str(venv)], tmp)
    run([sys.executable, '-m', 'pip', '--python', str(venv / 'bin' / 'python'), 'install', '--no-deps', '-q', str(wheel)], tmp)
    site = Path(run([str(venv / 'bin' / 'python'), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], tmp).strip())
    (site / 'project_deps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    work = tmp / 'elsewhere'; work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')} | {'MPLBACKEND': 'Agg'}
    return dict(wheel=wheel, bin=venv / 'bin', cwd=work, env=env)


def test_wheel_holds_the_checkpoints_and_configs(installed):
    import zipfile
    names = zipfile.ZipFile(installed['wheel']).namelist()
    for f in (ROOT / 'ckpts').glob('*'): assert f'ijepa_viz/ckpts/{f.name}' in names
    for f in (ROOT / 'configs').glob('*.yaml'): assert f'ijepa_viz/configs/{f.name}' in names


def test_installed_package_is_the_wheel_and_finds_its_data(installed):
    out = run([str(installed['bin'] / 'python'), '-c',
               'import ijepa_viz, ijepa_viz.hub as h, ijepa_viz.train as t; print(ijepa_viz.__file__); print(h.CKPT_DIR); '
               'print(h.bundled()); print(t.bundled_configs())'], installed['cwd'], env=installed['env']).splitlines()
    venv = str(installed['bin'].parent)
    assert out[0].startswith(venv) and out[1].startswith(venv), out            # not the checkout
    assert 'shapes-vit-tiny' in out[2] and 'tiny_cpu' in out[3]


def test_commands_work_outside_the_checkout(installed):
    b, cwd, env = installed['bin'], installed['cwd'], installed['env']
    said = run([str(b / 'ijepa-viz'), 'demo', '--out', 'report'], cwd, env=env)
    assert 'make lab' not in said and 'ExplorerApp' in said          # hints that work outside a checkout
    assert (cwd / 'report' / 'index.html').stat().st_size > 100_000
    page = (cwd / 'report' / 'index.html').read_text()
    assert 'What its predictor predicts on the bundled photos' in page and 'and the predictions decoded to pixels' in page   # the photo decoder, from the wheel
    out = run([str(b / 'ijepa-eval'), '--ckpt', 'shapes-vit-tiny', '--data', 'shapes', '--n-train', '300', '--n-test', '200',
               '--json', 'probe.json'], cwd, env=env)
    assert 'count' in out and json.loads((cwd / 'probe.json').read_text())
    run([str(b / 'ijepa-train'), '--config', 'tiny_cpu', '--set', 'optimization.epochs=1', '--set', 'data.dataset_size=64'], cwd, env=env)
    assert list((cwd / 'runs' / 'tiny_cpu').glob('*.pth.tar'))


def test_readme_snippet_runs_outside_the_checkout(installed):
    snippet = re.search(r'```python\n(import torch\n.*?)```', (ROOT / 'README.md').read_text(), re.S).group(1)
    out = run([str(installed['bin'] / 'python'), '-c', snippet], installed['cwd'], env=installed['env'])
    assert 'predictions' in out
