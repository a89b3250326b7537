"""Bundle the finished CIFAR-10 run (configs/cifar10_vit_tiny.yaml, runs/cifar10_vit_tiny) as ckpts/cifar10-vit-tiny,
float16, within the 10 MB the issue allows: the target encoder (what the probes read) and the predictor are stored;
the context encoder is not, and the target encoder's weights stand in for it when the bundle is loaded. What that costs
is measured here and written on the card: the largest weight difference between the two encoders at the end of the
run, and the prediction loss on training batches (the run's own masks) with the real context encoder and with the
target encoder in its place. Then run the probes and the loading share:
    .venv/bin/python tools/cifar_bundle.py
    .venv/bin/python benchmarks/real_photos.py --ckpt cifar10-vit-tiny --card
    .venv/bin/python benchmarks/photo_loading.py --config configs/cifar10_vit_tiny.yaml --card ckpts/cifar10-vit-tiny.json
"""
import copy, sys
from pathlib import Path
import torch
from ijepa_viz.jepa import jepa_loss
from ijepa_viz.train import load_config, Trainer

ROOT = Path(__file__).resolve().parents[1]

def main():
    cfg = load_config(ROOT / 'configs' / 'cifar10_vit_tiny.yaml')
    run = Path(cfg['logging']['folder'])
    tr = Trainer(cfg, device='cpu', progress=False, resume=run / 'jepa-latest.pth.tar')
    if tr.step < tr.total: sys.exit(f"the run is at step {tr.step} of {tr.total}: let it finish first")
    m = tr.model.eval()
    gap = max(((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item()
              for a, b in zip(m.context_encoder.parameters(), m.target_encoder.parameters()))
    losses = {'context encoder': [], 'target encoder as context': []}
    stand_in = copy.deepcopy(m); stand_in.context_encoder = stand_in.target_encoder
    with torch.no_grad():
        for i, (images, _) in enumerate(tr.loader(0)):
            if i == 8: break
            masks = tr.masks_at(i)
            t = m.targets(images, masks)
            losses['context encoder'].append(jepa_loss(m.predict(images, masks), t).item())
            losses['target encoder as context'].append(jepa_loss(stand_in.predict(images, masks), t).item())
    cost = {k: round(sum(v) / len(v), 5) for k, v in losses.items()}
    print(f"largest relative weight difference, context vs target encoder: {gap:.4f}; prediction loss on 8 batches: {cost}")
    m.context_encoder = m.target_encoder                         # stored once: the target encoder
    photos = dict(set='cifar10', data='CIFAR-10 (Krizhevsky 2009), train 50,000 / test 10,000, the JPEG copy in ../shared/data '
                  '(pixels differ slightly from the pickled batches)',
                  note='trained on this 2-core CPU; other work shared the cores for part of the run, so train_seconds (wall) is '
                       'an upper bound: see photos.loading.step_seconds for the idle step time',
                  stored=dict(what='the target encoder and the predictor; the context encoder is not stored (10 MB) and the target '
                                   "encoder's weights stand in for it when loaded",
                              largest_relative_weight_difference=round(gap, 5), prediction_loss=cost, batches=8))
    out = tr.export(ROOT / 'ckpts' / 'cifar10-vit-tiny', command='ijepa-train --config configs/cifar10_vit_tiny.yaml, then '
                    'python tools/cifar_bundle.py', dtype=torch.float16, photos=photos)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")

if __name__ == '__main__': main()
