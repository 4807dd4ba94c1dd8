"""Loaded by every Python process of an offline test run (controller and kernels) via PYTHONPATH.

Records, and blocks, any attempt to reach a host other than this machine's loopback: socket
connections, UDP sends and name lookups. The log path comes from TACROLIMUS_NETWORK_LOG.
"""

import os
import sys

_LOG = os.environ.get("TACROLIMUS_NETWORK_LOG")
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")


def _command_line() -> str:
    # sys.argv is not final while site runs ("python -m x" shows "-m"); /proc has the real one.
    try:
        with open("/proc/self/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return " ".join(sys.argv)


def _is_local(address) -> bool:
    if isinstance(address, tuple) and address:
        address = address[0]
    if isinstance(address, bytes):
        address = address.decode(errors="replace")
    if not isinstance(address, str):
        return True  # AF_UNIX paths and the like never leave the machine
    return address == "" or address.startswith(_LOCAL) or address.startswith("/")


def _hook(event, args):
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
    elif event in ("socket.getaddrinfo", "socket.gethostbyname"):
        address = args[0]
    else:
        return
    if _is_local(address):
        return
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {_command_line()} {event} {address!r}\n")
    raise OSError(f"network access blocked by the offline test: {event} {address!r}")


def _record_process(how: str = "") -> None:
    with open(_LOG + ".processes", "a", encoding="utf-8") as processes:
        processes.write(f"{os.getpid()} {how}{_command_line()}\n")


if _LOG:
    _record_process()
    # Kernels forked from the kernel server (pipeline.preload) keep its hook: recorded as forked.
    os.register_at_fork(after_in_child=lambda: _record_process("forked: "))
    sys.addaudithook(_hook)
