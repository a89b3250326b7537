"""The honest yardstick for a photo model: the same ViT trained from scratch with labels, on the same images, for the same
CPU time, then probed as the I-JEPA model is (benchmarks/real_photos.py's protocol) and scored as a classifier.

The encoder is built from the I-JEPA card's architecture (e.g. ckpts/imagenette-vit-tiny.json), with a linear head on its
average-pooled features; it sees the same images with the same crops and flips (data.InMemory), batch 64, AdamW
(lr 1e-3 after 3 epochs of warmup, cosine to 1e-6, weight decay 0.05), label smoothing 0.1. Its length is set by
`--seconds` (default: the I-JEPA card's steps times its idle step time, photos.loading.step_seconds; else its training
time): 40 steps timed after 5 of warm-up, then as many as fit. Resumable: state
in --folder every few minutes (kill it and run the same command again). Run on an idle machine:
  python benchmarks/supervised.py --card ckpts/imagenette-vit-tiny.json --data ../shared/data/imagenette [--json FILE] [--store]
--store writes the figures into that card (photos.supervised), where chapter 16 and the README read them.
"""
import argparse, json, math, sys, time
from pathlib import Path
import torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz import hub
from ijepa_viz.data import photo_split
from ijepa_viz.vit import VisionTransformer
from ijepa_viz.train import seed_of, EpochBatches, SeededImages

class Classifier(nn.Module):
    def __init__(self, arch: dict, classes: int):
        super().__init__()
        self.encoder = VisionTransformer(**arch)
        self.head = nn.Linear(self.encoder.embed_dim, classes)
    def forward(self, x): return self.head(self.encoder(x).mean(1))

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--card', required=True, help="the I-JEPA bundle's card: its architecture and training time")
    ap.add_argument('--data', required=True); ap.add_argument('--seconds', type=float, help="training time (default: the card's steps at its idle step time, else its training time)")
    ap.add_argument('--folder', default='runs/supervised'); ap.add_argument('--json'); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--store', action='store_true', help="write the figures into the card (photos.supervised)")
    a = ap.parse_args(argv)
    card = hub.read_json(a.card, {'arch': {'encoder': dict}})
    arch, size = card['arch']['encoder'], card['arch']['encoder']['img_size'][0]
    idle = (card.get('photos') or {}).get('loading', {}).get('step_seconds')     # the I-JEPA step on an idle machine
    budget = a.seconds or (card['steps'] * idle if idle else card['train_seconds'])
    d = card['config']['data']
    train = photo_split(a.data, 'train', size, train=True, horizontal_flip=d.get('use_horizontal_flip', False), progress=True)
    folder = Path(a.folder); folder.mkdir(parents=True, exist_ok=True); state = folder / 'state.pth.tar'
    torch.manual_seed(seed_of(a.seed, 'init'))
    net = Classifier(arch, len(train.classes['label']))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.05)
    bs = 64; ipe = len(train) // bs
    step, seconds, total, timed = 0, 0.0, None, None
    if state.exists():
        s = hub.read_checkpoint(state); net.load_state_dict(s['net']); opt.load_state_dict(s['opt'])
        step, seconds, total = s['step'], s['seconds'], s['total']
        print(f"resumed at step {step} of {total} ({seconds:.0f} s so far)")
    data = SeededImages(train, a.seed)
    def lr_at(i):
        warm = 3 * ipe
        if i < warm: return 1e-3 * (i + 1) / warm
        return 1e-6 + (1e-3 - 1e-6) * 0.5 * (1 + math.cos(math.pi * min(1.0, (i - warm) / max(1, total - warm))))
    labels = train.targets
    t_save = time.time()
    while total is None or step < total:
        epoch, itr = divmod(step, ipe)
        for batch in EpochBatches(len(train), bs, a.seed, epoch, start=itr):
            t0 = time.time()
            x = torch.stack([data[k] for k in batch]); y = labels[[j for _, j in batch]]
            if total is None and timed is None and step >= 5: timed = (step, seconds)   # the first steps warm up
            if total is None and timed and step - timed[0] == 40:      # 40 timed steps: as many as fit in the budget
                per = (seconds - timed[1]) / 40
                total = int(budget / per); print(f"{per:.3f} s a step: {total} steps ({total / ipe:.1f} epochs) in {budget:.0f} s")
            for g in opt.param_groups: g['lr'] = lr_at(step) if total else 1e-3 * (step + 1) / (3 * ipe)
            net.train(); loss = F.cross_entropy(net(x), y, label_smoothing=0.1)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            step += 1; seconds += time.time() - t0
            if step % 50 == 0: print(f"step {step}: loss {loss.item():.3f}", flush=True)
            if time.time() - t_save > 180 or (total and step >= total):
                hub.atomic_save(dict(net=net.state_dict(), opt=opt.state_dict(), step=step, seconds=seconds, total=total), state)
                t_save = time.time()
            if total and step >= total: break
    from real_photos import probe_encoders                                # the same probe as the I-JEPA model's
    net.eval()
    res = probe_encoders({'supervised': net.encoder}, a.data, size)
    f, y = res.pop('features')['supervised']
    with torch.no_grad(): res['classifier_top1'] = float((net.head(torch.as_tensor(f)).argmax(1).numpy() == y).mean())
    res.update(steps=step, epochs=round(step / ipe, 2), train_seconds=round(seconds, 1), budget_seconds=budget,
               command='python benchmarks/supervised.py ' + ' '.join(sys.argv[1:]), torch=torch.__version__)
    print(json.dumps({k: v for k, v in res.items() if k != 'command'}, indent=1))
    if a.json: Path(a.json).write_text(json.dumps(res, indent=1))
    if a.store: store(a.card, res)

def store(card_path, res: dict):
    "Put a finished run's figures (`main`'s result) into the I-JEPA card at `card_path`, as `photos.supervised`."
    card = hub.read_json(card_path, dict)
    r = res['results']['supervised']
    card.setdefault('photos', {})['supervised'] = dict(
        linear=r['linear'], knn=r['knn'], classifier_top1=res['classifier_top1'],
        **{k: res[k] for k in ('steps', 'epochs', 'train_seconds', 'budget_seconds', 'n_train', 'n_test', 'protocol',
                               'command', 'torch')},
        recipe='the same encoder with a linear head on its average-pooled features, cross-entropy (label smoothing 0.1), '
               'AdamW lr 1e-3 (3 warmup epochs, cosine to 1e-6), weight decay 0.05, batch 64, the same crops and flips')
    hub.write_json(card, card_path)

if __name__ == '__main__': main()
