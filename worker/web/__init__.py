"""`bayegan serve`: a read-only Persian web app over the archive (Starlette + Jinja2, on uvicorn).

app.py builds the ASGI app (routes, error pages, security headers); data.py turns the archive
into the plain values the pages and the JSON API share; persian.py has the Jalali dates,
Persian digits and the word-level diff the templates show.
"""
