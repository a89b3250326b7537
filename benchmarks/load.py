"""Seconds and peak memory to load an official-size ViT-H/14 I-JEPA from each format a user holds, on the CPU.

The model is built here with random weights (nothing is downloaded) and written once as an official checkpoint
(context encoder, predictor and target encoder, as the official training script saves them), a transformers
IJepaModel folder and a timm safetensors file (the encoder alone, as those libraries ship it). Each load then runs in a
fresh process, which reports its wall time and its peak resident memory above what `import torch, ijepa_viz` costs
(sampled every 2 ms), and of that the anonymous part: memory-mapped weights are file pages, which the kernel can drop
and read again, so a cast to bfloat16 raises the resident peak but not the anonymous one. "held after": resident after
loading and one forward of the target encoder (pages of a network never run are not read at all).
The goal: <= 10 s and peak <= 1.5x the weights loaded. The files are in the page cache (just written), as for a user
who loads the same checkpoint again; a first load from disk adds the disk's read time.
Run: `python benchmarks/load.py [--model vit_huge --patch-size 14 --img-size 224] [--dir DIR]`.
"""
import argparse, json, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz import hub
from ijepa_viz.jepa import IJEPA
from ijepa_viz.vit import init_fast_, VIT_SIZES

CHILD = r'''
import json, resource, sys, threading, time
import torch
from ijepa_viz import hub
def rss():
    "(resident, anonymous resident) MB now; the rest is file pages mapped in, which the kernel can drop under pressure."
    f = dict(l.split(':') for l in open('/proc/self/status') if l.startswith(('VmRSS', 'RssAnon')))
    return int(f['VmRSS'].split()[0]) / 1024, int(f['RssAnon'].split()[0]) / 1024
peak, done = [0.0, 0.0], threading.Event()
def sample():
    while not done.is_set(): peak[:] = map(max, peak, rss()); time.sleep(0.002)
base = rss(); threading.Thread(target=sample, daemon=True).start()
path, dtype = sys.argv[1], getattr(torch, sys.argv[2])
t = time.perf_counter()
model = hub.load(path, dtype=dtype)
load_s = time.perf_counter() - t
x = torch.randn(1, 3, *model.img_size, dtype=dtype)
t = time.perf_counter()
with torch.no_grad(): model.target_encoder(x)
fwd_s = time.perf_counter() - t
done.set(); time.sleep(0.01)
params = {p.data_ptr(): p for p in model.parameters()}.values()
peak[:] = map(max, peak, rss())
print(json.dumps(dict(load_s=load_s, forward_s=fwd_s, held_mb=rss()[0] - base[0], peak_mb=peak[0] - base[0], peak_anon_mb=peak[1] - base[1],
                      weights_mb=sum(p.numel() * p.element_size() for p in params) / 2**20,
                      source=model.meta['source'], has=model.meta['has'])))
'''


def random_model(name: str, img_size: int, patch_size: int, pred_depth: int = 12, pred_emb_dim: int = 384) -> IJEPA:
    "An official-size I-JEPA with random weights (`init_fast_`: its build time is no goal), the two encoders distinct as in a training checkpoint."
    dim, depth, heads, ratio = VIT_SIZES[name]
    arch = dict(encoder=dict(img_size=img_size, patch_size=patch_size, embed_dim=dim, depth=depth, num_heads=heads, mlp_ratio=ratio),
                predictor=dict(grid_size=img_size // patch_size, embed_dim=dim, predictor_embed_dim=pred_emb_dim,
                               depth=pred_depth, num_heads=heads))
    model = IJEPA.from_arch(arch, device='meta').to_empty(device='cpu')
    for i, net in enumerate((model.context_encoder, model.predictor, model.target_encoder)): init_fast_(net, seed=i)
    return model.eval()


def measure(path, dtype='float32') -> dict:
    out = subprocess.run([sys.executable, '-c', CHILD, str(path), dtype], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    if out.returncode: raise SystemExit(f'loading {path} failed:\n{out.stderr}')
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default='vit_huge'); ap.add_argument('--img-size', type=int, default=224)
    ap.add_argument('--patch-size', type=int, default=14)
    ap.add_argument('--dir', default=None, help='where to write the files, kept and reused by the next run (default: a temporary folder, removed after)')
    a = ap.parse_args()
    folder = Path(a.dir or tempfile.mkdtemp(prefix='ijepa-load-')); folder.mkdir(parents=True, exist_ok=True)
    print(f'{a.model} {a.img_size}/{a.patch_size}; torch {torch.__version__}, {torch.get_num_threads()} threads; files in {folder}')
    try:
        files = {'official .pth.tar (3 networks)': folder / 'official.pth.tar', 'transformers folder': folder / 'hf',
                 'timm .safetensors': folder / 'timm.safetensors'}
        if a.dir and all(p.exists() for p in files.values()): print('reusing the files in --dir')
        else:
            t = time.perf_counter(); model = random_model(a.model, a.img_size, a.patch_size)
            print(f'built with random weights in {time.perf_counter() - t:.1f} s (not a goal)')
            t = time.perf_counter()
            hub.save_official(model, files['official .pth.tar (3 networks)'])
            hub.export_hf(model, files['transformers folder'], net='context_encoder')
            hub.export_timm(model, files['timm .safetensors'], net='context_encoder')
            del model
            print(f'written in {time.perf_counter() - t:.1f} s')
        print()
        print(f'{"source":34s} {"dtype":9s} {"load":>7s} {"goal":>6s} {"weights":>9s} {"peak":>9s} {"peak/weights":>12s} {"goal":>5s} {"anon. peak":>10s} {"held after":>10s} {"1st forward":>11s}')
        for what, path in files.items():
            for dtype in ('float32', 'bfloat16'):
                r = measure(path, dtype)
                print(f'{what:34s} {dtype:9s} {r["load_s"]:6.1f}s {"<=10s":>6s} {r["weights_mb"] / 1024:7.2f}GB '
                      f'{r["peak_mb"] / 1024:7.2f}GB {r["peak_mb"] / r["weights_mb"]:11.2f}x {"<=1.5":>5s} {r["peak_anon_mb"] / 1024:8.2f}GB {r["held_mb"] / 1024:8.2f}GB {r["forward_s"]:10.1f}s')
    finally:
        if not a.dir: shutil.rmtree(folder, ignore_errors=True)
