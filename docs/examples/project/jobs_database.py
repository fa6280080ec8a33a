"""Job tables in a database of their own: GIGQ["DATABASE"] and the router."""

# --8<-- [start:jobs-database]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"},
    "jobs": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop_jobs"},
}
GIGQ = {"DATABASE": "jobs"}
# The admin, your queries on django_gigq.models and migrate follow GIGQ["DATABASE"].
DATABASE_ROUTERS = ["django_gigq.routers.GigQRouter"]
# --8<-- [end:jobs-database]
