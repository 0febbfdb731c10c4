"""`watchwire agent`: checks from another location, over the central service's HTTP API
(never its database), so an agent runs on any network that reaches the API (decision 0032).

    client.py   the agent API over HTTP (aiohttp), with the location's agent token
    buffer.py   result batches on disk until the central service has them (bounded)
    source.py   the engine's work source: claims, results through the buffer, and the last
                known schedule to keep checking while the central service is away
    agent.py    the process: the location engine, the heartbeat and the sender together
"""
