"""Masks per second of the vectorised `MultiBlockSampler` against a per-image loop of the same algorithm.

Batch 128 on a 14x14 grid with the official defaults. The reference below is written in the style of the official collator
(per image: target blocks drawn one at a time on an [H, W] tensor, `nonzero`, context block placed by rejection with
relaxation after 20 misses; then truncation to the batch minimum). Both run single-threaded, as they do in data-loader
workers. Run: `python benchmarks/masks.py`.
"""
import sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz.masks import MultiBlockSampler, block_size

H = W = 14
BATCH, M, MIN_KEEP, TRIES = 128, 4, 10, 20

def reference_batch(g):
    "The multi-block algorithm with the official defaults, one image and one block at a time."
    r = torch.rand(1, generator=g).item()
    th, tw = (int(v) for v in block_size(r, r, (H, W), (0.15, 0.2), (0.75, 1.5)))
    r = torch.rand(1, generator=g).item()
    ch, cw = (int(v) for v in block_size(r, r, (H, W), (0.85, 1.0), (1., 1.)))
    contexts, targets = [], []
    for _ in range(BATCH):
        blocks, outside = [], []
        for _ in range(M):
            while True:  # a target is redrawn until it keeps more than MIN_KEEP patches
                top = int(torch.randint(0, H - th, (1,), generator=g))
                left = int(torch.randint(0, W - tw, (1,), generator=g))
                m = torch.zeros(H, W, dtype=torch.int32)
                m[top:top + th, left:left + tw] = 1
                idx = torch.nonzero(m.flatten())[:, 0]
                if len(idx) > MIN_KEEP: break
            comp = torch.ones(H, W, dtype=torch.int32)
            comp[top:top + th, left:left + tw] = 0
            blocks.append(idx); outside.append(comp)
        relaxed, misses = 0, 0
        while True:  # context: rejection sampling, dropping the last target's constraint after every TRIES misses
            top = int(torch.randint(0, H - ch, (1,), generator=g))
            left = int(torch.randint(0, W - cw, (1,), generator=g))
            m = torch.zeros(H, W, dtype=torch.int32)
            m[top:top + ch, left:left + cw] = 1
            for comp in outside[:max(M - relaxed, 0)]: m *= comp
            idx = torch.nonzero(m.flatten())[:, 0]
            if len(idx) > MIN_KEEP: break
            misses += 1
            if misses == TRIES: relaxed, misses = relaxed + 1, 0
        contexts.append(idx); targets.append(blocks)
    kc = min(len(c) for c in contexts)
    kt = min(len(t) for ts in targets for t in ts)
    return (torch.stack([c[:kc] for c in contexts]),
            torch.stack([torch.stack([t[:kt] for t in ts]) for ts in targets]))

def rate(fn, min_time=2.0):
    "Batches per second of `fn()`, timed over at least `min_time` seconds after one warm-up call."
    fn(); n, t0 = 0, time.perf_counter()
    while (dt := time.perf_counter() - t0) < min_time: fn(); n += 1
    return n / dt

if __name__ == '__main__':
    torch.set_num_threads(1)
    sampler, g = MultiBlockSampler(H), torch.Generator().manual_seed(0)
    c, t = reference_batch(g)
    m = sampler(BATCH)
    assert c.shape[0] == m.context.shape[0] == BATCH and t.shape == m.targets.shape[:2] + (t.shape[2],)
    ours, ref = rate(lambda: sampler(BATCH)) * BATCH, rate(lambda: reference_batch(g)) * BATCH
    print(f"grid {H}x{W}, batch {BATCH}, official defaults, {torch.get_num_threads()} thread(s)")
    print(f"vectorised MultiBlockSampler: {ours:10,.0f} masks/s")
    print(f"per-image reference loop:     {ref:10,.0f} masks/s")
    print(f"speed-up: {ours / ref:.1f}x")
