"""Write README.md from nbs/index.ipynb (nbdev-readme needs Quarto, which is not installable here).

Markdown cells are copied, code cells fenced as Python; outputs are left out.
`python tools/readme.py --check` exits 1 when README.md differs from what it would write.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def render(nb_path=root / 'nbs' / 'index.ipynb') -> str:
    parts = []
    for cell in json.loads(nb_path.read_text())['cells']:
        src = ''.join(cell['source']).strip()
        if not src or src.startswith('#|'): continue
        parts.append(src if cell['cell_type'] == 'markdown' else f'```python\n{src}\n```')
    head = '<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, then run it -->\n\n'
    return head + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, readme = render(), root / 'README.md'
    if '--check' in sys.argv:
        ok = readme.exists() and readme.read_text() == text
        print('README.md is up to date' if ok else 'README.md differs from nbs/index.ipynb: run python tools/readme.py')
        sys.exit(0 if ok else 1)
    readme.write_text(text); print(f'wrote {readme}')
