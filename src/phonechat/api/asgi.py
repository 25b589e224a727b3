"""The ASGI entry point for `phonechat serve` worker processes (settings from the env)."""

from ..logs import configure
from ..settings import Settings
from .factory import create_app

_settings = Settings.from_env()
configure(_settings.log_level, _settings.access_log)
app = create_app(_settings)
