"""Milliseconds to capture and draw one image's attention maps on the CPU.

A ViT-tiny at 224/16 with random weights (12 blocks, 3 heads, 196 tokens) by default: the forward pass alone, with
`capture_attention`, and capture plus the query-patch maps of every block and head drawn as one grid (rendered to
the canvas, not saved). Median of `--runs` runs after a warm-up. `--dtype bfloat16` (or float16) casts the model first.
Run: `python benchmarks/attention.py [--model vit_small] [--dtype bfloat16]`. ViT-H/14 figures: `benchmarks/vith.py`.
"""
import argparse, sys
from pathlib import Path
import matplotlib
matplotlib.use('Agg')
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz.vit import vit
from ijepa_viz.attention import time_attention, cast_

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default='vit_tiny'); ap.add_argument('--img-size', type=int, default=224)
    ap.add_argument('--patch-size', type=int, default=16); ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: leave the default)')
    ap.add_argument('--dtype', default='float32', choices=['float32', 'bfloat16', 'float16'])
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = cast_(vit(a.model, a.img_size, a.patch_size), getattr(torch, a.dtype))
    print(f'{a.model} {a.img_size}/{a.patch_size} in {a.dtype}: {net.depth} blocks, {net.num_heads} heads, {net.num_patches} tokens; '
          f'torch {torch.__version__}, {torch.get_num_threads()} threads')
    for k, v in time_attention(net, runs=a.runs).items(): print(f'{k:40s} {v:7.0f} ms')
