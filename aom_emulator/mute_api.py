"""AOM v2 silence (mute) rule endpoints, as the SDK's add_mute_rules, update_mute_rule,
list_mute_rule and delete_mute_rules call them. Authentication happened before; errors
(BadRequest) are answered by the app's error middleware.

Success: create, update and delete answer 200 with an empty body (the SDK's response models for
them have no field); list answers 200 with a JSON array of MuteRule.
"""

from __future__ import annotations

from aiohttp import web

from .auth import CALLER_ID
from .body import read_json
from .mute_rules import validate_delete, validate_rule
from .store import AsyncStore

PATH = "/v2/{project_id}/alert/mute-rules"


def mute_routes(store: AsyncStore) -> list[web.RouteDef]:
    async def create(request: web.Request) -> web.Response:
        rule = validate_rule(await read_json(request))
        await store.run(store.store.add_mute_rule, request.match_info["project_id"], rule, request[CALLER_ID],
                        store.clock())
        return web.Response(status=200)

    async def update(request: web.Request) -> web.Response:
        rule = validate_rule(await read_json(request))
        await store.run(store.store.update_mute_rule, request.match_info["project_id"], rule, request[CALLER_ID],
                        store.clock())
        return web.Response(status=200)

    async def list_rules(request: web.Request) -> web.Response:
        rules = await store.run(store.store.list_mute_rules, request.match_info["project_id"])
        return web.json_response(rules)

    async def delete(request: web.Request) -> web.Response:
        names = validate_delete(await read_json(request))
        await store.run(store.store.delete_mute_rules, request.match_info["project_id"], names)
        return web.Response(status=200)

    return [web.post(PATH, create), web.put(PATH, update), web.get(PATH, list_rules, allow_head=False),
            web.delete(PATH, delete)]
