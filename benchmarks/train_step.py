"""Milliseconds per full I-JEPA training step: masks, target encoder, context encoder, predictor,
loss, backward, AdamW, EMA. Fixed config: vit_tiny encoder, 64x64 images, patch 8, batch 32,
predictor depth 6 / width 96, official multi-block masks with min_keep 4, fp32 on CPU.

    python benchmarks/train_step.py [--official PATH] [--steps N]

--official PATH: a checkout of github:facebookresearch/ijepa; its step (its MaskCollator, models,
schedulers, loss, AdamW and EMA loop, gradient statistics and float(loss) as in its train.py) is
timed side by side on the same config and threads. First, both take --check-steps steps from the same weights, images
and masks (ours drawn by our sampler, handed to the official networks as its lists of index tensors) and every weight
of the three networks is compared: the script stops (exit 1) if any differs by more than 1e-5.
Both lines also give the time spent in matrix products (addmm/mm/bmm in torch.profiler, 5 more steps). The official
time divided by our matrix-product time bounds what any fp32 implementation of the same maths could gain here; it
is a loose bound, since our fused attention (its products included) is counted in "the rest".
--gpu [DEVICE] [--gpu-batch N]: images/s, model GFLOP per image, TFLOP/s and (on known GPUs) model-FLOPs utilisation
for vit_base/16 at 224, batch 128, bf16 (DEVICE defaults to cuda; cpu only checks the code path).
"""
import argparse, copy, statistics, sys, time
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--official', help='path to a facebookresearch/ijepa checkout')
p.add_argument('--steps', type=int, default=20)
p.add_argument('--warmup', type=int, default=3)
p.add_argument('--check-steps', type=int, default=5)
p.add_argument('--gpu', nargs='?', const='cuda', metavar='DEVICE', help='the vit_base/16 throughput run (DEVICE: default cuda; cpu checks the code path)')
p.add_argument('--gpu-batch', type=int, default=128)
args = p.parse_args()

B, IMG, PATCH = 32, 64, 8


GEMMS = {'aten::addmm', 'aten::mm', 'aten::bmm', 'aten::baddbmm'}


def gemm_ms(step, n=5, start=1000):
    "Milliseconds per step spent in matrix products (linear layers, attention scores), from torch.profiler."
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for i in range(n): step(start + i)
    return sum(e.self_cpu_time_total for e in prof.key_averages() if e.key in GEMMS) / 1000 / n


def timed(step, n, warmup):
    for i in range(warmup): step(i)
    times = []
    for i in range(n):
        t = time.perf_counter(); step(warmup + i); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, min(times) * 1000


def ours(device='cpu', model_name='vit_tiny', img=IMG, patch=PATCH, bs=B, pred_depth=6, pred_dim=96, bf16=False, min_keep=4, extra=()):
    from ijepa_viz.train import Trainer, load_config
    cfg = load_config(None, [('data', 'batch_size', bs), ('data', 'crop_size', img), ('mask', 'patch_size', patch),
                             ('mask', 'min_keep', min_keep), ('meta', 'model_name', model_name), ('meta', 'pred_depth', pred_depth),
                             ('meta', 'pred_emb_dim', pred_dim), ('meta', 'use_bfloat16', bf16), ('optimization', 'epochs', 10),
                             ('data', 'num_workers', 0), *extra])
    data = torch.utils.data.TensorDataset(torch.randn(bs * 4, 3, img, img))
    t = Trainer(cfg, device=device, dataset=data, progress=False)
    images = torch.randn(bs, 3, img, img, device=t.device)
    losses = []
    def step(i):
        loss, _ = t.one_step(images, i); losses.append(loss)
        if t.device.type == 'cuda': torch.cuda.synchronize()
    return t, step, losses


def official_modules(path):
    if path not in sys.path: sys.path.insert(0, path)
    from src.helper import init_model, init_opt
    from src.masks.multiblock import MaskCollator
    from src.masks.utils import apply_masks
    from src.utils.tensors import repeat_interleave_batch
    from src.utils.logging import grad_logger
    import logging; logging.getLogger().setLevel(logging.ERROR)
    return init_model, init_opt, MaskCollator, apply_masks, repeat_interleave_batch, grad_logger


