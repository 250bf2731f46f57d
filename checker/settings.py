"""Every default repcheck uses, documented, in one place.

Precedence, lowest first: these defaults < the licence profile < a config file < the command
line. Stages read their defaults from here and never hard-code numbers of their own.
"""

from __future__ import annotations

from typing import Final

from checker import __version__

# --- fetch ---------------------------------------------------------------------------------
#: Identifies us to partner sites (scrapy's habit): name, version and where to read about us.
USER_AGENT: Final[str] = f"repcheck/{__version__} (+https://github.com/repcheck/repcheck; republication audit)"
#: (connect, read) timeouts in seconds; requests never waits forever.
TIMEOUT: Final[tuple[float, float]] = (10.0, 30.0)
#: Total attempts for one URL, counting the first one.
RETRIES: Final = 3
#: Only these statuses are retried (transient by RFC 9110 semantics); 4xx other than 408/429 are final.
RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
#: Backoff base in seconds: waits are base, 2*base, 4*base ... unless Retry-After says otherwise.
BACKOFF: Final = 0.5
#: Longest Retry-After we honour, in seconds; a longer one makes the page unverifiable.
MAX_RETRY_AFTER: Final = 120.0
#: Largest response body read, in bytes; larger pages are unverifiable ("size cap").
MAX_BYTES: Final = 10 * 1024 * 1024
#: Longest redirect chain followed.
MAX_REDIRECTS: Final = 10

# --- extract -------------------------------------------------------------------------------
#: Elements whose content is never visible text.
INVISIBLE_TAGS: Final = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "svg",
        "math",
        "select",
        "option",
        "textarea",
        "button",
        "input",
        "canvas",
        "map",
        "object",
        "embed",
        "iframe",
        "video",
        "audio",
        "picture",
        "source",
        "track",
        "dialog",
    }
)
#: Foreign elements: inside the article they are insertions ("incrustations").
EMBED_TAGS: Final = frozenset({"iframe", "embed", "object", "video", "audio", "script", "ins", "form", "canvas"})
#: Script types that carry data, not behaviour; ignored as embeds.
DATA_SCRIPT_TYPES: Final = frozenset({"application/ld+json", "application/json", "text/template", "text/x-template"})
#: class/id words that mark an advertising slot (whole words of the attribute, lower case).
AD_MARKERS: Final = frozenset(
    {
        "ad",
        "ads",
        "advert",
        "adverts",
        "advertisement",
        "adsbygoogle",
        "adslot",
        "ad-slot",
        "ad-container",
        "dfp",
        "gpt-ad",
        "taboola",
        "outbrain",
        "teads",
        "sponsored",
        "pub",
        "publicite",
        "banner-ad",
        "ligatus",
        "plista",
        "adunit",
        "ad-unit",
    }
)
#: Images smaller than this in both declared dimensions are tracking pixels, not images.
MIN_IMAGE_SIZE: Final = 2
#: Images declared smaller than this (px) are portraits or icons, not the article's picture.
MIN_PICTURE_SIZE: Final = 200
#: URL fragments of author portraits, logos and icons (never the article's picture by position).
DECORATIVE_IMAGE_HINTS: Final = ("avatar", "logo", "icon", "thumb", "square_", "author", "profile", "sprite")
#: Text that introduces a credit inside a caption (compared case-insensitively).
CREDIT_MARKERS: Final = (
    "©",
    "(c)",
    "photo :",
    "photo:",
    "crédit :",
    "crédit:",
    "credit:",
    "credits:",
    "foto:",
    "bild:",
    "image:",
    "source photo :",
)

