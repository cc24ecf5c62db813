"""The wheel carries the stylesheets, and an installed kdash finds them and starts with them.

The wheel is installed (without dependencies) into a fresh venv whose only view of the dependencies
is a path entry to this venv's site-packages, so the kdash that runs is the wheel's, not the checkout.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("kdash-*.whl")
    return built


def test_wheel_contains_every_stylesheet(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"kdash/styles/{p.name}" for p in (REPO / "styles").glob("*.tcss")}
    assert expected, "styles/*.tcss is empty"
    assert expected <= names
    assert "kdash/ui/stylesheets.py" in names


def test_installed_wheel_starts_with_its_own_css(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    fresh_python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(fresh_python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    fresh_site = Path(
        subprocess.check_output(
            [str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (fresh_site / "zz_dev_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    script = textwrap.dedent(
        """
        import asyncio, sys
        from pathlib import Path
        import kdash
        from kdash.ui.stylesheets import stylesheet_paths
        site = Path(sys.argv[1]).resolve()
        assert Path(kdash.__file__).resolve().is_relative_to(site), kdash.__file__
        paths = stylesheet_paths()
        assert paths and all(p.resolve().is_relative_to(site) for p in paths), paths

        from kdash.sim import start_sim
        from kdash.k8s.kubeconfig import load_target
        from kdash.k8s.service import ClusterService
        from kdash.ui.app import KdashApp

        async def main() -> None:
            with start_sim("empty") as sim:
                service = ClusterService(load_target(kubeconfig=str(sim.kubeconfig_path)))
                app = KdashApp(service)
                async with app.run_test(size=(100, 30)) as pilot:
                    await pilot.pause()
                    sources = {Path(path).name for (path, _) in app.stylesheet.source}
                    assert "app.tcss" in sources, sources
                service.stop()
            print("css-ok")

        asyncio.run(main())
        """
    )
    proc = subprocess.run(
        [str(fresh_python), "-c", script, str(fresh_site)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "css-ok" in proc.stdout
    version = subprocess.run(
        [str(venv / "bin" / "kdash"), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip().startswith("kdash ")
