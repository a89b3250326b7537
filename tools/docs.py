"""Build the docs site `_docs/` from the notebooks, without Quarto: nbdev processes them, Sphinx + MyST-NB renders them.

    python tools/docs.py            # what `make docs` runs; incremental (about 1 s when nothing changed)
    python tools/docs.py --force    # reprocess every notebook and rebuild every page

0. The site publishes what students should read first: the students' versions of the exercises (solutions stripped
   by `otter assign`, as `make student` writes them) and of the lab (without the instructor's notes and answers;
   its pictures kept). Instructors have the solutions in `nbs/exercises/` and `nbs/15_lab.ipynb`.
1. nbdev's own processors (what `nbdev-proc-nbs` runs, without its Quarto install) write each notebook of
   `nbs/sidebar.yml` to `_proc/`: hidden cells removed, directives stripped, `show_doc` API entries rendered, names
   linked. A notebook nbdev cannot process (its show_doc step re-runs every cell that mixes imports with other code)
   is processed again without the API entries; the build says which notebook, cell and error.
2. Quarto-flavoured content is translated for MyST (`_proc/_sphinx/`): the front-matter raw cell becomes the title and
   lead paragraph, `#| echo: false` hides a cell's code, `#| output: asis` turns its Markdown output into page text,
   `{target=...}` link attributes become HTML links, links to the future site (`https://…/masks.html#x`) become
   links between pages. Widget views (blank without a kernel) become the explorer's picture, taken from the hidden
   cell that follows them, with a line on how to run them live.
3. Sphinx (theme Furo) writes `_docs/`: navigation = `nbs/sidebar.yml`, landing page = `nbs/index.ipynb`, Sphinx's
   own search (works over http and from file://). Nothing on a page is fetched from another host.
"""
import inspect, json, os, re, shutil, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))              # tools/exercises.py
NBS, PROC, OUT = ROOT / 'nbs', ROOT / '_proc', ROOT / '_docs'
SRC, DOCTREES = PROC / '_sphinx', PROC / '_doctrees'
HTML = PROC / '_build' / 'html'         # Sphinx's output (MyST-NB writes images beside it, in _build/jupyter_execute)
ERRORS = PROC / '_errors.json'          # notebooks nbdev could not process fully, with the error
WIDGET = 'application/vnd.jupyter.widget-view+json'
LIVE = ('Above, a widget\'s picture as it was drawn when the notebook last ran. To move its sliders, run it live: '
        '`make lab` opens this chapter in JupyterLab, `make app` serves the explorers as a Voila app on http://localhost:8866.')


def sidebar() -> list:
    "`nbs/sidebar.yml` as [(section title or None, [notebook names])], in order."
    import yaml
    out = []
    for item in yaml.safe_load((NBS / 'sidebar.yml').read_text())['website']['sidebar']['contents']:
        if isinstance(item, str): out.append((None, [item]))
        else: out.append((item['section'], [o if isinstance(o, str) else o['href'] for o in item['contents']]))
    return out


# ---------------------------------------------------------------- 1. nbdev's processing
def _proc_one(src: str, dst: str, full: bool = True):
    "Run nbdev's processors on one notebook (in a worker process, as nbdev.serve does); return None or the error."
    import warnings; warnings.filterwarnings('ignore', module='nbformat')
    os.chdir(ROOT)
    os.environ['IN_TEST'] = '1'
    from fastcore.nbio import read_nb, write_nb
    from nbdev import processors as P
    class Procs(P.FilterDefaults):
        def base_procs(self):
            return [p for p in super().base_procs() if full or p not in (P.add_show_docs, P.exec_show_docs)]
    try:
        nb = read_nb(src); Procs()(nb); Path(dst).parent.mkdir(parents=True, exist_ok=True); write_nb(nb, dst)
    except BaseException as e:
        return f'{type(e).__name__}: {e}'.strip()


STUDENT = PROC / '_student'              # the students' versions the site publishes in place of the instructor's
LAB = '15_lab.ipynb'