# --- align ---------------------------------------------------------------------------------
#: Words per shingle used to find the article on the page.
SHINGLE_SIZE: Final = 3
#: A block is article text when at least this share of its words is covered by canonical shingles.
BLOCK_HIT_SHARE: Final = 0.4
#: An edge block whose canonical words are new for at most this share is a copy (a teaser), not the article.
COPY_MAX_NEW: Final = 0.2
#: Two runs of article text separated by more unmatched words than this are separate clusters.
CLUSTER_GAP_WORDS: Final = 60
#: A neighbouring cluster joins the article when it brings at least this many new canonical words.
CLUSTER_MIN_GAIN: Final = 4
#: ... and when at least this share of its matched words are new (a teaser repeating the lead is not).
CLUSTER_MIN_GAIN_SHARE: Final = 0.5
#: ... or this share for a cluster at most CLUSTER_NEAR_WORDS unmatched words away.
CLUSTER_MIN_GAIN_SHARE_NEAR: Final = 0.25
CLUSTER_NEAR_WORDS: Final = 150
#: The page carries the article when at least this many canonical words (or half of a shorter
#: article) are found on it; below that the page is unverifiable, never a violation.
MIN_MATCHED_WORDS: Final = 30
#: Sibling blocks of the same tag after (or before) the body that join it: text appended to the article.
EXTEND_BLOCKS: Final = 5
#: How many blocks around the article body are searched for title, byline, images and credits.
REGION_BLOCKS: Final = 40
#: Blocks this similar (0-1) to the title are headlines, not body text, when locating the body.
TITLE_BLOCK_SIMILARITY: Final = 0.8
#: The headline is searched before the body and in its first blocks (a dek or lead may precede it).
TITLE_INSIDE_BLOCKS: Final = 8
#: A block this similar (0-1) to the canonical lead is the lead, when it stands above the body.
LEAD_BLOCK_SIMILARITY: Final = 0.8
#: Blocks above the body searched for a lead standing apart when the headline was not found.
LEAD_BLOCKS: Final = 8
#: Similarity (0-1) at which a field (title, byline, caption, credit) counts as present but altered.
FIELD_ALTERED_MIN: Final = 0.55
#: Chance matches of at most this many words between larger edits are dissolved into the edit.
MAX_ISLAND_WORDS: Final = 5
#: Captions, credits and bylines at least this long are claimed before the text is aligned when found exactly.
MIN_EXACT_FIELD_WORDS: Final = 4
#: Edits in the same paragraph separated by at most this many equal words form one difference.
MERGE_GAP_WORDS: Final = 2
#: A replacement longer than this (on either side, in words) is reported as a cut plus an addition.
MAX_ALTERATION_WORDS: Final = 12
#: A moved passage must be at least this many words to count as a reorder rather than cut + addition.
MIN_REORDER_WORDS: Final = 4

#: Blocks around the article searched for the source mention the licence requires.
ATTRIBUTION_BLOCKS: Final = 6

# --- audit ---------------------------------------------------------------------------------
#: Requests per second to one partner host when the audit file does not say (polite by default).
AUDIT_REQUESTS_PER_SECOND: Final = 1.0
#: Pages fetched at once from one partner host.
AUDIT_CONCURRENCY: Final = 2
#: Threads of an audit's global pool at most (each partner's hosts are limited to its concurrency).
AUDIT_MAX_WORKERS: Final = 32
#: Link depth followed from a partner's start URLs.
AUDIT_MAX_DEPTH: Final = 2

# --- report --------------------------------------------------------------------------------
#: Version of the JSON report layout; bumped on any incompatible change.
REPORT_SCHEMA_VERSION: Final = 1
#: Characters of evidence text kept in reports before eliding the middle.
MAX_EVIDENCE_CHARS: Final = 400

# --- candidate index (audits: which canonical article does a page carry?) ---------------------
#: Words per shingle: five words in a row are almost never shared by two different texts, and a
#: one-word change only spoils the five shingles that hold it.
INDEX_SHINGLE_SIZE: Final = 5
#: Shingle hashes sampled per article (bottom-k); the score's standard error is at most 1/(2*sqrt(k)).
INDEX_SAMPLE_SIZE: Final = 64
#: Least share of an article's sample a page must contain to carry it (see the module docstring).
INDEX_MIN_SCORE: Final = 0.2
#: Least number of sampled shingles a page must contain to carry an article (or the whole sample
#: when it is smaller): one or two stray shared phrases never make a candidate.
INDEX_MIN_MATCHED: Final = 3
#: Candidates returned by :meth:`CandidateIndex.candidates` unless told otherwise.
INDEX_CANDIDATE_LIMIT: Final = 3
