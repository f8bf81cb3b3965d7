"""Where the report's concerns and thresholds come from.

Two kinds of source, kept apart on purpose:

* :data:`ARTICLES`: the public articles about running and lower back pain whose advice the report
  checks (the *concern*). Their advice is paraphrased in :mod:`gaitlab.report.rules`, never quoted.
* :data:`RESEARCH`: the studies and vendor documents behind each *threshold* (per pattern
  in ``docs/report.md``). Each entry carries a confidence tag: ``V`` checked in a primary or vendor source,
  ``H`` a gaitlab heuristic (no published threshold exists).

Both are plain data; :func:`cite` renders the one-line ``source`` string of a flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Article", "Study", "ARTICLES", "RESEARCH", "cite"]


@dataclass(frozen=True)
class Article:
    """A public article whose advice a rule checks."""

    title: str
    publisher: str

    def __str__(self) -> str:
        return f"\u201c{self.title}\u201d ({self.publisher})"


@dataclass(frozen=True)
class Study:
    """A study or vendor document behind a threshold.

    ``finding`` is our one-line summary; ``tag`` is ``V`` (verified) or ``H`` (gaitlab heuristic).
    """

    citation: str
    finding: str
    tag: str = "V"

    def __str__(self) -> str:
        return self.citation


ARTICLES: dict[str, Article] = {
    "first_state_spine": Article("4 Ways to Keep Your Back Safe While Running", "First State Spine"),
    "clinic": Article("Running and Back Pain", "a spine and chiropractic clinic blog"),
    "baleaf": Article("Lower Back Pain: How To Prevent Back Injuries While Running", "Baleaf, guest post"),
    "tightness": Article("Running and lower back pain", "running blog"),
    "enertor": Article("How runners can fix lower back pain issues", "Enertor"),
}

RESEARCH: dict[str, Study] = {
    "garmin_zones": Study(
        "Garmin Running Dynamics colour zones (Forerunner and Running Dynamics Pod manuals)",
        "percentile bands of the Garmin runner population for cadence, ground contact time, "
        "vertical oscillation and vertical ratio"),
    "garmin_balance": Study(
        "Garmin GCT balance zones (Enduro 3 manual)",
        "balance outside 50.7 % is orange and outside 52.2 % red; Garmin reports seeing a "
        "correlation between poor balance and injury in some runners during development"),
    "heiderscheit2011": Study(
        "Heiderscheit et al. 2011, Med Sci Sports Exerc 43:296",
        "raising step rate by 5-10 % lowered knee and hip energy absorption, centre-of-mass "
        "vertical excursion and braking impulse"),
    "mercer2005": Study(
        "Mercer et al. 2005, J Sports Sci Med 4:144",
        "impact shock rises with stride length"),
    "folland2017": Study(
        "Folland et al. 2017, Med Sci Sports Exerc 49:1412",
        "pelvis vertical oscillation during contact and braking (minimum horizontal pelvis "
        "velocity) predicted the energy cost of running in 97 runners"),
    "tseh2008": Study(
        "Tseh et al. 2008, J Sports Sci Med 7:91",
        "exaggerated vertical oscillation raised oxygen uptake"),
    "voloshin1982": Study(
        "Voloshin & Wosk 1982, J Biomech",
        "low back pain was linked with reduced shock absorption"),
    "hamill2009": Study(
        "Hamill, Moses & Seay 2009, Res Sports Med 17:260",
        "runners with low back pain ran with the stiffest knees, plausibly attenuating less shock"),
    "ogon2001": Study(
        "Ogon et al. 2001, Int J Sports Med 22:414",
        "shoes and insoles lowered the rate of shock transmission at the L3 vertebra"),
    "baseline_rise": Study(
        "gaitlab heuristic: +15 % versus the runner's own early-run baseline",
        "no published threshold exists for a waist sensor", tag="H"),
    "van_oeveren2024": Study(
        "van Oeveren et al. 2024, Sports Biomech 23:516",
        "duty factor (contact time / stride time) as a running-style axis"),
    "girard2024": Study(
        "Girard et al. 2024, Front Sports Act Living",
        "healthy runners showed 1-2 % contact-time asymmetry"),
    "hanley2018": Study(
        "Hanley & Tucker 2018, J Biomech",
        "most runners are asymmetric by more than 1.2 % on some variable, which is normal"),
    "beck2018": Study(
        "Beck et al. 2018, Eur J Appl Physiol 118:2147",
        "gait asymmetry raises the metabolic cost of running"),
    "lee_sutter2010": Study(
        "Lee, Sutter, Askew & Burkett 2010, J Sci Med Sport 13:559",
        "a sacral accelerometer found asymmetry in 60 % of athletes at one pace or more"),
    "bramah2018": Study(
        "Bramah et al. 2018, Am J Sports Med 46:3023",
        "injured runners showed more contralateral pelvic drop and more forward trunk lean at "
        "midstance; each extra degree of pelvic drop went with about 80 % higher odds of injury"),
    "koblbauer2014": Study(
        "Koblbauer et al. 2014, J Sci Med Sport 17:419",
        "fatigue increased trunk flexion by about 4 degrees"),
    "hart2009": Study(
        "Hart et al. 2009, J Athl Train 44:475",
        "fatigued lumbar extensors went with more forward lean in healthy runners"),
    "schache2000": Study(
        "Schache, Blanch & Murphy 2000, Br J Sports Med 34:279",
        "more anterior pelvic tilt went with less hip extension while running"),
    "schutte2015": Study(
        "Sch\u00fctte et al. 2015, PLoS ONE 10:e0141957",
        "running to exhaustion lowered step regularity and raised trunk movement variability"),
    "meyer2021": Study(
        "Meyer et al. 2021, Int J Sports Med 42:1182",
        "contact time and duty factor rose gradually during a marathon"),
    "clermont2019": Study(
        "Clermont et al. 2019, J Appl Biomech 35:401",
        "deviation from a runner's own early-race baseline grew from km 20-22 of a marathon"),
}


def cite(article_keys: Iterable[str], research_keys: Iterable[str]) -> str:
    """The one-line ``source`` text of a flag: the articles, then the research.

    Parameters
    ----------
    article_keys, research_keys : iterable of str
        Keys of :data:`ARTICLES` and :data:`RESEARCH`.

    Returns
    -------
    str
        ``"Articles: ...; Research: ..."``.
    """
    articles = "; ".join(str(ARTICLES[k]) for k in article_keys)
    research = "; ".join(RESEARCH[k].citation for k in research_keys)
    return f"Articles: {articles}. Research: {research}."
