"""The demo report (`ijepa-viz demo`) as a reader gets it: written once and offline, refused a second time without
--overwrite, then opened in the system Chromium on a 1400-px window: no request leaves the machine and every picture is
shown at its own width, or at the page's where it is wider (never squeezed below either). That its text is >= 11 px at
that width is checked in chapter 10 (`text_sizes`). Screenshot: tests/artifacts/report.png (git-ignored)."""
import re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path('/usr/bin/chromium')
SHOTS = ROOT / 'tests' / 'artifacts'


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp('report')
    r = subprocess.run([str(BIN / 'ijepa-viz'), 'demo', '--out', str(out), '--quiet'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return out, r


def test_demo_cli_writes_an_offline_report(report):
    out, r = report
    page = (out / 'index.html').read_text()
    assert str(out / 'index.html') in r.stdout and not r.stderr.strip(), r.stderr      # --quiet: no progress bar
    assert page.count('<img src="data:image/png;base64,') >= 2
    assert not re.search(r'(src|href)="https?://', page)
    # a second report into the same folder is refused at once, the first left as it was; --overwrite replaces it
    again = subprocess.run([str(BIN / 'ijepa-viz'), 'demo', '--out', str(out)], capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and 'holds an earlier report' in again.stderr and '--overwrite' in again.stderr, again.stderr
    assert (out / 'index.html').read_text() == page


def test_report_in_chromium_uses_the_page_and_asks_nothing_of_another_host(report):
    if not CHROMIUM.exists(): pytest.fail(f'{CHROMIUM} is missing: `make test` installs it (apt-get install -y chromium)')
    from playwright.sync_api import sync_playwright
    out, _ = report
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=['--no-sandbox', '--disable-gpu'])
        try:
            pg = browser.new_page(viewport={'width': 1400, 'height': 900})
            requests = []
            pg.on('request', lambda q: requests.append(q.url))
            pg.goto((out / 'index.html').as_uri())
            column = pg.evaluate("document.body.clientWidth - parseFloat(getComputedStyle(document.body).paddingLeft) "
                                 "- parseFloat(getComputedStyle(document.body).paddingRight)")
            imgs = pg.locator('img')
            assert imgs.count() >= 10
            for i in range(imgs.count()):
                shown = imgs.nth(i).bounding_box()['width']
                natural = imgs.nth(i).evaluate('e => e.naturalWidth')
                assert shown >= min(natural, column) - 1 and shown >= 450, (i, shown, natural, column)
            pg.screenshot(path=str(SHOTS / 'report.png'), full_page=True)
        finally:
            browser.close()
    assert all(u.startswith(('file:', 'data:')) for u in requests), [u for u in requests if not u.startswith(('file:', 'data:'))][:3]