def official(path):
    init_model, init_opt, MaskCollator, apply_masks, repeat_interleave_batch, grad_logger = official_modules(path)
    enc, pred = init_model('cpu', patch_size=PATCH, model_name='vit_tiny', crop_size=IMG, pred_depth=6, pred_emb_dim=96)
    tgt = copy.deepcopy(enc)
    for q in tgt.parameters(): q.requires_grad = False
    collator = MaskCollator(input_size=IMG, patch_size=PATCH, pred_mask_scale=(0.15, 0.2), enc_mask_scale=(0.85, 1.0),
                            aspect_ratio=(0.75, 1.5), nenc=1, npred=4, allow_overlap=False, min_keep=4)
    ipe, epochs = 100, 10
    opt, _, sched, wd_sched = init_opt(enc, pred, ipe, 0.0002, 0.001, 2, epochs, wd=0.04, final_wd=0.4, final_lr=1e-6, ipe_scale=1.0)
    moms = (0.996 + i * 0.004 / (ipe * epochs) for i in range(ipe * epochs + 1))
    images = torch.randn(B, 3, IMG, IMG)
    batch = [(images[i], 0) for i in range(B)]
    def step(i):
        _, masks_enc, masks_pred = collator(batch)
        sched.step(); wd_sched.step()
        with torch.no_grad():
            h = tgt(images); h = F.layer_norm(h, (h.size(-1),))
            h = repeat_interleave_batch(apply_masks(h, masks_pred), B, repeat=len(masks_enc))
        z = pred(enc(images, masks_enc), masks_enc, masks_pred)
        loss = F.smooth_l1_loss(z, h)
        loss.backward(); opt.step(); grad_logger(enc.named_parameters()); opt.zero_grad()
        with torch.no_grad():
            m = next(moms)
            for q, k in zip(enc.parameters(), tgt.parameters()): k.data.mul_(m).add_((1. - m) * q.detach().data)
        float(loss)
    return step


def check_official(path, steps):
    "Max abs difference of every weight after `steps` steps of our Trainer and of the official step, from the same start."
    init_model, init_opt, _, apply_masks, repeat_interleave_batch, _ = official_modules(path)
    # a short warmup and a low momentum, so that a wrong learning rate or EMA shows well above the tolerance
    t, _, _ = ours(extra=[('optimization', 'warmup', 1), ('optimization', 'ema', [0.9, 1.0])])
    t.model.train()
    enc, pred = init_model('cpu', patch_size=PATCH, model_name='vit_tiny', crop_size=IMG, pred_depth=6, pred_emb_dim=96)
    enc.load_state_dict(t.model.context_encoder.state_dict()); pred.load_state_dict(t.model.predictor.state_dict())
    tgt = copy.deepcopy(enc)
    for q in tgt.parameters(): q.requires_grad = False
    o = t.cfg['optimization']
    opt, _, sched, wd_sched = init_opt(enc, pred, t.ipe, o['start_lr'], o['lr'], o['warmup'], o['epochs'], wd=o['weight_decay'],
                                       final_wd=o['final_weight_decay'], final_lr=o['final_lr'], ipe_scale=o['ipe_scale'])
    m0, m1 = o['ema']; total = t.ipe * o['epochs'] * o['ipe_scale']
    drawn, sampler = [], t.sampler
    t.sampler = lambda *a, **k: drawn.append(sampler(*a, **k)) or drawn[-1]       # record the masks our step draws
    g = torch.Generator().manual_seed(0)
    for i in range(steps):
        images = torch.randn(B, 3, IMG, IMG, generator=g)
        t.one_step(images, i)
        m = drawn[-1]; assert m.context_valid is None
        menc, mpred = [m.context], list(m.targets.unbind(1))
        sched.step(); wd_sched.step()
        with torch.no_grad():
            h = tgt(images); h = F.layer_norm(h, (h.size(-1),))
            h = repeat_interleave_batch(apply_masks(h, mpred), B, repeat=len(menc))
        loss = F.smooth_l1_loss(pred(enc(images, menc), menc, mpred), h)
        loss.backward(); opt.step(); opt.zero_grad()
        with torch.no_grad():
            mom = m0 + i * (m1 - m0) / total
            for q, k in zip(enc.parameters(), tgt.parameters()): k.data.mul_(mom).add_((1. - mom) * q.detach().data)
    diffs = {name: max((a - b).abs().max().item() for a, b in zip(ours_.state_dict().values(), theirs.state_dict().values()))
             for name, ours_, theirs in [('context encoder', t.model.context_encoder, enc), ('predictor', t.model.predictor, pred),
                                         ('target encoder', t.model.target_encoder, tgt)]}
    return diffs


