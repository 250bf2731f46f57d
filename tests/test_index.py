"""The candidate index: which canonical article a crawled page carries, among thousands.

The seed article hides among 2,000 synthetic French-like articles; the example partner pages must
find it (whole, with a paragraph cut, truncated) and the unrelated page must find nothing. With the
real-page corpus (``../shared/corpus``), every page must find its own article first.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpus_cases import canonical_for, corpus_root, load_pages  # noqa: E402
from index_bench import synthetic_articles  # noqa: E402

from checker.canonical import load_canonical  # noqa: E402
from checker.errors import ConfigError, RepcheckError  # noqa: E402
from checker.extract import extract  # noqa: E402
from checker.fetch import load_page  # noqa: E402
from checker.index import MIN_SCORE, Candidate, CandidateIndex, visible_text  # noqa: E402
from checker.models import Article  # noqa: E402

EXAMPLES = ROOT / "examples"
SEED = load_canonical(EXAMPLES / "canonical" / "rfi-haftar-moscou.json")


def _article(id: str, title: str, body: tuple[str, ...], lead: str | None = None, language: str = "zh") -> Article:
    return Article(
        id=id,
        url=f"https://publisher.example/{id}",
        publisher="P",
        language=language,
        title=title,
        body=body,
        lead=lead,
    )


CJK = _article(
    "zh-yangtze-flood",
    "长江中下游地区遭遇罕见洪涝灾害",
    (
        "本周以来，长江中下游多个省份持续出现强降雨，部分河段水位超过警戒线，当地政府已启动防汛应急响应。",
        "气象部门表示，未来三天降雨仍将持续，提醒沿江居民做好防范准备，避免前往低洼地带和河道附近。",
        "据统计，目前已有数万名群众被转移安置，救援队伍正在受灾最严重的村庄开展搜救和物资发放工作。",
    ),
    lead="连日暴雨导致多地河水上涨，数万人被紧急转移。",
)
CJK_OTHER = _article(
    "zh-tech-forum",
    "国际科技论坛在深圳开幕",
    (
        "来自三十多个国家和地区的企业代表和专家学者参加了本届论坛，围绕人工智能和数字经济展开讨论。",
        "主办方介绍，论坛期间将举行多场分论坛和项目签约仪式，预计签约金额将创下历史新高。",
    ),
)
CJK_PAGE = "\n".join(
    [
        "首页 新闻 国内 国际 财经 体育 娱乐 登录 注册",
        "热门推荐：国际科技论坛在深圳开幕",
        CJK.title,
        "2024年7月3日 来源：合作网站",
        CJK.lead or "",
        *CJK.body,
        "责任编辑：王明 分享到微信 微博",
        "关于我们 联系我们 广告服务 版权所有 © 2024",
    ]
)


def _page_text(name: str) -> str:
    return visible_text(extract(load_page(EXAMPLES / "partners" / name)))


@pytest.fixture(scope="module")
def index() -> CandidateIndex:
    """The seed and two CJK articles among 2,000 synthetic distractors."""
    distractors = list(synthetic_articles(2000, random.Random(0)))
    return CandidateIndex.from_articles([*distractors[:1000], SEED, CJK, CJK_OTHER, *distractors[1000:]])


def test_len(index: CandidateIndex) -> None:
    assert len(index) == 2003
    assert SEED.id in index


@pytest.mark.parametrize("name", ["compliant.html", "cut-paragraph.html", "truncated.html"])
def test_seed_is_the_top_candidate(index: CandidateIndex, name: str) -> None:
    found = index.candidates(_page_text(name))
    assert found, f"{name}: no candidate"
    assert found[0].article_id == SEED.id
    assert MIN_SCORE <= found[0].score <= 1.0
    assert found[0].matched >= 3
    assert all(c.article_id != SEED.id for c in found[1:])


def test_compliant_page_scores_near_one(index: CandidateIndex) -> None:
    top = index.candidates(_page_text("compliant.html"))[0]
    assert top.score >= 0.9


def test_unrelated_page_has_no_candidate(index: CandidateIndex) -> None:
    assert index.candidates(_page_text("not-the-article.html")) == []


def test_chrome_only_and_empty_pages_have_no_candidate(index: CandidateIndex) -> None:
    assert index.candidates("") == []
    assert index.candidates("Accueil Afrique Monde France Économie Sports Culture Vidéos Podcasts") == []


def test_cjk_article_is_matched(index: CandidateIndex) -> None:
    found = index.candidates(CJK_PAGE)
    assert [c.article_id for c in found] == [CJK.id]  # the other article's title in the teaser is not enough
    assert found[0].score >= 0.9  # the date line between title and lead breaks the shingles across them


def test_cjk_partial_page_is_matched() -> None:
    small = CandidateIndex.from_articles([CJK, CJK_OTHER])
    found = small.candidates("导航 首页\n" + CJK.title + "\n" + CJK.body[0])
    assert found and found[0].article_id == CJK.id
    assert found[0].score < 1.0


def test_limit_and_ordering() -> None:
    # the same text twice under two ids, and a third article holding half of it
    text = tuple(SEED.body)
    a = _article("a", SEED.title, text, language="fr")
    b = _article("b", SEED.title, text, language="fr")
    c = _article("c", "Autre titre sans rapport", text[:2], language="fr")
    idx = CandidateIndex.from_articles([b, c, a])
    page = "\n".join([c.title, *text[:2]])
    found = idx.candidates(page, limit=5)
    assert found[0] == Candidate("c", 1.0, found[0].matched)
    assert [x.article_id for x in found[1:]] == ["a", "b"]  # equal scores: ordered by id
    assert idx.candidates(page, limit=1) == found[:1]
    assert idx.candidates(page, limit=0) == []


def test_add_after_lookup_and_duplicate_id() -> None:
    idx = CandidateIndex()
    assert idx.candidates(_page_text("compliant.html")) == []
    idx.add(SEED)
    assert idx.candidates(_page_text("compliant.html"))[0].article_id == SEED.id
    with pytest.raises(ConfigError, match="indexed twice"):
        idx.add(SEED)


def test_too_short_article_is_never_a_candidate() -> None:
    idx = CandidateIndex.from_articles([_article("tiny", "Brève", ("Trois mots ici.",), language="fr")])
    assert len(idx) == 1
    assert idx.candidates("Brève\nTrois mots ici.") == []


def test_save_load_round_trip(index: CandidateIndex, tmp_path: Path) -> None:
    path = tmp_path / "corpus.rcidx"
    index.save(path)
    loaded = CandidateIndex.load(path)
    assert len(loaded) == len(index)
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.rcidx"]  # no temporary file left behind
    pages = [_page_text(n) for n in ("compliant.html", "cut-paragraph.html", "truncated.html", "not-the-article.html")]
    for text in [*pages, CJK_PAGE]:
        assert loaded.candidates(text) == index.candidates(text)
    index.save(path)  # overwriting an existing index
    assert CandidateIndex.load(path).candidates(pages[0]) == index.candidates(pages[0])


@pytest.fixture(scope="module")
def saved(index: CandidateIndex, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("idx") / "ok.rcidx"
    index.save(path)
    return path.read_bytes()


def _corrupt_payload(raw: bytes) -> bytes:
    data = bytearray(raw)
    data[-5] ^= 0xFF
    return bytes(data)


def _corrupt_header(raw: bytes) -> bytes:
    return raw.replace(b'"format":1', b'"format":[', 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_corrupt_payload, "checksum mismatch"),
        (lambda raw: raw[: len(raw) // 2], "truncated"),
        (lambda raw: raw[:20], "truncated"),
        (_corrupt_header, "corrupted header"),
        (lambda raw: raw.replace(b'"format":1', b'"format":9', 1), "format version 9"),
        (lambda raw: b"\x80\x04\x95 pickle-looking bytes", "not a repcheck candidate index"),
        (lambda raw: b"", "not a repcheck candidate index"),
    ],
    ids=[
        "payload-bit-flip",
        "truncated-payload",
        "truncated-header",
        "bad-header",
        "other-version",
        "garbage",
        "empty",
    ],
)
def test_corrupted_index_file(saved: bytes, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.rcidx"
    path.write_bytes(make(saved))
    with pytest.raises(ConfigError, match=message) as info:
        CandidateIndex.load(path)
    assert str(path) in str(info.value)
    assert str(info.value).startswith("index error: ")


def test_missing_index_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.rcidx"
    with pytest.raises(ConfigError, match="no such file") as info:
        CandidateIndex.load(path)
    assert str(path) in str(info.value)


# --- the real-page corpus -----------------------------------------------------------------------

CORPUS = corpus_root()


@pytest.mark.skipif(CORPUS is None, reason="real-page corpus not found at ../shared/corpus (set REPCHECK_CORPUS)")
def test_corpus_pages_find_their_own_article() -> None:
    assert CORPUS is not None
    pages = load_pages(CORPUS)
    articles = [load_canonical(canonical_for(p)) for p in pages]
    idx = CandidateIndex.from_articles(articles)
    assert len(idx) == len(pages)
    misses = []
    for page in pages:
        try:
            text = visible_text(extract(load_page(page.html_path)))
        except RepcheckError as exc:
            misses.append(f"{page.id}: {exc}")
            continue
        found = idx.candidates(text)
        if not found or found[0].article_id != page.id:
            misses.append(f"{page.id}: {[(c.article_id, round(c.score, 2)) for c in found]}")
    share = 1 - len(misses) / len(pages)
    assert share >= 0.95, f"{share:.1%} of {len(pages)} pages find their own article first; misses: {misses}"