def student_sources(names: list) -> dict:
    "{notebook: the students' version to publish instead}: the exercises (otter assign) and the lab (its instructor cells dropped)."
    import exercises                                     # tools/exercises.py: what `make student` runs
    out = {}
    if any(n.startswith('exercises/') for n in names):
        built = {f'exercises/{p.name}': p for p in exercises.build(STUDENT / 'exercises')}
        out.update({n: p for n, p in built.items() if n in names})
    if LAB in names: out[LAB] = exercises.build_lab(STUDENT, keep_outputs=True)
    return out


def process(names: list, force: bool) -> dict:
    "Bring `_proc/NAME` up to date for every notebook in `names`; return {name: error} for those processed without API entries."
    PROC.mkdir(exist_ok=True)
    errors = json.loads(ERRORS.read_text()) if ERRORS.exists() and not force else {}
    modidx = ROOT / 'ijepa_viz' / '_modidx.py'           # names and anchors nbdev links to: any export can change every page
    since = lambda n: max((NBS / n).stat().st_mtime, modidx.stat().st_mtime if modidx.exists() else 0)
    stale = [n for n in names if force or not (PROC / n).exists() or (PROC / n).stat().st_mtime < since(n)]
    if not stale: return {n: e for n, e in errors.items() if n in names}
    src = {n: str(NBS / n) for n in stale} | {n: str(p) for n, p in student_sources(stale).items()}
    with ProcessPoolExecutor(max_workers=min(2, len(stale)), mp_context=get_context('spawn')) as pool:
        results = list(pool.map(_proc_one, [src[n] for n in stale], [str(PROC / n) for n in stale]))
        for n, err in zip(stale, results):
            errors.pop(n, None)
            if err is None: continue
            errors[n] = err
            again = _proc_one(src[n], str(PROC / n), full=False)
            if again: raise SystemExit(f'docs: nbdev could not process {n} even without API entries: {again}')
    ERRORS.write_text(json.dumps(errors, indent=1))
    return {n: e for n, e in errors.items() if n in names}


# ---------------------------------------------------------------- 2. Quarto-flavoured notebook -> MyST-NB notebook
def _text(v): return ''.join(v) if isinstance(v, list) else v

_DIRECTIVE = re.compile(r'^\s*#\|\s?(.*)$')
_ATTR_LINK = re.compile(r'\[([^\]\n]*)\]\(([^)\s]+)\)\{([^}]*)\}')
_CALLOUT = re.compile(r'^(:{3,})\s*\{\.callout-(\w+)[^}]*\}', re.M)


def slug(text: str) -> str:
    "A heading's anchor as Quarto (pandoc) makes it, e.g. `Shapes.scene` -> `shapes.scene`; MyST uses it too (conf.py)."
    s = re.sub(r'[^\w\s.-]', '', text.strip().lower())
    return re.sub(r'^[^a-z]+', '', re.sub(r'\s+', '-', s))


