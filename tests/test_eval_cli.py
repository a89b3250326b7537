"`ijepa-eval` from the command line: a table, JSON, and clear errors."
import json, subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(*args):
    return subprocess.run([str(BIN / 'ijepa-eval'), *args], capture_output=True, text=True, timeout=600)


def test_eval_prints_table_and_writes_json(tmp_path):
    out = tmp_path / 'r.json'
    r = run('--ckpt', 'shapes-vit-tiny', '--task', 'count', 'color', '--n-train', '400', '--n-test', '200', '--json', str(out))
    assert r.returncode == 0, r.stderr
    assert 'count' in r.stdout and 'margin' in r.stdout
    res = json.loads(out.read_text())
    assert res['method'] == 'linear' and set(res['results']) == {'count', 'color'}
    assert all(0 <= v <= 1 for t in res['results'].values() for v in t.values())


def test_eval_other_probes_and_layers_run():
    for method, says in (('knn', 'k-NN'), ('fewshot', '5-shot'), ('torch', 'linear head (torch)')):
        r = run('--ckpt', 'shapes-vit-tiny', '--task', 'position', '--n-train', '300', '--n-test', '150', '--method', method)
        assert r.returncode == 0, r.stderr
        assert says in r.stdout
    r = run('--ckpt', 'shapes-vit-tiny', '--task', 'count', '--n-train', '300', '--n-test', '150', '--layers', '-2', '-1')
    assert r.returncode == 0, r.stderr


def test_eval_errors_are_clear(tmp_path):
    r = run('--ckpt', 'shapes-vit-tiny', '--task', 'colour')
    assert r.returncode == 2 and "unknown task(s) ['colour']" in r.stderr
    r = run('--ckpt', str(tmp_path / 'missing'))
    assert r.returncode == 2 and 'no checkpoint' in r.stderr
