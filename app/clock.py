"""The type of the app's notion of now, so visibility of scheduled content is testable."""

from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]
