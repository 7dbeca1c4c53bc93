"""The least a Django project needs to run the management command (add ``hr_cycle`` to the
``INSTALLED_APPS`` of your own project instead)."""

SECRET_KEY = "only-for-the-recipe"  # noqa: S105 - a recipe, not a deployment
INSTALLED_APPS = ["hr_cycle"]
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
