"""The Celery daemon: the app, its tasks and beat. The only package that imports Celery."""