def heading_slugs(md: str) -> set:
    "Anchors of the Markdown headings in `md`."
    out = set()
    for h in re.findall(r'^#{1,6}\s+(.*?)\s*#*\s*$', re.sub(r'```.*?```', '', md, flags=re.S), re.M):
        out.add(slug(re.sub(r'[`*]', '', re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', h))))
    return out


UNLINKED = []      # nbdev's automatic links to anchors that no page has (reported by the build)


def translate_md(md: str, pages: dict, site: str, anchors: dict = None) -> str:
    "Quarto/nbdev Markdown -> MyST: links between pages, `{target=...}` attributes, callouts."
    def link(url: str) -> str:
        if site and url.startswith(site): url = url[len(site):].lstrip('/')
        if '://' in url or url.startswith(('mailto:', '#')): return url
        path, _, anchor = url.partition('#')
        stem = Path(path).stem
        page = pages.get(path) or pages.get(stem + '.ipynb') or (stem if stem in pages.values() else None)
        return f'{page}.ipynb' + (f'#{anchor}' if anchor else '') if page else url
    def plain_link(m):
        text, url = m.group(1), link(m.group(2))
        page, _, anchor = url.partition('#')
        if (anchors is not None and anchor and page.endswith('.ipynb') and anchor not in anchors.get(page[:-6], ())
                and re.fullmatch(r'`[^`]+`', text)):                    # nbdev's guess of a name's anchor, wrong
            UNLINKED.append(f'{text} -> {url}'); return text
        return f'[{text}]({url})'
    def attr_link(m):
        text, url, attrs = m.group(1), link(m.group(2)), m.group(3)
        kv = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        if re.search(r'[`*_\[<]', text): return f'[{text}]({url})'          # keep Markdown text a Markdown link
        extra = ''.join(f' {k}="{v}"' for k, v in kv.items() if k in ('target', 'style', 'title'))
        if kv.get('target') == '_blank': extra += ' rel="noopener"'
        return f'<a href="{url}"{extra}>{text}</a>'
    md = _ATTR_LINK.sub(attr_link, md)
    md = re.sub(r'(?<!!)\[([^\]\n]*)\]\(([^)\s]+)\)', plain_link, md)
    kinds = ('note', 'tip', 'warning', 'important', 'caution')
    md = _CALLOUT.sub(lambda m: m.group(1) + '{' + (m.group(2) if m.group(2) in kinds else 'note') + '}', md)
    return re.sub(r'\A\s*---\s*\n', '<hr class="api">\n\n', md)    # show_doc's rule: a transition cannot open a section


def directives(src: str):
    "Split a code cell's leading `#|` lines from its code: ({key: value}, code)."
    opts, lines = {}, src.splitlines()
    while lines and (m := _DIRECTIVE.match(lines[0])):
        k, _, v = m.group(1).partition(':') if ':' in m.group(1) else (m.group(1).split(' ')[0], '', ' '.join(m.group(1).split(' ')[1:]))
        opts[k.strip()] = v.strip() or True
        lines.pop(0)
    return opts, '\n'.join(lines).strip('\n')


def widget_pictures(raw_nb: dict) -> dict:
    "{widget model_id: image/png} from the raw notebook: the Output widget's saved state, else the (hidden) cell after the view."
    states = raw_nb.get('metadata', {}).get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    pngs, cells = {}, raw_nb['cells']
    for i, c in enumerate(cells):
        for o in c.get('outputs', []):
            if WIDGET not in o.get('data', {}): continue
            mid = o['data'][WIDGET].get('model_id')
            found = [oo['data']['image/png'] for s in states.values() if s.get('model_name') == 'OutputModel'
                     for oo in s.get('state', {}).get('outputs', []) if 'image/png' in oo.get('data', {})]
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if nxt and nxt['cell_type'] == 'code':
                found += [oo['data']['image/png'] for oo in nxt.get('outputs', []) if 'image/png' in oo.get('data', {})]
            if found: pngs[mid] = found[-1]
    return pngs


def translate_nb(nb: dict, raw_nb: dict, pages: dict, site: str, note: str = '', anchors: dict = None) -> tuple:
    "A processed notebook -> (its page name, a notebook MyST-NB renders as nbdev/Quarto would)."
    pictures, cells, title, page = widget_pictures(raw_nb), [], None, None
    md_cell = lambda s: {'cell_type': 'markdown', 'metadata': {}, 'source': s}
    for c in nb['cells']:
        src = _text(c.get('source', ''))
        if c['cell_type'] == 'raw':
            if src.strip().startswith('---') and title is None:         # Quarto front matter
                import yaml
                fm = yaml.safe_load(src.strip().strip('-')) or {}
                title, page = fm.get('title', ''), Path(fm.get('output-file', '')).stem or None
                lead = f'\n\n{fm["description"]}' if fm.get('description') else ''
                cells.append(md_cell(f'# {title}{lead}' + (f'\n\n{note}' if note else '')))
            continue
        if c['cell_type'] == 'markdown':
            if src.strip() == '<!-- WARNING: THIS FILE WAS AUTOGENERATED! DO NOT EDIT! -->': continue
            cells.append(md_cell(translate_md(src, pages, site, anchors)))
            continue
        opts, code = directives(src)
        if opts.get('hide') or str(opts.get('include', '')).lower() == 'false': continue
        outputs, live = [], False
        for o in c.get('outputs', []):
            data = o.get('data', {})
            if WIDGET in data:
                png = pictures.get(data[WIDGET].get('model_id'))
                o = {'output_type': 'display_data', 'metadata': {},
                     'data': {'image/png': png, 'text/plain': '<widget picture>'} if png else
                             {'text/markdown': '*(a widget: no picture of it was saved with the notebook)*'}}
                outputs.append(o); live = True
                continue
            if 'text/markdown' in data: data['text/markdown'] = translate_md(_text(data['text/markdown']), pages, site, anchors)
            outputs.append(o)
        if str(opts.get('output', '')).lower() == 'asis':            # Markdown output becomes page text
            if str(opts.get('echo', '')).lower() != 'false' and code: cells.append(_code(code, []))
            for o in outputs:
                md = _text(o.get('data', {}).get('text/markdown', '')) or _text(o.get('text', ''))
                if md.strip(): cells.append(md_cell(md))
            continue
        cell = _code(code, outputs)
        tags = [t for k, t in (('echo', 'remove-input'), ('output', 'remove-output')) if str(opts.get(k, '')).lower() == 'false']
        if tags: cell['metadata']['tags'] = tags
        if not code and not outputs: continue
        cells.append(cell)
        if live: cells.append(md_cell(f':::{{tip}}\n{LIVE}\n:::'))
    meta = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
            'language_info': {'name': 'python', 'pygments_lexer': 'ipython3'}}
    for i, c in enumerate(cells): c['id'] = f'c{i}'
    return page, {'cells': cells, 'metadata': meta, 'nbformat': 4, 'nbformat_minor': 5}


def _code(code, outputs):
    return {'cell_type': 'code', 'metadata': {}, 'source': code, 'outputs': outputs, 'execution_count': None}


CONF = '''# generated by tools/docs.py
project = {title!r}
html_title = {title!r}
extensions = ['myst_nb', 'sphinx.ext.githubpages']
exclude_patterns = ['_build', '**.ipynb_checkpoints']
root_doc = 'index'
nb_execution_mode = 'off'
nb_render_markdown_format = 'myst'
nb_merge_streams = True
myst_heading_anchors = 4
import sys; sys.path.insert(0, __import__('os').path.dirname(__file__))
myst_heading_slug_func = '_slug.slug'          # Quarto's anchors, so nbdev's links resolve
myst_enable_extensions = ['colon_fence', 'attrs_inline']
suppress_warnings = ['myst.header']
html_theme = 'furo'
html_static_path = ['_static']
html_css_files = ['site.css']
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_theme_options = {{'navigation_with_keys': True}}
html_permalinks_icon = '#'
'''

CSS = '''/* generated by tools/docs.py */
div.cell_output { border-left: 2px solid lightsalmon; padding-left: .6rem; }
div.cell_output img { max-width: 100%; height: auto; }
'''


def page_names(names: list = None) -> dict:
    "{notebook: page name} (`_docs/PAGE.html`), the page named by the front matter's output-file, as Quarto does."
    pages = {}
    for n in names or [n for _, items in sidebar() for n in items]:
        nb = json.loads((PROC / n).read_text())
        fm = next((_text(c['source']) for c in nb['cells'] if c['cell_type'] == 'raw'), '')
        m = re.search(r'^output-file:\s*(\S+)', fm, re.M)
        pages[n] = 'index' if n == 'index.ipynb' else Path(m.group(1)).stem if m else Path(n).stem
    return pages


def write_if_changed(path: Path, text: str):
    if not path.exists() or path.read_text() != text: path.write_text(text)


def sphinx_source(names: list, errors: dict) -> None:
    "Write `_proc/_sphinx/`: one notebook per page, conf.py, the section toctrees on the landing page."
    import tomllib
    cfg = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    site = cfg['project'].get('urls', {}).get('Documentation', '').rstrip('/')
    title = cfg.get('tool', {}).get('nbdev', {}).get('title') or cfg['project']['name']
    (SRC / '_static').mkdir(parents=True, exist_ok=True)
    procd = {n: json.loads((PROC / n).read_text()) for n in names}
    pages = page_names(names)
    anchors = {}
    for n in names:
        md = [_text(c['source']) for c in procd[n]['cells'] if c['cell_type'] == 'markdown']
        md += [_text(o['data']['text/markdown']) for c in procd[n]['cells'] for o in c.get('outputs', []) if 'text/markdown' in o.get('data', {})]
        fm = next((_text(c['source']) for c in procd[n]['cells'] if c['cell_type'] == 'raw'), '')
        md += [f'# {t}' for t in re.findall(r'^title:\s*(.+)$', fm, re.M)]
        anchors[pages[n]] = set().union(*map(heading_slugs, md))
    UNLINKED.clear()
    written = set()
    for n in names:
        note = (f'*This page shows the chapter without its API reference entries: nbdev could not process it '
                f'(`{errors[n].splitlines()[0][:200]}`).*') if n in errors else ''
        _, nb = translate_nb(procd[n], json.loads((NBS / n).read_text()), pages, site, note, anchors)
        if n == 'index.ipynb':
            for section, items in sidebar():
                body = '\n'.join(pages[i] for i in items if i != 'index.ipynb')
                if not body: continue
                cap = f':caption: {section}\n' if section else ''
                nb['cells'].append({'cell_type': 'markdown', 'metadata': {},
                                    'source': f'```{{toctree}}\n:hidden:\n{cap}\n{body}\n```'})
        write_if_changed(SRC / f'{pages[n]}.ipynb', json.dumps(nb, indent=1))
        written.add(f'{pages[n]}.ipynb')
    for f in SRC.glob('*.ipynb'):
        if f.name not in written: f.unlink()
    write_if_changed(SRC / 'conf.py', CONF.format(title=title))
    write_if_changed(SRC / '_slug.py', f'import re\n\n\n{inspect.getsource(slug)}')
    if UNLINKED: print(f'docs: {len(UNLINKED)} automatic links of nbdev point at anchors no page has; left as text: '
                       + ', '.join(sorted(set(UNLINKED))))
    write_if_changed(SRC / '_static' / 'site.css', CSS)


# ---------------------------------------------------------------- 3. Sphinx
def build(force: bool = False) -> int:
    t0 = time.monotonic()
    order = [n for _, items in sidebar() for n in items]
    missing = [n for n in order if not (NBS / n).exists()]
    if missing: raise SystemExit(f'docs: nbs/sidebar.yml names notebooks that do not exist: {missing}')
    if force: [shutil.rmtree(d, ignore_errors=True) for d in (SRC, DOCTREES, HTML.parent)]
    errors = process(order, force)
    t1 = time.monotonic()
    for n, e in errors.items():
        print(f'docs: nbdev could not render the API entries of nbs/{n}; its page is built without them.\n      {e}')
    sphinx_source(order, errors)
    from sphinx.cmd.build import build_main
    rc = build_main(['-b', 'html', '-q', '-j', '2', '-d', str(DOCTREES), str(SRC), str(HTML)])
    if rc: return rc
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(HTML, OUT, ignore=shutil.ignore_patterns('.buildinfo*', '_sources'))
    files = [p for p in OUT.rglob('*') if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    pages = len(list(OUT.glob('*.html'))) - sum((OUT / p).exists() for p in ('genindex.html', 'search.html'))
    print(f'docs: {OUT.relative_to(ROOT)}/ written: {pages} pages, {len(files)} files, {size / 1e6:.1f} MB, '
          f'in {time.monotonic() - t0:.0f} s (nbdev {t1 - t0:.0f} s, Sphinx {time.monotonic() - t1:.0f} s). '
          f'Serve it with: python -m http.server -d _docs')
    return 0


if __name__ == '__main__':          # run as the module `docs`, so that the spawned workers find `_proc_one`
    sys.path.insert(0, str(Path(__file__).parent))
    import docs
    sys.exit(docs.build(force='--force' in sys.argv))
