"""The docs site (`make docs`, tools/docs.py) in a real browser, offline.

Builds `_docs/` (incremental: about 1 s when the notebooks did not change), serves it with `python -m http.server` on a
free local port, and opens every page in the system Chromium (driven by Playwright): each page has a title, every
image loads, no Quarto/nbdev directive shows, the navigation follows nbs/sidebar.yml, every link between pages lands
on a page and an anchor that exist, search finds an API entry, and no request goes to any host but this one.
Needs /usr/bin/chromium (`make test` installs it); never `playwright install`."""
import json, re, socket, subprocess, sys, time
from pathlib import Path
from urllib.parse import urlsplit, unquote
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / '_docs'
CHROMIUM = Path('/usr/bin/chromium')
SHOTS = ROOT / 'tests' / 'artifacts'
ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
RAW = re.compile(r'^\s*#\|'                                   # a cell directive at the start of a line
                 r'|show_doc\(|default_exp|\{target=|^output-file:|^::: ?\{\.callout', re.M)  # Quarto/nbdev source, never shown
sys.path.insert(0, str(ROOT / 'tools'))
import docs  # noqa: E402  (tools/docs.py)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def site():
    "Build (or bring up to date) `_docs/`; serve it on a free local port; stop the server at the end of the module."
    if not CHROMIUM.exists():
        pytest.fail(f'{CHROMIUM} is missing: install it with `apt-get install -y chromium` (`make test` does), not `playwright install`.')
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'docs.py')], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'tools/docs.py failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    print(f'docs built in {time.monotonic() - t0:.0f} s: {r.stdout.strip().splitlines()[-1]}')
    port = _free_port()
    proc = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '-d', str(DOCS)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try: socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline: pytest.fail('http.server did not start')
                time.sleep(0.1)
        yield f'http://127.0.0.1:{port}/'
    finally:
        proc.terminate()
        try: proc.wait(10)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait()


PAGE_JS = '''() => ({
  title: document.title, h1: (document.querySelector('article h1') || {}).textContent || '',
  text: document.querySelector('article').innerText,
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  broken: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
  images: document.images.length,
  nav: Array.from(document.querySelectorAll('.sidebar-tree a.reference')).map(a => a.href),
  sections: Array.from(document.querySelectorAll('.sidebar-tree p.caption')).map(p => p.innerText.trim()),
  brand: (document.querySelector('a.sidebar-brand') || {}).href || '',
})'''


@pytest.fixture(scope='module')
def pages(site, tmp_path_factory):
    "Every HTML page of the site, loaded in Chromium: {name: what PAGE_JS read}, plus the requests and page errors seen."
    from playwright.sync_api import sync_playwright
    names = sorted(p.stem for p in DOCS.glob('*.html'))
    requests, errors, out = [], [], {}
    failed = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(tmp_path_factory.mktemp('chromium-profile')), executable_path=str(CHROMIUM),
                                                   headless=True, args=ARGS, viewport={'width': 1280, 'height': 900})
        try:
            ctx.on('request', lambda r: requests.append(r.url))
            ctx.on('response', lambda r: r.status >= 400 and not r.url.endswith('/favicon.ico') and failed.append(f'{r.status} {r.url}'))
            pg = ctx.new_page()
            pg.on('pageerror', lambda e: errors.append(f'{pg.url}: {e}'))
            for name in names:
                pg.goto(f'{site}{name}.html', wait_until='load')
                if name == 'search': continue
                out[name] = pg.evaluate(PAGE_JS)
                if name in ('index', 'widgets'): pg.screenshot(path=str(SHOTS / f'docs_{name}.png'))
            pg.goto(f'{site}search.html?q=MultiBlockSampler', wait_until='load')
            pg.wait_for_selector('#search-results ul.search li a', timeout=20_000)
            out['search'] = {'hits': pg.eval_on_selector_all('#search-results ul.search li a', 'as => as.map(a => a.href)')}
        finally:
            ctx.close()
    errors += [f'HTTP {f}' for f in failed]
    return out, requests, errors


