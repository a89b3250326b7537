"Notebooks nbdev can process: its docs step re-runs every cell that holds an import, so imports live in import cells."
import ast, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The README's thirty-second snippet is one self-contained cell, meant to be copied whole.
SELF_CONTAINED = {('index.ipynb', 'ad96516d')}


def mixed_cells(nb_path: Path) -> list[str]:
    "Code cells (not exported) that hold an import beside other code, or an import nested in other code."
    out = []
    for c in json.loads(nb_path.read_text())['cells']:
        if c['cell_type'] != 'code' or (nb_path.name, c.get('id')) in SELF_CONTAINED: continue
        lines = ''.join(c['source']).split('\n')
        if any(l.strip().startswith('#|') and 'export' in l for l in lines): continue
        code = '\n'.join('' if l.strip().startswith(('#|', '%', '!')) else l for l in lines)
        tree = ast.parse(code)
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        if imports and not all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body):
            out.append(f"{nb_path.name} cell {c.get('id')}: {code.strip().splitlines()[0][:80]}")
    return out


def test_imports_live_in_import_cells():
    nbs = sorted((ROOT / 'nbs').rglob('*.ipynb'))
    assert nbs
    bad = [m for p in nbs if not any(part.startswith(('_', '.')) for part in p.relative_to(ROOT / 'nbs').parts)
           for m in mixed_cells(p)]
    assert not bad, 'move these imports into an import cell of their own (nbdev re-runs such cells for the docs):\n' + '\n'.join(bad)


def test_the_check_catches_a_mixed_cell(tmp_path):
    nb = {'cells': [{'cell_type': 'code', 'id': 'x', 'metadata': {}, 'source': ['import os\n', 'print(os.sep)']},
                    {'cell_type': 'code', 'id': 'y', 'metadata': {}, 'source': ['def f():\n', '    import os\n']},
                    {'cell_type': 'code', 'id': 'z', 'metadata': {}, 'source': ['#| hide\n', 'import os, sys']}]}
    (tmp_path / 'a.ipynb').write_text(json.dumps(nb))
    assert [m.split(':')[0] for m in mixed_cells(tmp_path / 'a.ipynb')] == ['a.ipynb cell x', 'a.ipynb cell y']
