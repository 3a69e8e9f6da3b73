"""fediverse-pasture's actor verifier, as its authors run it: their Quart application (`verify_actor`), served
here on 127.0.0.1:PORT over http, asked about each actor through its own runner (`VerifyActorRunner`).

For one actor it checks: WebFinger gives back the actor's id; an unsigned fetch and a POST to the inbox by
"alice" and "dean" (an unsigned POST should be refused); signed fetches and signed POSTs by "bob" and
"emily" (should pass: the server fetches their keys); the same by "claire" and "frank", whose own actor
documents answer only signed fetches (should pass only when the server signs its key fetches)."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import aiohttp
import uvicorn
from fediverse_pasture.runner.verify_actor import VerifyActorRunner, format_verify_actor_result
from fediverse_pasture.types import ApplicationAdapterForActor
from fediverse_pasture.verify_actor import build_app

from .offline import use_local_contexts


async def verify(port: int, workdir: Path, actor_uris: list[str], timeout: float) -> list[dict]:
    """The verifier's result for each actor: {"application_name", "verify_actor_table", "messages", "report"}."""
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)  # the verifier keeps its actors' keys in ./data.toml
    use_local_contexts()
    app = build_app(False, f"127.0.0.1:{port}", False, timeout)
    logging.getLogger().setLevel(logging.WARNING)  # the module turns on DEBUG for everything when imported
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        results = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout * 8)) as session:
            for uri in actor_uris:
                runner = VerifyActorRunner(ApplicationAdapterForActor(actor_uri=uri, application_name=uri),
                                           verify_actor_url=f"http://127.0.0.1:{port}/", session=session)
                result = await runner.run()
                result["report"] = format_verify_actor_result([result])
                results.append(result)
        return results
    finally:
        server.should_exit = True
        await serving