def test_every_page_renders(pages):
    out, _, errors = pages
    expected = set(docs.page_names().values())
    assert expected <= set(out), f'pages missing from _docs/: {expected - set(out)}'
    assert not errors, f'JavaScript errors or failed requests: {errors}'
    for name, pg in out.items():
        if name == 'search': continue
        assert pg['title'].strip() and pg['h1'].strip(), f'{name}.html has no title'
        assert not pg['broken'], f'{name}.html: images that did not load: {pg["broken"]}'
        shown = sorted({m.group(0) for m in RAW.finditer(pg['text'])})
        assert not shown, f'{name}.html shows raw directives {shown}'
    figures = {n: out[n]['images'] for n in ('masks', 'attention', 'widgets', 'walkthrough')}
    assert all(figures.values()), f'saved figures missing: {figures}'


def test_nbdev_processed_every_notebook(site):
    "nbdev rendered every chapter's API entries (its show_doc step re-runs each cell that mixes imports with other code)."
    errors = json.loads((ROOT / '_proc' / '_errors.json').read_text())
    assert not errors, ('pages built without their API entries, because nbdev could not process the notebook '
                        '(keep imports in cells of their own):\n' + '\n'.join(f'nbs/{n}: {e}' for n, e in errors.items()))


def test_navigation_is_the_sidebar(pages):
    out, _, _ = pages
    names = docs.page_names()
    want = [names[n] + '.html' for _, items in docs.sidebar() for n in items if n != 'index.ipynb']
    sections = [s for s, _ in docs.sidebar() if s]
    for name in ('index', 'masks'):
        nav = [urlsplit(h).path.rsplit('/', 1)[-1] for h in out[name]['nav']]
        assert nav == want, f'{name}.html: navigation {nav} != nbs/sidebar.yml {want}'
        assert [s.lower() for s in out[name]['sections']] == [s.lower() for s in sections]
        assert urlsplit(out[name]['brand']).path in ('/', '/index.html'), 'the site title leads to the landing page'
    assert 'Learn I-JEPA' in out['index']['text'], 'landing page = nbs/index.ipynb'


def test_internal_links_resolve(pages, site):
    out, _, _ = pages
    missing, anchored = [], 0
    for name, pg in out.items():
        for href in pg.get('links', []):
            u = urlsplit(href)
            if not href.startswith(site): continue
            path = unquote(u.path).lstrip('/') or 'index.html'
            target = Path(path).stem if path.endswith('.html') else None
            if target is None:
                if not (DOCS / path).exists(): missing.append(f'{name}.html -> {href}')
            elif target not in out and not (DOCS / path).exists(): missing.append(f'{name}.html -> {href}')
            elif u.fragment and target in out:
                anchored += target != name
                if unquote(u.fragment) not in out[target]['ids']: missing.append(f'{name}.html -> {href} (no such anchor)')
    assert not missing, 'broken internal links:\n' + '\n'.join(missing)
    assert anchored > 20, f'only {anchored} links to an anchor on another page: nbdev\'s links between chapters are missing'


def test_search_and_offline(pages, site):
    out, requests, _ = pages
    assert any('masks.html' in h for h in out['search']['hits']), f'search for MultiBlockSampler: {out["search"]["hits"]}'
    outside = sorted({r for r in requests if not r.startswith(site) and not r.startswith(('data:', 'blob:', 'about:'))})
    assert not outside, f'requests that leave the machine: {outside}'
    assert len(requests) > len(out), 'requests were recorded'


def test_exercise_and_lab_pages_are_the_students_versions(pages):
    "The site shows what students should read first: no exercise solution, no instructor's note or answer in the lab."
    out, _, _ = pages
    names = docs.page_names()
    for nb in sorted((ROOT / 'nbs' / 'exercises').glob('*.ipynb')):
        text = out[names[f'exercises/{nb.name}']]['text']
        solution = [l.strip() for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code'
                    for block in re.findall(r'# BEGIN SOLUTION\n(.*?)# END SOLUTION', ''.join(c['source']), re.S)
                    for l in block.splitlines() if len(l.strip()) > 25]
        assert solution, f'{nb.name}: no solution found to look for'
        shown = [l for l in solution if l in text]
        assert not shown, f'{nb.name}: the page shows its solution: {shown[:3]}'
        assert 'check_' in text, f'{nb.name}: the page lost its checks'
    lab = out[names[docs.LAB]]['text']
    assert 'For the instructor' not in lab and 'test plumbing' not in lab and 'QUICK = False' in lab
