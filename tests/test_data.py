"Data loading with worker processes (spawn), which a notebook cannot do with its own classes."
import io
import warnings

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader

from ijepa_viz.data import ImageFolder, Shapes, photo


def _batches(ds, **kw):
    return list(DataLoader(ds, batch_size=32, shuffle=False, **kw))


def test_shapes_workers_give_the_same_batches_as_one_process():
    ds = Shapes(n=96, size=32, seed=3)
    one = _batches(ds)
    two = _batches(ds, num_workers=2, multiprocessing_context='spawn')
    assert len(one) == len(two) == 3
    for (x1, y1), (x2, y2) in zip(one, two):
        assert x1.shape == (32, 3, 32, 32)
        assert torch.equal(x1, x2)
        assert y1.keys() == y2.keys() == {'count', 'shape', 'color', 'position', 'distance', 'distance_bin'}
        for k in y1: assert torch.equal(y1[k], y2[k]), k


def test_imagefolder_with_bad_files_survives_workers(tmp_path):
    for c in ('a', 'b'):
        (tmp_path / c).mkdir()
        for i in range(5): Image.fromarray(photo('coffee', 24 + 4 * i)).save(tmp_path / c / f'{i}.png')
    (tmp_path / 'a' / 'zz_corrupt.jpg').write_bytes(np.random.default_rng(0).bytes(2000))
    buf = io.BytesIO(); Image.fromarray(photo('astronaut', 96)).save(buf, 'JPEG')
    (tmp_path / 'b' / 'zz_truncated.jpg').write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    ds = ImageFolder(tmp_path, size=16)
    assert len(ds) == 12
    torch.manual_seed(0)
    batches = list(DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context='spawn'))
    assert sum(len(x) for x, _ in batches) == 12          # every item delivered, bad ones replaced
    assert all(x.shape[1:] == (3, 16, 16) for x, _ in batches)
    assert ds.bad_files == []                             # workers hold their own copies (documented)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert len(ds.check()) == 2                       # an audit in this process finds both
    msgs = ' '.join(str(w.message) for w in caught)
    assert 'zz_corrupt.jpg' in msgs and 'zz_truncated.jpg' in msgs
