"""`python -m sns_fediverse_peer serve --port N --state FILE` runs the peer; `python -m sns_fediverse_peer
verify-actor --port N ACTOR_URI` runs fediverse-pasture's actor verifier once and prints its JSON result."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from . import peer, verifier


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sns_fediverse_peer")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve one fediverse actor on 127.0.0.1:PORT")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--state", type=Path, required=True, help="JSON file kept up to date with what arrived")
    serve.add_argument("--name", default="peer", help="the actor's preferred username")
    verify = commands.add_parser("verify-actor", help="run fediverse-pasture's actor verifier against one actor")
    verify.add_argument("--port", type=int, required=True, help="where the verifier's own actors are served")
    verify.add_argument("--workdir", type=Path, default=Path("."), help="where the verifier keeps its data.toml")
    verify.add_argument("--timeout", type=float, default=20)
    verify.add_argument("actor_uri", nargs="+", help="actor URIs (or acct: handles) to verify")
    args = parser.parse_args(argv)
    if args.command == "serve":
        peer.serve(args.port, args.state, args.name)
        return 0
    results = asyncio.run(verifier.verify(args.port, args.workdir, args.actor_uri, args.timeout))
    json.dump(results, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
