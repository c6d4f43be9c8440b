"""``python -m sim app``: the interactive app, served on this machine."""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from typing import Any

from sim.cli.common import UsageError


def add_parser(sub: Any) -> None:
    app = sub.add_parser("app", help="serve the interactive app in the browser (needs the [app] extra)")
    app.add_argument("--port", type=int, default=8765, help="port on localhost (default 8765)")
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    app.set_defaults(func=cmd_app)


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the interactive app (``sim/app.py``, a Solara page) on localhost until interrupted."""
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be in [1, 65535], got {args.port}")
    check_can_listen(args.host, args.port)
    from sim.runs.extras import extra

    with extra("app"):
        from sim.app import serve
    print(f"serving the app on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    serve(host=args.host, port=args.port)
    return 0


def check_can_listen(host: str, port: int) -> None:
    """UsageError (one line) unless a server can listen on host:port: a port another program uses, or a
    host that is not an address of this machine, is refused before the app is loaded."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as err:
        raise UsageError(f"--host {host!r} is not an address of this machine ({err})") from None
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":  # as the server does, so that a port just freed counts as free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            hint = "; another program uses it: choose another with --port N" if err.errno == errno.EADDRINUSE else ""
            raise UsageError(f"cannot serve the app on {host}:{port}: {err.strerror}{hint}") from None
