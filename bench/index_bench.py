"""Size and speed of the candidate index (``checker.index``) on a large synthetic corpus.

    python bench/index_bench.py [--articles 100000] [--seed 0] [--keep PATH]

Builds a :class:`~checker.index.CandidateIndex` over ``--articles`` synthetic French-like articles
(about 400 words each, drawn from a word list with Zipf-like frequencies, deterministic for a
seed) plus the seed article ``examples/canonical/rfi-haftar-moscou.json``, then prints:

* the time to generate the articles alone (timed on the first 5,000 and scaled), and the build
  time (generation included, untraced);
* the index on disk (``save``) and in memory: the Python allocations still held by the index
  after :meth:`~checker.index.CandidateIndex.load` and the peak during the load (``tracemalloc``;
  the build is not traced, tracing would slow it several times), plus the process's peak RSS;
* lookup time per page, median and p95 over 200 pages: 100 carrying a random indexed article
  (chrome around it: a menu, "most read" teasers showing titles of other indexed articles, a
  footer), 100 carrying an article that is not indexed, in the same chrome;
* precision (the top candidate is the carried article) and the false candidate rates.

Figures only, no assertions. ``--articles 2000`` runs in seconds.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checker.canonical import load_canonical  # noqa: E402
from checker.index import CandidateIndex, article_text  # noqa: E402
from checker.models import Article  # noqa: E402

SEED_ARTICLE = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"

#: Common French words, most frequent first (the draw favours the head of the list, as real text does).
_FRENCH_TEXT = (
    "de la le et les des à en un une du que est pour qui dans par sur au pas plus il a ne se ce "
    "avec sont elle ont son été sa ses aux mais nous leur comme ou cette tout fait être ils y "
    "deux entre selon depuis après contre lors sans sous encore ans année mois jour semaine "
    "gouvernement président ministre pays ville région état politique économie société projet "
    "élection parlement armée forces sécurité accord négociations conflit guerre paix crise "
    "loi réforme budget dette croissance chômage emploi entreprise marché prix pétrole gaz "
    "énergie climat environnement eau santé hôpital école université étudiants enfants famille "
    "femmes hommes population habitants citoyens manifestation opposition majorité parti "
    "candidat campagne vote scrutin résultats victoire défaite capitale frontière nord sud est "
    "ouest centre province district quartier route port aéroport train transport réseau "
    "internet téléphone médias journal presse radio télévision journaliste information "
    "déclaration discours conférence sommet réunion visite délégation ambassade diplomate "
    "coopération aide soutien développement investissement banque monnaie commerce exportations "
    "importations agriculture récolte pluie sécheresse inondation incendie tremblement terre "
    "justice tribunal procès juge avocat prison police enquête arrestation attaque attentat "
    "victimes blessés morts réfugiés migrants camp humanitaire organisation nations unies union "
    "africaine européenne international national local public privé nouveau nouvelle premier "
    "première dernier dernière grand grande petit petite important importante principal "
    "général officiel militaire civil social culturel festival musique film livre artiste "
    "sport football match équipe championnat coupe joueur entraîneur stade supporters "
    "a déclaré a annoncé a indiqué a précisé a souligné a rappelé a estimé selon lui selon elle "
    "affirme explique assure dénonce réclame exige propose prévoit devrait pourrait doit peut "
    "veut faut reste semble demeure devient permet concerne touche menace inquiète"
)
FRENCH_WORDS = _FRENCH_TEXT.split()

_SYLLABLE_TEXT = (
    "ba be bi bo bou ca ce ci co cou da de di do dou fa fe fi fo ga ge gi go la le li lo lou ma me mi mo "
    "mou na ne ni no nou pa pe pi po pou ra re ri ro rou sa se si so sou ta te ti to tou va ve vi vo "
    "ment tion eur ier ard ette ine ais ent ique"
)
_SYLLABLES = _SYLLABLE_TEXT.split()


def word_list(rng: random.Random, extra: int = 3000) -> list[str]:
    """The French words above, then *extra* made-up French-sounding words (names, rarer words)."""
    made = {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(extra)}
    return list(dict.fromkeys([*FRENCH_WORDS, *sorted(made)]))


def _sentence(rng: random.Random, words: list[str], cum_weights: list[float], n: int) -> str:
    text = " ".join(rng.choices(words, cum_weights=cum_weights, k=n))
    return text[:1].upper() + text[1:] + "."


def synthetic_articles(n: int, rng: random.Random, *, prefix: str = "synthetic", words: int = 400) -> Iterator[Article]:
    """*n* deterministic French-like articles of about *words* words (title, lead, 3-8 paragraphs).

    Frequencies follow Zipf's law over :func:`word_list`, so common phrases recur across articles
    as they do in a real corpus.
    """
    vocab = word_list(rng)
    weights = list(itertools.accumulate(1.0 / (rank + 8) for rank in range(len(vocab))))
    for i in range(n):
        title = _sentence(rng, vocab, weights, rng.randint(7, 13))[:-1]
        lead = " ".join(_sentence(rng, vocab, weights, rng.randint(12, 20)) for _ in range(2))
        paragraphs = rng.randint(3, 8)
        per = max(10, (words - 40) // paragraphs)
        body = tuple(
            " ".join(_sentence(rng, vocab, weights, rng.randint(8, 24)) for _ in range(max(1, per // 16)))
            for _ in range(paragraphs)
        )
        yield Article(
            id=f"{prefix}-{i:06d}",
            url=f"https://publisher.example/{prefix}/{i}",
            publisher="Publisher",
            language="fr",
            title=title,
            body=body,
            lead=lead,
        )


MENU = "Accueil Afrique Monde France Économie Sports Culture Vidéos Podcasts Newsletter Se connecter S'abonner"
FOOTER = (
    "Le Courrier du Sahel Mentions légales Politique de confidentialité Gestion des cookies Contact "
    "Publicité Plan du site Tous droits réservés Suivez-nous sur les réseaux sociaux Partager cet article "
    "Commentaires Réagissez à cet article Connectez-vous pour commenter Les commentaires sont modérés"
)


def page_with(rng: random.Random, body: str, teasers: list[str]) -> str:
    """The visible text of a partner page: menu, breadcrumbs, *body*, "most read" teasers, footer."""
    picked = rng.sample(teasers, k=min(5, len(teasers)))
    return "\n".join(
        [MENU, "Accueil > Afrique > Actualité", body, "Les plus lus", *picked, "À lire aussi", *picked[:2], FOOTER]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles to index (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="save the index here instead of a temporary file")
    args = parser.parse_args(argv)
    n = args.articles
    seed_article = load_canonical(SEED_ARTICLE)

    sample = min(n, 5000)  # generation alone, timed on a prefix and scaled (generating twice costs too much)
    started = time.perf_counter()
    for _ in synthetic_articles(sample, random.Random(args.seed)):
        pass
    generation = (time.perf_counter() - started) * n / max(sample, 1)

    pick = random.Random(f"{args.seed}:pick")
    chosen = set(pick.sample(range(n), k=min(99, n)))
    kept: dict[str, Article] = {"seed": seed_article}
    teasers: list[str] = []

    def corpus() -> Iterator[Article]:
        yield seed_article
        for i, article in enumerate(synthetic_articles(n, random.Random(args.seed))):
            if i in chosen:
                kept[article.id] = article
            if i % 997 == 0:
                teasers.append(article.title)
            yield article

    started = time.perf_counter()
    index = CandidateIndex.from_articles(corpus())
    build = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "corpus.rcidx"
        started = time.perf_counter()
        index.save(path)
        save_time = time.perf_counter() - started
        disk = path.stat().st_size
        del index
        tracemalloc.start()
        started = time.perf_counter()
        index = CandidateIndex.load(path)
        load_time = time.perf_counter() - started
        held, load_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux

    page_rng = random.Random(f"{args.seed}:pages")
    carrying = [(a.id, page_with(page_rng, article_text(a), teasers)) for a in kept.values()]
    strangers = synthetic_articles(100, random.Random(f"{args.seed}:not-indexed"), prefix="stranger")
    others = [page_with(page_rng, article_text(a), teasers) for a in strangers]

    times: list[float] = []
    correct = wrong_top = missed = 0
    for expected, text in carrying:
        started = time.perf_counter()
        found = index.candidates(text)
        times.append(time.perf_counter() - started)
        if not found:
            missed += 1
        elif found[0].article_id == expected:
            correct += 1
        else:
            wrong_top += 1
    false_pages = 0
    for text in others:
        started = time.perf_counter()
        found = index.candidates(text)
        times.append(time.perf_counter() - started)
        false_pages += bool(found)

    mb = 1024 * 1024
    times.sort()
    print(f"articles indexed:            {len(index)} ({n} synthetic + the seed), ~400 words each")
    print(f"generation alone:            {generation:.1f} s (estimated from the first {sample} articles)")
    print(f"build (incl. generation):    {build:.1f} s ({(build - generation) / len(index) * 1e3:.2f} ms/article)")
    print(f"save / load:                 {save_time:.2f} s / {load_time:.2f} s")
    print(f"index on disk:               {disk / mb:.1f} MB")
    print(
        f"index in memory (loaded):    {held / mb:.1f} MB held, {load_peak / mb:.1f} MB peak during load (tracemalloc)"
    )
    print(f"process peak RSS:            {rss / mb:.0f} MB")
    print(
        f"lookup per page:             median {statistics.median(times) * 1e3:.2f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))] * 1e3:.2f} ms over {len(times)} pages"
    )
    print(
        f"pages carrying an article:   {len(carrying)}: top candidate correct {correct} "
        f"({correct / len(carrying):.1%}), wrong top {wrong_top}, no candidate {missed}"
    )
    print(
        f"pages carrying none:         {len(others)}: with a (false) candidate {false_pages} "
        f"({false_pages / len(others):.1%})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
