"""ViT-H/14 on the CPU: the figures of the tools at the size of the paper's released models.

The model is an official-size I-JEPA ViT-H/14 bundle (embed 1280, depth 32, 16 heads, 224 px -> 16x16 patches,
632 M parameters per encoder; predictor depth 12, width 384) with random weights, built in-process: nothing is
downloaded. Its target encoder shares the context encoder's weights, as a bundle loaded from transformers or timm
does (one 2.5 GB copy in float32, not two).

`attention_figures(model)`: `AttentionExplorer` on a photo — the first draw (only the network shown is captured),
the first switch to each other network, a new mask seed, and the redraw time per control (median and max over the
moves, timed around the control change: capture, maps, figure and PNG); per dtype (float32, bfloat16, float16,
cast in place with `cast_`): parameter memory, resident memory, the target encoder's forward time with and without
capture, and the first draw. Redraws and captures are timed under whatever else the machine runs: the CPU pressure
(Linux PSI, share of time some task waited for a CPU) is printed beside them.

Run: `python benchmarks/vith.py [--threads N] [--dtypes float32,bfloat16,float16]` (about 1-3 minutes on 2 cores).
"""
import argparse, gc, os, sys, time
from pathlib import Path
import matplotlib
matplotlib.use('Agg')
import numpy as np
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz.jepa import IJEPA
from ijepa_viz.vit import VisionTransformer, VisionTransformerPredictor, init_fast_
from ijepa_viz.attention import capture_attention, cast_
from ijepa_viz.widgets import AttentionExplorer

ARCH = dict(img_size=224, patch_size=14, embed_dim=1280, depth=32, num_heads=16)   # the official vit_huge/14


def build_vith(seed: int = 0, pred_depth: int = 12, pred_emb_dim: int = 384) -> IJEPA:
    """A random official-size ViT-H/14 bundle in a few seconds: built on the meta device, then each tensor filled in
    place (weights N(0, 0.02), biases 0, LayerNorms 1/0, sin-cos positions); the target encoder shares the context
    encoder's tensors. `IJEPA.build('vit_huge', 224, 14, ...)` gives the same architecture in ~35 s (its init)."""
    with torch.device('meta'):
        enc = VisionTransformer(**ARCH)
        pred = VisionTransformerPredictor(enc.grid_size, enc.embed_dim, pred_emb_dim, pred_depth, ARCH['num_heads'])
        target = VisionTransformer(**ARCH)
    model = IJEPA(enc, pred, target)
    model.context_encoder.to_empty(device='cpu'); model.predictor.to_empty(device='cpu')
    init_fast_(model.context_encoder, seed=seed); init_fast_(model.predictor, seed=seed + 1)
    model.target_encoder.load_state_dict(model.context_encoder.state_dict(), assign=True)   # shared, as from timm/HF
    model.meta = {'source': 'random (benchmarks/vith.py)', 'has': ['encoder']}
    return model.eval()


def param_bytes(module) -> int:
    "Bytes of `module`'s distinct parameter and buffer storages (shared tensors counted once)."
    seen = {}
    for t in [*module.parameters(), *module.buffers()]: seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
    return sum(seen.values())


def rss_gb() -> float:
    "Resident memory of this process now (GB)."
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 1e9


def cpu_pressure() -> str:
    "Linux PSI: the share of the last 10 s in which some task waited for a CPU (other agents' jobs included)."
    try:
        with open('/proc/pressure/cpu') as f: return f"CPU pressure {float(f.readline().split()[1].split('=')[1]):.0f} %"
    except OSError: return 'CPU pressure n/a'


def timed(f, runs: int = 3) -> list[float]:
    "Seconds of each of `runs` calls of `f` (after one warm-up call)."
    f(); ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return ts


def drive(ex, control, values) -> np.ndarray:
    "Milliseconds of each change of `control` to the next of `values`, around the change (everything it triggers)."
    ts = []
    for v in values:
        t = time.perf_counter(); control.value = v; ts.append(1000 * (time.perf_counter() - t))
        if ex.message: raise RuntimeError(f'{control.description}={v!r}: {ex.message}')
    return np.asarray(ts)


def report(name, t):
    print(f'  {name:44s} median {np.median(t):6.0f} ms   max {t.max():6.0f} ms   ({len(t)} redraws; goal <= 100 ms)', flush=True)


