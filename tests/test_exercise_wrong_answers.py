"""Plausible wrong answers to the five course exercises, and what the checks must say to each.

Every wrong answer is a small function a student might write (most are the instructor's solution with one mistake), paired
with a distinctive part of the message its check must give. The right answers are run too, as controls: they must pass, and
print exactly one line. Then: every untouched stub says "not done yet", and what a student sees of a failure in Jupyter
(IPython) holds the message and no frame of ijepa_viz/exercises.py.

The solutions come from the instructor's notebooks (nbs/exercises/), run in this process; the whole module takes seconds."""
import contextlib, io, json, math, re, traceback, warnings
from pathlib import Path
import pytest
import torch
import torch.nn.functional as F
from ijepa_viz import exercises as ex
from ijepa_viz.exercises import ExerciseError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / 'nbs' / 'exercises').glob('*.ipynb'))


def _solutions() -> dict:
    "Every name the instructor's notebooks define (check cells left out), in one namespace."
    ns = {'__name__': '__main__'}
    for nb in NOTEBOOKS:
        for c in json.loads(nb.read_text())['cells']:
            src = ''.join(c['source'])
            if c['cell_type'] == 'code' and not src.strip().startswith('check_'):
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    exec(compile(src, nb.name, 'exec'), ns)
    return ns


S = _solutions()


def run_check(check, fn):
    "Run `check(fn)`: (the ExerciseError or None, what it printed). Any other exception fails the test (it escaped the check)."
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try: check(fn)
        except ExerciseError as e: return e, buf.getvalue()
    return None, buf.getvalue()


# ---------------------------------------------------------------- (a) masks: the solution, with one mistake at a time
def sampler(top_end=0, retry=True, as_list=False, size_per_block=False, remove_targets=True, use_generator=True,
            blocks=4, clamp=True, flatten=True):
    "Exercise (a)'s sampler; each argument away from its default is one mistake (`top_end=1`: tops drawn from 0..H-h)."
    def sample_masks(grid_size, generator):
        H, W = grid_size
        gen = dict(generator=generator) if use_generator else {}
        def size(scale, aspect):
            r = torch.rand(1, **gen).item()
            s = scale[0] + r * (scale[1] - scale[0]); a = aspect[0] + r * (aspect[1] - aspect[0])
            n = int(H * W * s)
            h, w = round(math.sqrt(n * a)), round(math.sqrt(n / a))
            return (min(h, H - 1), min(w, W - 1)) if clamp else (h, w)
        th, tw = size((0.15, 0.2), (0.75, 1.5))
        ch, cw = size((0.85, 1.0), (1.0, 1.0))
        targets, covered = [], torch.zeros(H, W, dtype=torch.bool)
        for _ in range(blocks):
            if size_per_block: th, tw = size((0.15, 0.2), (0.75, 1.5))
            top = torch.randint(0, H - th + top_end, (1,), **gen).item()
            left = torch.randint(0, W - tw + top_end, (1,), **gen).item()
            block = torch.zeros(H, W, dtype=torch.bool); block[top:top + th, left:left + tw] = True
            covered |= block
            targets.append(block.flatten().nonzero().flatten())
        while True:
            top = torch.randint(0, H - ch + top_end, (1,), **gen).item()
            left = torch.randint(0, W - cw + top_end, (1,), **gen).item()
            ctx = torch.zeros(H, W, dtype=torch.bool); ctx[top:top + ch, left:left + cw] = True
            if remove_targets: ctx &= ~covered
            if ctx.sum() > 10 or not retry: break
        context = ctx.flatten().nonzero()
        return (context.flatten() if flatten else context), (targets if as_list else torch.stack(targets))
    return sample_masks


MASKS = [
    ('tops drawn from 0..H-h', sampler(top_end=1), 'never covers the last row or column'),
    ('no min_keep retry', sampler(retry=False), 'the min_keep rule draws the context block again'),
    ('targets as a Python list', sampler(as_list=True), 'targets must be a LongTensor'),
    ('a size per target block', sampler(size_per_block=True), 'ONE target size'),
    ('targets left in the context', sampler(remove_targets=False), 'removes every target patch'),
    ('the global random generator', sampler(use_generator=False), 'seeded alike gave different masks'),
    ('three target blocks', sampler(blocks=3), 'expected 4 target blocks'),
    ('no cap at H-1 by W-1', sampler(clamp=False), 'leaves no room'),
    ('nonzero() without flatten()', sampler(flatten=False), 'context must be a 1-D LongTensor'),
    ('a boolean mask for the context', lambda grid, g: (lambda c, t: (torch.zeros(grid[0] * grid[1], dtype=torch.bool).index_fill(0, c, True), t))(*sampler()(grid, g)),
     'a boolean mask'),
]


