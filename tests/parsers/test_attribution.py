"""parsers.attribution: «به گزارش [سرویس …] [agency] (به نقل از …)* (از DATELINE)؛» and variants."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.article import Attribution
from parsers.attribution import parse_attribution

ZWNJ = "\u200c"


def test_seed_line_spanning_a_line_break(seed_dir: Path) -> None:
    lines = sorted(seed_dir.glob("*.txt"))[0].read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("به گزارش"))
    first_paragraph = lines[start] + "\n" + lines[start + 1]
    assert parse_attribution(first_paragraph) == Attribution(
        agency="خبرگزاری صدا و سیما", service="بین الملل", via=["خبرگزاری رویترز"], dateline="مسکو")


def test_corpus_opening_lines(corpus: Path) -> None:
    truths = {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in (corpus / "truth").glob("*/*.json")}
    assert parse_attribution(truths["tasnim"]["body_first_sentence"]) == Attribution(agency="خبرگزاری تسنیم")
    assert parse_attribution(truths["yjc"]["body_first_sentence"]) == Attribution(
        agency="باشگاه خبرنگاران جوان", service=f"استان{ZWNJ}ها", dateline="شهرکرد")
    # ISNA's story opens with an interview, not an attribution phrase.
    assert parse_attribution(truths["isna"]["body_first_sentence"]) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("به گزارش ایسنا، محمد گفت", Attribution(agency="ایسنا")),
    ("به گزارش ايسنا ، محمد گفت", Attribution(agency="ایسنا")),
    ("به گزارش خبرگزاری دانشجویان ایران (ایسنا)، وزیر", Attribution(agency="خبرگزاری دانشجویان ایران (ایسنا)")),
    ("به گزارش خبرنگار ورزشی خبرگزاری فارس، تیم", Attribution(agency="خبرگزاری فارس", service="ورزشی")),
    ("به گزارش خبرنگار ایلنا، وزیر", Attribution(agency="ایلنا")),
    ("به گزارش گروه سیاسی خبرگزاری مهر، رئیس", Attribution(agency="خبرگزاری مهر", service="سیاسی")),
    ("به گزارش گروه بین‌الملل ایرنا از مسکو؛ رئیس", Attribution(agency="ایرنا", service="بین‌الملل", dateline="مسکو")),
    ("به گزارش ایرنا به نقل از روابط عمومی وزارت نیرو، بهره", Attribution(agency="ایرنا", via=["روابط عمومی وزارت نیرو"])),
    ("به گزارش ایسنا از شبکه خبری الجزیره، ", Attribution(agency="ایسنا", via=["شبکه خبری الجزیره"])),
    ("به گزارش گروه ورزشی جام جم آنلاین، ", Attribution(agency="جام جم آنلاین", service="ورزشی")),
    ("به گزارش سرویس فرهنگی پایگاه خبری نامعلوم، ", Attribution(agency="پایگاه خبری نامعلوم", service="فرهنگی")),
    ("به گزارش «انتخاب»، رئیس", Attribution(agency="انتخاب")),
    ("به گزارش نشریه ناشناخته، متن", Attribution(agency="نشریه ناشناخته")),  # unknown name still parses
    ("به گزارش خبرگزاری مهر به نقل از آسوشیتدپرس و به نقل از رویترز از واشنگتن، ",
     Attribution(agency="خبرگزاری مهر", via=["آسوشیتدپرس", "رویترز"], dateline="واشنگتن")),
    ("به گزارش خبرگزاري صدا و سيما از مسکو: لاوروف", Attribution(agency="خبرگزاری صدا و سیما", dateline="مسکو")),
    ("تهران- ایرنا- رئیس جمهوری گفت", Attribution(agency="ایرنا", dateline="تهران")),
    ("به گزارش خبرنگار اعزامی ایرنا به نیویورک، رئیس", Attribution(agency="ایرنا", dateline="نیویورک")),
    ("به گزارش ایرنا روز دوشنبه، رئیس", Attribution(agency="ایرنا")),
    ("به گزارش خبرنگار گروه سیاسی خبرگزاری مهر، ", Attribution(agency="خبرگزاری مهر", service="سیاسی")),
    ("به گزارش روزنامه صبح نو، ", Attribution(agency="روزنامه صبح نو")),
    ("به گزارش ایسنا و به نقل از رویترز، ", Attribution(agency="ایسنا", via=["رویترز"])),
    ("به گزارش ایسنا از اراک به نقل از روابط عمومی استانداری، امروز",
     Attribution(agency="ایسنا", via=["روابط عمومی استانداری"], dateline="اراک")),
    ("به گزارش ایسنا محمد بدون ویرگول گفت که چیزی نگفت و رفت", Attribution(agency="ایسنا")),
])
def test_variants(text: str, expected: Attribution) -> None:
    assert parse_attribution(text) == expected


@pytest.mark.parametrize("text", [
    None, "", "وزیر امور خارجه گفت: به گزارش من همه چیز خوب است",
    "حسین عسگری، کارشناس داوری فوتبال در گفت‌وگو با ایسنا، درباره",
    "به گزارش ، ", "متنی بدون هیچ نشانی",
])
def test_no_attribution(text: str | None) -> None:
    assert parse_attribution(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="به گزارش خبرگزاری ایسنا سرویس گروه از نقل،؛:()«»\n-", max_size=80) | st.text(max_size=80))
def test_junk_never_raises(text: str) -> None:
    found = parse_attribution(text)
    assert found is None or isinstance(found, Attribution)
    if found is not None:
        assert found.agency or found.via
        assert all(v and v.strip() == v for v in found.via)
