"""Automated clients, by User-Agent. Their beacons are accepted and not counted.

The list of crawlers, link previews, headless browsers and HTTP libraries is
CrawlerDetect's, which tracks new agents as they appear; a hand-kept regex
always lags behind them.
"""

import re
from functools import lru_cache

from crawlerdetect import CrawlerDetect

_detector = CrawlerDetect()
# Node's built-in fetch says only "node" (undici's own "undici" is on the list).
_MISSED = re.compile(r"^node\b", re.IGNORECASE)


# The detector runs a few hundred patterns; beacons repeat a small set of agents,
# and the bound keeps made-up agents from growing the cache.
@lru_cache(maxsize=4096)
def _is_automated(user_agent: str) -> bool:
    return _MISSED.match(user_agent) is not None or _detector.is_crawler(user_agent)


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or not user_agent.strip() or _is_automated(user_agent)
