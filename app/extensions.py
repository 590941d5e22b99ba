"""Flask extensions, created without an app so nothing imports the factory."""

import sqlalchemy as sa
from authlib.integrations.flask_client import OAuth
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
csrf = CSRFProtect()
bootstrap = Bootstrap5()
# Throttles sign-in and token use; memory by default, Redis when ASCENT_REDIS_URL is set so
# every host counts together.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
# OpenID Connect clients, one per org with single sign-on, registered from its settings.
oauth = OAuth()