print(f'torch {torch.__version__}, {torch.get_num_threads()} threads; vit_tiny, {IMG}x{IMG}, patch {PATCH}, batch {B}, '
      f'predictor 6x96, multi-block masks (min_keep 4), fp32 CPU; median (min) of {args.steps} steps')
if args.official:
    diffs = check_official(args.official, args.check_steps)
    print(f'after {args.check_steps} steps from the same weights, images and masks, the largest weight difference to the '
          f'official step: ' + ', '.join(f'{k} {v:.1e}' for k, v in diffs.items()))
    if max(diffs.values()) > 1e-5: sys.exit('the Trainer no longer takes the official step')
_, step, losses = ours()
med, best = timed(step, args.steps, args.warmup)
g = gemm_ms(step)
print(f'ijepa_viz step: {med:7.1f} ms  ({best:.1f})   matrix products {g:.1f} ms, the rest {med - g:.1f} ms   final loss {losses[-1].item():.4f}')
if args.official:
    ostep = official(args.official)
    omed, obest = timed(ostep, args.steps, args.warmup)
    og = gemm_ms(ostep)
    print(f'official step:  {omed:7.1f} ms  ({obest:.1f})   matrix products {og:.1f} ms, the rest {omed - og:.1f} ms')
    print(f'speed-up: {omed / med:.2f}x; with no time outside matrix products at all, ours would be at most {omed / g:.2f}x')

if args.gpu:
    if args.gpu.startswith('cuda') and not torch.cuda.is_available(): sys.exit('--gpu: no CUDA device')
    torch.backends.cuda.matmul.allow_tf32 = True
    bs = args.gpu_batch
    t, step, _ = ours(args.gpu, 'vit_base', 224, 16, bs, 6, 384, bf16=True, min_keep=10)
    med, _ = timed(step, args.steps, args.warmup)
    # model FLOPs per image: 3x forward (fwd+bwd) of context encoder and predictor, 1x target encoder forward
    enc = t.model.context_encoder; N = enc.num_patches; D = enc.embed_dim; L = enc.depth
    def vit_flops(n, d, depth, hidden=4): return depth * (2 * n * (4 * d * d + 2 * hidden * d * d) + 4 * n * n * d)
    m = t.sampler(bs); nc, nt, M = m.context.shape[1], m.targets.shape[2], m.num_targets
    dp = t.model.predictor.predictor_embed_dim
    f = vit_flops(N, D, L) + 3 * (vit_flops(nc, D, L) + M * vit_flops(nc + nt, dp, t.model.predictor.depth))
    ips = bs / (med / 1000)
    peak = {'H100': 989e12, 'H200': 989e12, 'A100': 312e12}
    name = torch.cuda.get_device_name() if t.device.type == 'cuda' else 'cpu'
    pk = next((v for k, v in peak.items() if k in name), None)
    print(f'{name}: vit_base/16 224px batch {bs} bf16: {med:.1f} ms/step, {ips:.1f} images/s, '
          f'{f / 1e9:.1f} model GFLOP per image, {ips * f / 1e12:.2f} TFLOP/s'
          + (f', MFU {ips * f / pk:.1%} of {pk / 1e12:.0f} TFLOP/s dense bf16' if pk else ''))
