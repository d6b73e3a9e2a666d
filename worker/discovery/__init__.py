"""Finding article URLs: feeds, sitemaps, listings, Jalali archive backfill, poll timing, claims."""
