"""Obvious automated clients, by User-Agent. Their beacons are accepted and not counted."""

import re

_BOT = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetcher|scanner|monitor|preview|headless|lighthouse|"
    r"facebookexternalhit|embedly|curl|wget|python|httpx|aiohttp|go-http|java/|okhttp|"
    r"node-fetch|axios|libwww|scrapy",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or _BOT.search(user_agent) is not None
