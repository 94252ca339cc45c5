"""The JSON API (documented by OpenAPI at /docs); every module calls the same services as the portal."""

from fastapi import APIRouter

from techbridge.web.routes.api import alerts, chains, challenges, match, registry, tiers, transfers
from techbridge.web.routes.api.errors import API_ERRORS

router = APIRouter(responses=API_ERRORS)
for _module in (registry, match, tiers, chains, transfers, challenges, alerts):
    router.include_router(_module.router)
