"""The data-loading share of an epoch for a photo training config (default configs/imagenette_vit_tiny.yaml):
decoding the image folder once into memory, then one epoch of batches as the Trainer draws them (seeded crops and flips
from the kept pixels, stacked), against the measured time of the training steps themselves (--steps of them, on the
same batches). Run on an idle machine:  python benchmarks/photo_loading.py [--config C] [--set data.root_path=...]
"""
import argparse, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from ijepa_viz.train import load_config, build_dataset, Trainer

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--config', default=str(Path(__file__).resolve().parents[1] / 'configs' / 'imagenette_vit_tiny.yaml'))
    ap.add_argument('--set', action='append', default=[]); ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--card', help="also store the figures in this bundle card's photos.loading")
    a = ap.parse_args(argv)
    cfg = load_config(a.config, a.set + ['logging.folder=/tmp/photo_loading'])
    t0 = time.perf_counter(); ds = build_dataset(cfg); decode = time.perf_counter() - t0
    tr = Trainer(cfg, device='cpu', progress=False, dataset=ds, overwrite=True)
    t0 = time.perf_counter(); batches = [b for b, _ in tr.loader(0)]; load = time.perf_counter() - t0
    for i in range(3): tr.one_step(batches[i], i)                                    # warm-up
    t0 = time.perf_counter()
    for i in range(a.steps): tr.one_step(batches[3 + i], 3 + i)
    step = (time.perf_counter() - t0) / a.steps
    epoch = tr.ipe * step
    print(f"{len(ds)} images decoded into memory once in {decode:.1f} s ({ds.images.numel() / 2**30:.2f} GiB)")
    print(f"one epoch of {tr.ipe} batches of {tr.bs}: {load:.1f} s of loading ({1000 * load / tr.ipe:.1f} ms a batch), "
          f"{epoch:.0f} s of training steps ({1000 * step:.0f} ms a step, {torch.get_num_threads()} threads)")
    print(f"data-loading share of an epoch: {100 * load / (load + epoch):.1f} % "
          f"(with the decoding spread over {cfg['optimization']['epochs']} epochs: "
          f"{100 * (load + decode / cfg['optimization']['epochs']) / (load + decode / cfg['optimization']['epochs'] + epoch):.1f} %)")
    if a.card:
        from ijepa_viz.hub import read_json, write_json
        card = read_json(a.card, dict)
        card.setdefault('photos', {})['loading'] = dict(
            images=len(ds), decode_seconds=round(decode, 1), epoch_loading_seconds=round(load, 1), batches=tr.ipe,
            step_seconds=round(step, 3), share=round(load / (load + epoch), 4), threads=torch.get_num_threads(),
            command='python benchmarks/photo_loading.py ' + ' '.join(sys.argv[1:]))
        write_json(card, Path(a.card))

if __name__ == '__main__': main()
