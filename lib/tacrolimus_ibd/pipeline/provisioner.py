"""jupyter_client kernel provisioners that fork kernels from a kernel server (``preload``).

``PreloadedProvisioner`` is what the run engine's kernel manager uses (the run's server).
``OnDemandProvisioner`` forks from a server of the process's own, started at its first kernel after
``preload.on_demand(notebooks)``: the test session's kernel manager for nbval uses it
(tests/conftest.py). Both start the kernel as a new process, as jupyter_client's local provisioner
does, whenever it cannot be forked.
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from . import preload


class PreloadedProvisioner(LocalProvisioner):
    """The local provisioner, forking the kernel from the run's kernel server when it may."""

    def _server(self):
        return preload.run_server()

    async def launch_kernel(self, cmd: list[str], **kwargs):
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        server = self._server()
        kernel = preload.fork_kernel(cmd, cwd=kwargs.get("cwd"), env=env, server=server) if server else None
        if kernel is None:
            if server is not None and server.interrupted:  # the run is stopping: no new kernel
                raise RuntimeError("the run was interrupted before this kernel started")
            return await super().launch_kernel(cmd, **kwargs)
        self.process = kernel
        self.pid = kernel.pid
        self.pgid = kernel.pid  # it leads its own group: signals reach what it started too
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info


class OnDemandProvisioner(PreloadedProvisioner):
    """Forks from the on-demand server (``preload.on_demand``), started at the first kernel."""

    def _server(self):
        return preload.on_demand_server()