# ---------------------------------------------------------------- (b) the predictor's input and the gather
def predictor_input(context_first=True, ctx_pos=True, mask_pos=True, mask_token=True, embed=True, image_major=True, flat=True):
    "Exercise (b)'s predictor input; each argument away from its default is one mistake."
    def fn(pred, context_tokens, context_idx, target_idx):
        B, M, Nt = target_idx.shape
        pos = pred.predictor_pos_embed.expand(B, -1, -1)
        Dp = pos.shape[-1]
        x = pred.predictor_embed(context_tokens) if embed else context_tokens
        if ctx_pos: x = x + torch.gather(pos, 1, context_idx[..., None].expand(-1, -1, Dp))
        t = torch.gather(pos, 1, target_idx.reshape(B, M * Nt, 1).expand(-1, -1, Dp)).reshape(B, M, Nt, Dp)
        if not mask_pos: t = torch.zeros_like(t)
        if mask_token: t = pred.mask_token + t
        parts = [x[:, None].expand(-1, M, -1, -1), t]
        out = torch.cat(parts if context_first else parts[::-1], 2)
        if not flat: return out
        return out.flatten(0, 1) if image_major else out.transpose(0, 1).flatten(0, 1)
    return fn


def gather_list(h, target_idx):
    return [torch.stack([h[b, target_idx[b, m]] for m in range(target_idx.shape[1])]) for b in range(len(h))]


PREDICTOR = [
    ('mask tokens without positions', predictor_input(mask_pos=False), 'carry no positions'),
    ('mask tokens first', predictor_input(context_first=False), 'the mask tokens come first'),
    ('context tokens without positions', predictor_input(ctx_pos=False), 'lack their positions'),
    ('rows block by block', predictor_input(image_major=False), 'block-major'),
    ('no mask token', predictor_input(mask_token=False), 'the mask token itself is missing'),
    ('no predictor_embed', predictor_input(embed=False), 'your function raised RuntimeError'),
    ('[B, M, Nc+Nt, Dp] not flattened', predictor_input(flat=False), 'flatten images and blocks'),
]
GATHER = [
    ("image 0's indices for every image", lambda h, idx: h[:, idx[0].reshape(-1)].reshape(*idx.shape, h.shape[-1]), "image 0's indices"),
    ('h[target_idx]', lambda h, idx: h[idx], 'your function raised IndexError'),
    ('a list per image', gather_list, 'torch.stack (or torch.cat) the list'),
    ('no reshape to [B, M, Nt, D]', lambda h, idx: torch.gather(h, 1, idx.flatten(1)[..., None].expand(-1, -1, h.shape[-1])),
     'expected shape [B, M, Nt, D]'),
]


# ---------------------------------------------------------------- (c) the loss and the EMA
def gather(h, idx): return S['gather_targets'](h, idx)


def unbiased_ln(h): return (h - h.mean(-1, keepdim=True)) / h.std(-1, keepdim=True)


LN_RULE = 'over the feature dimension (the last one) without affine parameters'
LOSS = [
    ('squared L2', lambda p, h, idx: F.mse_loss(p, gather(F.layer_norm(h, h.shape[-1:]), idx).detach()), 'squared L2'),
    ('no layer norm', lambda p, h, idx: F.smooth_l1_loss(p, gather(h, idx).detach()), 'not layer-normed'),
    ('layer norm over patches and features', lambda p, h, idx: F.smooth_l1_loss(p, gather(F.layer_norm(h, h.shape[-2:]), idx).detach()), LN_RULE),
    ('layer norm over the patches', lambda p, h, idx: F.smooth_l1_loss(p, gather(F.layer_norm(h.transpose(1, 2), h.shape[1:2]).transpose(1, 2), idx).detach()), LN_RULE),
    ('layer norm with normalized_shape (N,)', lambda p, h, idx: F.smooth_l1_loss(p, gather(F.layer_norm(h, h.shape[1:2]), idx).detach()), 'F.layer_norm(h, h.shape[-1:])'),
    ('hand-made norm, unbiased std', lambda p, h, idx: F.smooth_l1_loss(p, gather(unbiased_ln(h), idx).detach()), 'unbiased standard deviation'),
    ('targets not detached', lambda p, h, idx: F.smooth_l1_loss(p, gather(F.layer_norm(h, h.shape[-1:]), idx)), 'gradient reaches the target features'),
    ('sum, not mean', lambda p, h, idx: F.smooth_l1_loss(p, gather(F.layer_norm(h, h.shape[-1:]), idx).detach(), reduction='sum'), 'this is the sum'),
    ('L1', lambda p, h, idx: F.l1_loss(p, gather(F.layer_norm(h, h.shape[-1:]), idx).detach()), 'the L1 distance'),
    ('no reduction', lambda p, h, idx: F.smooth_l1_loss(p, gather(F.layer_norm(h, h.shape[-1:]), idx).detach(), reduction='none'), 'must return a scalar tensor'),
    ('predictions layer-normed too', lambda p, h, idx: F.smooth_l1_loss(F.layer_norm(p, p.shape[-1:]), gather(F.layer_norm(h, h.shape[-1:]), idx).detach()),
     'the predictions are layer-normed too'),
]


