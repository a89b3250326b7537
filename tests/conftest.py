"Helpers shared by the test files."
import contextlib, io, subprocess


def run_in_process(command, prog: str, args) -> subprocess.CompletedProcess:
    """Run console-script function `command` (e.g. `ijepa_viz.cli.ijepa_eval`) in this process with `args`: what the user
    would see on stdout and stderr, and the exit code, as `subprocess.run` gives them, without starting Python and
    torch again. tests/test_wheel.py runs the installed console scripts themselves."""
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: command(list(args))
        except SystemExit as e: code = e.code if isinstance(e.code, int) else int(e.code is not None)
    return subprocess.CompletedProcess([prog, *args], code, out.getvalue(), err.getvalue())
