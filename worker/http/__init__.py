"""HTTP fetching policy: the fetcher, politeness, robots.txt, the SSRF guard, capped bodies, fetch errors."""