@torch.no_grad()
def ema_swapped(target, online, momentum):
    for p, q in zip(target.parameters(), online.parameters()): p.mul_(1 - momentum).add_(q, alpha=momentum)


@torch.no_grad()
def ema_rebinds(target, online, momentum):
    for p, q in zip(target.parameters(), online.parameters()): p = momentum * p + (1 - momentum) * q  # noqa: F841


def ema_with_grad(target, online, momentum):
    for p, q in zip(target.parameters(), online.parameters()): p.mul_(momentum).add_(q, alpha=1 - momentum)


@torch.no_grad()
def ema_moves_online(target, online, momentum):
    for p, q in zip(online.parameters(), target.parameters()): p.mul_(momentum).add_(q, alpha=1 - momentum)


EMA = [
    ('momentum swapped', ema_swapped, 'the weights are swapped'),
    ('new tensors, nothing in place', ema_rebinds, 'the target network did not change'),
    ('without torch.no_grad()', ema_with_grad, 'under torch.no_grad()'),
    ('the online network moves', ema_moves_online, 'the online network changed'),
]


# ---------------------------------------------------------------- (d) rollout
def rollout(order='left', renorm=True, residual=True, heads='mean', out='product'):
    def fn(attn, r=0.5):
        mats = []
        for a in attn:
            a = a.mean(0) if heads == 'mean' else a.amax(0)
            if residual: a = (1 - r) * a + r * torch.eye(a.shape[-1])
            if renorm: a = a / a.sum(-1, keepdim=True)
            mats.append(a)
        if out == 'list': return mats
        R = mats[0]
        for a in mats[1:]: R = a @ R if order == 'left' else R @ a
        return torch.stack([R] * len(mats)) if out == 'stack' else R
    return fn


ROLLOUT = [
    ('product in the wrong order', rollout(order='right'), 'the product is in the wrong order'),
    ('rows not renormalised', rollout(renorm=False), 'the rows are not renormalised'),
    ('no residual', rollout(residual=False), 'the residual is missing'),
    ('max over heads', rollout(heads='max'), 'maximum over the heads'),
    ('a list of matrices', rollout(out='list'), 'expected a tensor [N, N], got a list'),
    ('one map per block', rollout(out='stack'), 'expected shape [N, N]'),
]


# ---------------------------------------------------------------- (e) features and the probe
def probe(standardise=True, score_on='test', scale=1.0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    def fn(train_x, train_y, test_x, test_y):
        if standardise:
            sc = StandardScaler().fit(train_x); train_x, test_x = sc.transform(train_x), sc.transform(test_x)
        clf = LogisticRegression(max_iter=2000).fit(train_x, train_y)
        if score_on == 'predictions': return clf.predict(test_x)
        return scale * (clf.score(train_x, train_y) if score_on == 'train' else clf.score(test_x, test_y))
    return fn


FEATURES = [
    ('no torch.no_grad()', lambda enc, x: enc(x).mean(1), 'the features carry gradients'),
    ('mean over the features', torch.no_grad()(lambda enc, x: enc(x).mean(-1)), 'averaged over the feature dimension'),
    ('the first token', torch.no_grad()(lambda enc, x: enc(x)[:, 0]), "the first patch's token"),
    ('a numpy array', torch.no_grad()(lambda enc, x: enc(x).mean(1).numpy()), 'torch.from_numpy'),
]
PROBE = [
    ('accuracy on the training set', probe(score_on='train'), 'measured on the training set'),
    ('no standardisation', probe(standardise=False), 'standardise the features'),
    ('a percentage', probe(scale=100.0), 'as a fraction in [0, 1]'),
    ('the predictions, not the accuracy', probe(score_on='predictions'), 'the test accuracy as one number'),
]

WRONG = ([(ex.check_mask_sampler, *w) for w in MASKS] + [(ex.check_predictor_input, *w) for w in PREDICTOR]
         + [(ex.check_gather_targets, *w) for w in GATHER] + [(ex.check_loss, *w) for w in LOSS]
         + [(ex.check_ema, *w) for w in EMA] + [(ex.check_rollout, *w) for w in ROLLOUT]
         + [(ex.check_features, *w) for w in FEATURES] + [(ex.check_linear_probe, *w) for w in PROBE])

RIGHT = [(ex.check_mask_sampler, sampler()), (ex.check_mask_sampler, S['sample_masks']),
         (ex.check_predictor_input, predictor_input()), (ex.check_gather_targets, S['gather_targets']),
         (ex.check_loss, S['ijepa_loss']), (ex.check_ema, S['ema_update']), (ex.check_rollout, rollout()),
         (ex.check_rollout, S['attention_rollout']), (ex.check_features, S['pooled_features']),
         (ex.check_linear_probe, probe()), (ex.check_linear_probe, S['linear_probe'])]


def test_enough_wrong_answers():
    assert len(WRONG) >= 20 and len({c for c, *_ in WRONG}) == 8, 'every check gets wrong answers'


@pytest.mark.parametrize('check,fn', RIGHT, ids=[f'{c.__name__}-{i}' for i, (c, _) in enumerate(RIGHT)])
def test_right_answer_passes_with_one_line(check, fn):
    "The controls: the wrong answers below are these with one change, so the change alone makes them fail."
    err, printed = run_check(check, fn)
    assert err is None, f'{check.__name__} rejected a right answer: {err}'
    assert printed.count('\n') == 1 and re.fullmatch(r'✓ \w+: \d+ cases agree with the library\n', printed), repr(printed)


@pytest.mark.parametrize('check,what,fn,says', WRONG, ids=[w[1] for w in WRONG])
def test_wrong_answer_is_named(check, what, fn, says):
    err, printed = run_check(check, fn)
    assert err is not None, f'{check.__name__} passed a wrong answer ({what}); it printed {printed!r}'
    assert says in str(err), f'{what}: expected a message with {says!r}, got: {err}'
    assert not printed, f'{what}: a failing check printed {printed!r} besides its error'
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__), 'a chained exception shows'
    inner = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.endswith('exercises.py')]
    assert len(inner) <= 1 and all(f.name == 'check' for f in inner), f"the check's own frames are in the traceback: {inner}"


