"""The worked example notebook runs from top to bottom (so it cannot rot)."""

from __future__ import annotations

import os
import sys

import pytest

from sim.paths import PROJECT_ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = PROJECT_ROOT
NOTEBOOK = ROOT / "notebooks" / "worked_example.ipynb"


def kernel_manager():
    """A kernel manager that starts *this* interpreter's ipykernel (the venv's), whatever kernel
    specs the machine has installed: a fresh venv needs no `ipykernel install`."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    spec = KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                      display_name="parley venv", language="python")
    manager = KernelManager(kernel_name="python3")
    manager._kernel_spec = spec  # jupyter_client reads the spec from here before it looks it up
    return manager


@pytest.mark.slow
def test_worked_example_notebook_executes(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", km=kernel_manager(),
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 5  # probabilities, differences, survival, timeline, networks
