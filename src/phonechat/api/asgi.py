"""The ASGI entry point for `phonechat serve` worker processes (settings from the env)."""

import gc

from ..logs import configure
from ..settings import Settings
from .factory import create_app

_settings = Settings.from_env()
configure(_settings.log_level, _settings.access_log)
app = create_app(_settings)

# Everything made so far (modules, tables, compiled queries, routes, contracts) lives as
# long as the worker: moved out of the collector's reach, so that its full passes walk
# only what requests make. Without this the passes over the startup objects (about 80,000)
# cost a list page of 50 bookings 13-22% of its CPU (docs/performance.md).
gc.collect()
gc.freeze()