def stubs():
    "What `otter assign` leaves of each exercise's function (docstring and `...`), and other ways to say 'not yet'."
    def sample_masks(grid_size, generator):
        "Multi-block masks of one image."
        ...
    def predictor_input(pred, context_tokens, context_idx, target_idx):
        "The predictor's input."
        ...
    def gather_targets(h, target_idx): ...
    def ijepa_loss(predictions, h, target_idx):
        "The I-JEPA loss."
        ...
    @torch.no_grad()
    def ema_update(target, online, momentum):
        "In place."
        ...
    def attention_rollout(attn, residual=0.5):
        "Rollout."
        pass
    @torch.no_grad()
    def pooled_features(encoder, images):
        "Mean over patches."
        raise NotImplementedError
    def linear_probe(train_x, train_y, test_x, test_y):
        "Probe accuracy."
        return ...
    return [(ex.check_mask_sampler, sample_masks), (ex.check_predictor_input, predictor_input),
            (ex.check_gather_targets, gather_targets), (ex.check_loss, ijepa_loss), (ex.check_ema, ema_update),
            (ex.check_rollout, attention_rollout), (ex.check_features, pooled_features), (ex.check_linear_probe, linear_probe)]


@pytest.mark.parametrize('i', range(8))
def test_stub_says_not_done_yet(i):
    check, fn = stubs()[i]
    err, printed = run_check(check, fn)
    assert err is not None, f'{check.__name__} passed the stub {fn.__name__}; it printed {printed!r}'
    assert str(err).startswith(f'{fn.__name__}: not done yet'), f'{check.__name__} on the stub: {err}'
    assert not printed, printed


def test_jupyter_shows_the_message_alone(capsys):
    "In IPython (what a student's Jupyter runs) a pass prints one line and no value; a failure prints its message, no frame."
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.user_ns.update(check=ex.check_gather_targets, good=S['gather_targets'], bad=GATHER[1][1], torch=torch)
    capsys.readouterr()
    shell.run_cell('check(good)', store_history=True)
    passed = capsys.readouterr().out
    shell.run_cell('check(bad)', store_history=True)
    failed = capsys.readouterr()
    shown = failed.out + failed.err
    assert passed.splitlines() == [l for l in passed.splitlines() if l.startswith('✓')] and len(passed.splitlines()) == 1, passed
    assert 'ExerciseError: gather_targets: ' in shown and 'IndexError' in shown, shown
    assert 'exercises.py' not in shown and 'Traceback' not in shown and 'File "' not in shown, shown
    assert len(shown.strip().splitlines()) == 1, shown


def test_a_result_that_breaks_a_check_is_named():
    "Whatever a student's result does to a check's own code becomes one named ExerciseError, not a raw exception."
    demo = ex._check('demo')(lambda fn: ex._call('demo', fn) + 1)
    err, printed = run_check(demo, lambda: 'a string')
    assert err is not None and str(err).startswith("demo: your function's result could not be checked: TypeError"), err
    assert err.__cause__ is None and err.__suppress_context__ and not printed
