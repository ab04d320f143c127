"""Configuration classes; every value can come from the environment."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _default_data_dir() -> str:
    """The staged real data beside the checkout, if it is there."""
    return str(BASE_DIR.parent / "shared" / "geodata")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'nadeuri.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    NADEURI_DATA_DIR = os.environ.get("NADEURI_DATA_DIR", _default_data_dir())
    # Tile server for the maps; empty means no tiles (district outlines still draw).
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")
    NODE_MODULES_DIR = os.environ.get("NADEURI_NODE_MODULES", str(BASE_DIR / "node_modules"))
    # Coverage: "a kids café within 10 minutes of home" at this walking speed (70 m/min ≈ 700 m in 10 min).
    NADEURI_WALK_METRES_PER_MINUTE = float(os.environ.get("NADEURI_WALK_METRES_PER_MINUTE", "70"))
    SEARCH_MAX_RADIUS_M = 20_000
    SEARCH_MAX_LIMIT = 200
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Login and sign-up attempt counters (Flask-Limiter, app/auth/ratelimit.py). memory:// counts per process;
    # redis://host:6379/0 shares them between workers and app servers (REDIS_URL is used when this is unset).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "nadeuri")  # several sites on one Redis
    # HTTPS behind a reverse proxy (app/security.py): how many proxies' X-Forwarded-* headers to trust, and
    # whether to redirect plain http to https. Remember cookies are Secure whenever session cookies are.
    NADEURI_BEHIND_PROXY = int(os.environ.get("NADEURI_BEHIND_PROXY", "0") or 0)
    NADEURI_FORCE_HTTPS = os.environ.get("NADEURI_FORCE_HTTPS", "0") == "1"
    # Request bodies: 1 MB for every form and JSON call, 64 MB for the admin data upload (app/limits.py).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024))
    ADMIN_UPLOAD_MAX_BYTES = int(os.environ.get("ADMIN_UPLOAD_MAX_BYTES", 64 * 1024 * 1024))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAP_TILE_URL = ""
    RATELIMIT_STORAGE_URI = "memory://"  # tests that need Redis say so
