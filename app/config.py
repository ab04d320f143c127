"""Configuration classes; every value can come from the environment."""

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _default_data_dir() -> str:
    """The staged real data beside the checkout, if it is there."""
    return str(BASE_DIR.parent / "shared" / "geodata")


# Signs sessions. create_app refuses to start with it unless TESTING or DEBUG is on (scripts/serve generates a
# real one into instance/secret_key).
DEFAULT_SECRET_KEY = "dev-only-change-me"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else the one scripts/serve generated (so `flask --app app …` finds it)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    generated = BASE_DIR / "instance" / "secret_key"
    return (generated.read_text(encoding="utf-8").strip() if generated.is_file() else "") or DEFAULT_SECRET_KEY


class Config:
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'nadeuri.sqlite3'}")
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
    # Uploaded files wait here, under a random token, between the preview and apply (app/admin/uploads.py);
    # empty: instance/uploads. A preview not applied within the minutes expires and its files are removed.
    ADMIN_UPLOAD_DIR = os.environ.get("ADMIN_UPLOAD_DIR", "")
    ADMIN_UPLOAD_PREVIEW_MINUTES = int(os.environ.get("ADMIN_UPLOAD_PREVIEW_MINUTES", 60))
    # Every other setting the code reads, with its default (README "설정" table); read at request time, so
    # tests and operators may change them on app.config.
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", 30))  # lifetime of a new API token (app/auth/tokens.py)
    # Capacity of generated slots for a facility without its own session templates (flask generate-slots).
    BOOKING_FALLBACK_CAPACITY = int(os.environ.get("BOOKING_FALLBACK_CAPACITY", 20))
    # Flask-Limiter strings (app/auth/ratelimit.py): per address+e-mail, per address (many accounts), sign-ups.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10/minute")
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30/minute")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10/minute;50/hour")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count per process, back to Redis when it returns
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on the 429
    # Personal data (app/privacy; the /privacy page states these same values). The version a guardian's consent
    # to registering a child is stored with; how long bookings keep naming people; how long a deleted account's
    # remains wait before they are erased; how long the personal-data access log is kept (2 years).
    PRIVACY_POLICY_VERSION = os.environ.get("PRIVACY_POLICY_VERSION", "2026-12-07")
    BOOKING_RETENTION_MONTHS = int(os.environ.get("BOOKING_RETENTION_MONTHS", 12))
    DELETED_ACCOUNT_ERASE_DAYS = int(os.environ.get("DELETED_ACCOUNT_ERASE_DAYS", 30))
    ACCESS_LOG_RETENTION_MONTHS = int(os.environ.get("ACCESS_LOG_RETENTION_MONTHS", 24))
    # Response compression (Flask-Compress, driven by app/delivery.py): brotli for browsers that take it, else gzip;
    # empty COMPRESS_ALGORITHM turns it off (e.g. when nginx compresses). Streams (CSV exports) stay uncompressed.
    COMPRESS_ALGORITHM = [a for a in os.environ.get("COMPRESS_ALGORITHM", "br,gzip").split(",") if a.strip()]
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "image/svg+xml",
    ]
    COMPRESS_LEVEL = 6  # gzip
    COMPRESS_BR_LEVEL = 5  # brotli: 5 is about gzip's speed and 15–20 % smaller
    COMPRESS_MIN_SIZE = 500  # bytes; smaller bodies gain nothing
    COMPRESS_STREAMS = False
    COMPRESS_REGISTER = False  # app/delivery.py runs the compression in its one hook
    # Cache lifetimes (seconds) of the app's static files and npm assets: a URL with the file's current ?v=
    # hash is cached for a year and immutable; any other asset URL briefly, then revalidated by ETag.
    ASSET_MAX_AGE = int(os.environ.get("ASSET_MAX_AGE", 31_536_000))
    ASSET_UNVERSIONED_MAX_AGE = int(os.environ.get("ASSET_UNVERSIONED_MAX_AGE", 300))
    # Notifications (app/notifications, app/jobs.py). The job queue: empty → SQLite file instance/queue.sqlite3,
    # redis://… → Redis (production), memory:// → in-process (tests drain it themselves).
    QUEUE_URL = os.environ.get("QUEUE_URL", "")
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")  # links in messages (the worker has no request)
    NOTIFY_CHANNELS = os.environ.get("NOTIFY_CHANNELS", "email")  # offered to parents: email, kakao
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 6))  # then failed (waits 1, 2, 4, 8, 16 min)
    NOTIFY_CLAIM_TIMEOUT_MINUTES = int(os.environ.get("NOTIFY_CLAIM_TIMEOUT_MINUTES", 15))  # a crashed worker's row
    NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", 10))  # seconds, provider API calls
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", 30))
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5/minute;20/hour")
    # E-mail (Flask-Mail's names). Empty MAIL_SERVER: e-mails are only recorded (the development channel).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = False
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "나들이 <no-reply@nadeuri.example>")
    # 카카오 알림톡 / SMS through Solapi; empty SOLAPI_API_KEY: off (recorded only). SOLAPI_TEMPLATES maps events to
    # approved 알림톡 templates ("booking_confirmed=KA01TP…,…"); other events go as SMS.
    SOLAPI_BASE_URL = os.environ.get("SOLAPI_BASE_URL", "https://api.solapi.com")
    SOLAPI_API_KEY = os.environ.get("SOLAPI_API_KEY", "")
    SOLAPI_API_SECRET = os.environ.get("SOLAPI_API_SECRET", "")
    SOLAPI_SENDER = os.environ.get("SOLAPI_SENDER", "")
    SOLAPI_PF_ID = os.environ.get("SOLAPI_PF_ID", "")
    SOLAPI_TEMPLATES = os.environ.get("SOLAPI_TEMPLATES", "")


def check_secret_key(config) -> None:
    """Refuse to run outside testing and debug with the development SECRET_KEY: anyone could sign sessions."""
    if config.get("TESTING") or config.get("DEBUG"):
        return
    if config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        raise RuntimeError(
            "SECRET_KEY is not set: refusing to start with the development default. Set the SECRET_KEY environment "
            "variable to a long random value (scripts/serve generates one into instance/secret_key). "
            "SECRET_KEY가 설정되지 않았습니다: 긴 임의의 값을 환경 변수 SECRET_KEY로 주세요."
        )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAP_TILE_URL = ""
    RATELIMIT_STORAGE_URI = "memory://"  # tests that need Redis say so
    # Not the checkout's instance/, and one folder per process: test runs side by side sweep only their own.
    ADMIN_UPLOAD_DIR = os.path.join(tempfile.gettempdir(), f"nadeuri-test-uploads-{os.getpid()}")
    QUEUE_URL = "memory://"  # tests run queued jobs themselves (app.extensions["jobs"].drain())
    MAIL_SERVER = ""  # recorded only, unless a test starts its own SMTP server
    SOLAPI_API_KEY = ""
