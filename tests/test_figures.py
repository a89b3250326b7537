"""`ijepa-viz figures DIR`: the course's key figures for slides, each a valid PNG exactly 1600 px wide and a valid SVG of
the same proportions, listed with their sizes in DIR/figures.json. Runs the console script as a user would (with a few
decoder steps, so that it takes well under a minute)."""
import json, struct, subprocess, sys, time, zlib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name('ijepa-viz')
WANT = {'architectures', 'masks', 'mask_quirks', 'dataflow', 'decoded', 'attention', 'attention_photo', 'learning_curve'}


def png_size(path: Path) -> tuple:
    "(width, height) from a PNG's IHDR chunk, after checking the signature and the chunk's CRC."
    b = path.read_bytes()
    assert b[:8] == b'\x89PNG\r\n\x1a\n', f'{path.name} is not a PNG'
    n, kind = struct.unpack('>I4s', b[8:16])
    assert kind == b'IHDR' and n == 13
    assert struct.unpack('>I', b[29:33])[0] == zlib.crc32(b[12:29]), f'{path.name}: corrupt IHDR'
    assert b.rstrip(b'\x00')[-8:-4] == b'IEND', f'{path.name} is truncated'
    return struct.unpack('>II', b[16:24])


def test_figures_command(tmp_path):
    t0 = time.monotonic()
    r = subprocess.run([str(EXE), 'figures', str(tmp_path / 'slides'), '--steps', '3'], capture_output=True, text=True, timeout=300)
    secs = time.monotonic() - t0
    assert r.returncode == 0, r.stderr[-3000:]
    print(f'ijepa-viz figures: {secs:.0f} s')
    out = tmp_path / 'slides'
    rows = json.loads((out / 'figures.json').read_text())
    assert {row['name'] for row in rows} == WANT
    for row in rows:
        w, h = png_size(out / row['png'])
        assert (w, h) == tuple(row['png_size']) and w == 1600 and h > 100, (row['name'], w, h)
        root = ET.parse(out / row['svg']).getroot()
        assert root.tag == '{http://www.w3.org/2000/svg}svg', row['svg']
        sw, sh = (float(root.get(k).removesuffix('pt')) for k in ('width', 'height'))
        assert (sw, sh) == tuple(pytest_approx(v) for v in row['svg_size_pt']), (row['name'], sw, sh)
        assert abs(sw / sh - w / h) < 0.02 * (w / h), f"{row['name']}: SVG {sw}x{sh} pt and PNG {w}x{h} px differ in shape"
        assert len(root.findall('.//{http://www.w3.org/2000/svg}path')) > 5, f"{row['svg']} draws nothing"
    assert len(list(out.glob('*.png'))) == len(list(out.glob('*.svg'))) == len(WANT)


def pytest_approx(v):
    import pytest
    return pytest.approx(v, abs=0.02)


def test_figures_bad_width_is_one_line(tmp_path):
    r = subprocess.run([str(EXE), 'figures', str(tmp_path), '--width', '10'], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert '--width must be at least 100' in r.stderr.strip().splitlines()[-1]
