"""A lead that opens with the agency's own name («خبرگزاری مهر - …», «ایسنا: …») carries
attribution, not story text: the prefix is split off so the lead reads as the story's summary and
the name can fill `Attribution.agency` where the body's «به گزارش …» line named none."""
from __future__ import annotations

import re

# «خبرگزاری/پایگاه خبری/… NAME» (one to three words) then a dash or colon. Bounded word counts keep
# the match linear and stop it from eating a real sentence that merely mentions an agency.
_AGENCY_PREFIX = re.compile(
    r"^\s*(?P<agency>(?:خبرگزاری|خبرگزاري|پایگاه\s*خبری|پايگاه\s*خبري|شبکه\s*خبر)(?:\s+[^\s\-–—:؛،]+){1,3})"
    r"\s*[-–—:؛]\s*(?P<rest>\S.*)$", re.DOTALL)


def split_agency_prefix(lead: str | None) -> tuple[str | None, str | None]:
    """(agency name or None, lead without the prefix)."""
    if not lead:
        return None, lead
    match = _AGENCY_PREFIX.match(lead)
    if match is None:
        return None, lead
    return match["agency"].strip(), match["rest"].strip()