def forward_figures(model, dtype):
    "Forward of the target encoder on one image, without and with capture (probabilities kept in float16), in `dtype`."
    enc, x = model.target_encoder, torch.randn(1, 3, 224, 224, dtype=dtype)
    def plain():
        with torch.no_grad(): enc(x)
    def capture():
        with torch.no_grad(), capture_attention(enc, dtype=torch.float16): enc(x)
    f, c = timed(plain), timed(capture)
    print(f'  target encoder forward {1000 * np.median(f):6.0f} ms (min {1000 * min(f):.0f}), with capture '
          f'{1000 * np.median(c):6.0f} ms (min {1000 * min(c):.0f}), median of 3; {cpu_pressure()}', flush=True)


def explorer_figures(model, redraws: bool = True):
    "First draw, first switch to each network, new mask seed, then (with `redraws`) each control's redraw times."
    gc.collect()
    t = time.perf_counter(); ex = AttentionExplorer(model, 'photo: astronaut')
    first = time.perf_counter() - t
    assert ex.message is None, ex.message
    print(f'  first draw (target encoder, 32 blocks captured)  {first:5.2f} s (goal <= 10 s; capture {ex.capture_ms["target encoder"] / 1000:.2f} s); '
          f'{cpu_pressure()}', flush=True)
    if not redraws: return ex
    report('query column (target encoder)', drive(ex, ex.col, list(range(16)) * 2))
    report('query row', drive(ex, ex.row, list(range(16))))
    report('layer', drive(ex, ex.layer, [0, 4, 8, 12, 16, 20, 24, 28, 31, 30]))
    report('head', drive(ex, ex.head, ['mean'] + list(range(16))))
    report('map kind (query / received / rollout)', drive(ex, ex.kind, ['received', 'rollout', 'query'] * 3))
    ex.kind.value = 'rollout'
    report('layer, rollout map', drive(ex, ex.layer, [0, 8, 16, 24, 31, 30]))
    report('query column, rollout map', drive(ex, ex.col, list(range(16))))
    report('mass kept (top-mass threshold)', drive(ex, ex.mass, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]))
    report('mask seed (target encoder: masks panel only)', drive(ex, ex.seed, [2, 3, 4, 5]))
    ex.kind.value = 'query'
    for net in ['context encoder', 'predictor']:
        t = time.perf_counter(); ex.network.value = net
        print(f'  first switch to the {net:16s} {time.perf_counter() - t:5.2f} s; {cpu_pressure()}', flush=True)
    ex.row.value, ex.col.value = divmod(int(ex.masks().targets[0, 0, 0]), 16)    # a query in target block 0
    report('query column (predictor)', drive(ex, ex.col, list(range(16))))
    report('target block (predictor)', drive(ex, ex.target, [1, 2, 3, 0] * 2))
    ex.kind.value = 'received'                                                   # defined for any query patch
    report('network, all cached (received map)', drive(ex, ex.network, ['target encoder', 'context encoder', 'predictor'] * 2))
    ex.network.value = 'predictor'
    t = time.perf_counter(); ex.seed.value = 9
    print(f'  new mask seed (predictor: context encoder + predictor run) {time.perf_counter() - t:5.2f} s', flush=True)
    print(f'  cache: {ex.cache_mb():.0f} MiB for {len(ex._cache)} captures (probabilities in float16; '
          f'one target-encoder capture in float32 would be {32 * 16 * 256 ** 2 * 4 / 2 ** 20:.0f} MiB)', flush=True)
    return ex


def attention_figures(model, dtypes=('float32', 'bfloat16', 'float16')):
    """Print the attention figures of an official-size bundle `model`: per dtype (cast in place, in this order), its
    memory, forward time and explorer first draw, and the redraw times (in the first dtype). Leaves `model` in the
    dtype it came in (its weights rounded through the lower precisions)."""
    start = next(model.parameters()).dtype
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, CPU {torch.backends.cpu.get_cpu_capability()}; '
          f'{cpu_pressure()}')
    for i, name in enumerate(dtypes):
        dt = getattr(torch, name)
        cast_(model, dt); gc.collect()
        print(f'\n{name}: parameters {param_bytes(model) / 1e9:.2f} GB (one encoder {param_bytes(model.target_encoder) / 1e9:.2f} GB, '
              f'shared by both), predictor {param_bytes(model.predictor) / 1e6:.0f} MB; process resident {rss_gb():.2f} GB', flush=True)
        forward_figures(model, dt)
        ex = explorer_figures(model, redraws=i == 0)
        del ex; gc.collect()
    cast_(model, start)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: leave the default)')
    ap.add_argument('--dtypes', default='float32,bfloat16,float16', help='comma-separated, the first also gets the redraw figures')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    t = time.perf_counter(); model = build_vith()
    print(f'ViT-H/14 bundle built in {time.perf_counter() - t:.1f} s (random weights, target encoder = context encoder weights)')
    attention_figures(model, a.dtypes.split(','))
