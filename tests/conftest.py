"""Suite-wide isolation: no test reads the developer's kubeconfig, kdash config or state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
    mp.setenv("XDG_STATE_HOME", str(home / "state"))
    mp.setenv("XDG_DATA_HOME", str(home / "data"))
    mp.setenv("KUBECACHEDIR", str(home / "kubecache"))
    mp.delenv("KUBECONFIG", raising=False)
    mp.setenv("HOME", str(home))
    Path(home / "config").mkdir()
    yield
    mp.undo()
