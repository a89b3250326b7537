"RCDM decoder: diffusion identities, DDIM with an oracle, and `ijepa-rcdm` train / resume / sample on a tiny configuration."
import torch
from ijepa_viz.hub import read_checkpoint
import subprocess, sys
from pathlib import Path
from ijepa_viz.rcdm import alpha_sigma, q_sample, v_target, x0_from_v, ddim, build_unet, cli, load_decoder


def test_v_identities_and_ddim_oracle():
    g = torch.Generator().manual_seed(1)
    x0 = torch.rand(2, 3, 8, 8, generator=g) * 2 - 1
    t = torch.tensor([0.3, 1.0])
    eps = torch.randn(x0.shape, generator=g)
    assert torch.allclose(x0_from_v(q_sample(x0, t, eps), t, v_target(x0, t, eps)), x0, atol=1e-5)
    def oracle(x, t):
        a, s = (u.view(-1, 1, 1, 1) for u in alpha_sigma(t))
        return a * (x - a * x0) / s - s * x0
    assert torch.allclose(ddim(oracle, x0.shape, steps=4, generator=g), x0, atol=1e-4)


def test_unet_shape_and_null_condition():
    net = build_unet('cpu', cond_dim=8, base=16, mults=(1, 2), zero_init=False).eval()
    x, t, c = torch.randn(2, 3, 32, 32), torch.rand(2), torch.randn(2, 8)
    with torch.no_grad():
        assert net(x, t, c).shape == x.shape
        assert not torch.allclose(net(x, t, c), net(x, t, None))


def test_cli_train_resume_sample(tmp_path):
    ck = tmp_path / 'r.pt'
    args = ['train', '--out', str(ck), '--batch-size', '2', '--dataset-size', '8', '--device', 'cpu', '--no-progress']
    script = Path(sys.executable).with_name('ijepa-rcdm')          # the console script exits 0
    r = subprocess.run([str(script)] + args + ['--steps', '1'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    gone = subprocess.Popen(['true']); gone.wait()
    stale = tmp_path / f'.r.pt.ijepa-tmp-{gone.pid}-abc123.tmp'; stale.write_bytes(b'half a save')   # as a kill -9 during a save leaves it
    r = subprocess.run([str(script)] + args + ['--steps', '2'], capture_output=True, text=True)
    assert r.returncode == 2 and 'already exists' in r.stderr and '--resume' in r.stderr, r.stderr   # never replaced unasked
    assert read_checkpoint(ck)['step'] == 1
    tr = cli(args + ['--steps', '2', '--resume'])          # resumes from step 1
    assert tr.step_ == 2 and read_checkpoint(ck)['step'] == 2
    assert not stale.exists()                  # removed when the run resumed in that folder
    assert load_decoder(ck).img_size == 32
    png = tmp_path / 's.png'
    cli(['sample', '--decoder', str(ck), '--seeds', '1', '--steps', '2', '--dataset-size', '8', '--png', str(png)])
    assert png.stat().st_size > 0
