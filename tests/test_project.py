"Project-level checks: README, console scripts, safe checkpoint loading everywhere."
import re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_readme_is_generated_from_index_and_names_the_two_commands():
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    readme = (ROOT / 'README.md').read_text()
    assert 'make demo' in readme and 'make test' in readme


def test_makefile_has_the_two_commands_and_ci_calls_make_test():
    mk = (ROOT / 'Makefile').read_text()
    assert re.search(r'^demo:', mk, re.M) and re.search(r'^test:', mk, re.M)
    assert 'make test' in (ROOT / '.ci' / 'run').read_text()


def test_every_torch_load_is_weights_only():
    for f in list((ROOT / 'ijepa_viz').rglob('*.py')) + list((ROOT / 'benchmarks').rglob('*.py')):
        for m in re.finditer(r'torch\.load\(([^)]*)\)', f.read_text()):
            assert 'weights_only=True' in m.group(1), f'{f.name}: torch.load without weights_only=True: {m.group(0)}'


def test_library_lines_are_at_most_120_characters():
    # nbdev writes two kinds of line itself: each module's docstring (line 1, the chapter's one-line description) and
    # `__all__` (wrapped at its own width); every other line comes from a notebook cell and must fit in 120 characters
    long = []
    for f in sorted((ROOT / 'ijepa_viz').glob('*.py')):
        if f.name == '_modidx.py': continue
        lines, in_all = f.read_text().split('\n'), False
        for i, line in enumerate(lines, 1):
            in_all = line.startswith('__all__') or (in_all and not lines[i - 2].rstrip().endswith(']'))
            if len(line) > 120 and i > 1 and not in_all: long.append(f'{f.name}:{i} ({len(line)})')
    assert not long, f'{len(long)} library lines over 120 characters: {long[:20]}'


def test_cli_rejects_unknown_command():
    r = subprocess.run([str(BIN / 'ijepa-viz'), 'nonsense'], capture_output=True, text=True)
    assert r.returncode == 2 and 'invalid choice' in r.stderr


def test_docs_sidebar_lists_every_chapter_in_reading_order():
    import yaml
    side = yaml.safe_load((ROOT / 'nbs' / 'sidebar.yml').read_text())['website']['sidebar']['contents']
    listed = [c for item in side for c in ([item] if isinstance(item, str) else item['contents'])]
    chapters = sorted(str(p.relative_to(ROOT / 'nbs')) for p in (ROOT / 'nbs').rglob('*.ipynb')           # exercises/ too
                      if p.name != 'index.ipynb' and not any(part.startswith(('_', '.')) for part in p.relative_to(ROOT / 'nbs').parts))
    assert listed[0] == 'index.ipynb' and listed[1:] == chapters
    assert (ROOT / 'nbs' / '_quarto.yml').exists()
    assert re.search(r'^docs:', (ROOT / 'Makefile').read_text(), re.M)


def test_no_committed_picture_comes_from_the_shared_photos():
    "A notebook cell that reads ../shared/data (it names SHARED or HAVE) is committed without pictures: those photos are not ours to ship."
    import json
    bad = []
    for nb in sorted((ROOT / 'nbs').rglob('*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            src = ''.join(c['source'])
            if c['cell_type'] != 'code' or not re.search(r'\b(SHARED|HAVE)\b|shared/data', src): continue
            if any('image/png' in o.get('data', {}) or 'image/png;base64' in str(o.get('data', {}).get('text/html', ''))
                   for o in c.get('outputs', [])):
                bad.append(f'{nb.relative_to(ROOT)}: {src[:60]!r}')
    assert not bad, f'pictures in cells that read the shared photos (clear their outputs): {bad}'


def test_no_module_imports_a_later_chapter_at_its_top():
    "tools/chapter_order.py: every module imports only earlier chapters at its top (lazy imports inside functions are listed, allowed)."
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'chapter_order.py')], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
