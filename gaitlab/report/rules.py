"""The back-strain form rules, one declarative definition each.

A :class:`Rule` says *what* is checked (metric, default thresholds, severities, which placement can
measure it), *why* (the articles that raise the concern and the research behind the threshold) and
*what to try* (advice paraphrased from the articles). *How* a rule is checked lives in
:mod:`gaitlab.report.evaluate`, shared by all rules: rolling 60-s medians over valid running steps,
a minimum persistence, and the runner's own early-run baseline where a rule compares against it.

The ``code`` of each rule is part of the JSON contract and must never change.

Health language: every concern says "associated with" and every piece of advice ends with
:data:`SEE_A_PROFESSIONAL`; nothing here diagnoses.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..gait.metrics import SYMMETRY_WARN_PCT
from .sources import ARTICLES, RESEARCH

__all__ = [
    "Threshold", "Rule", "RULES", "GENERAL", "SEVERITIES", "SEE_A_PROFESSIONAL", "rules_markdown",
]

#: Severities, mildest first.
SEVERITIES: tuple[str, ...] = ("info", "warn", "alert")

SEE_A_PROFESSIONAL = ("If back pain keeps coming back, or hurts during runs, see a physiotherapist "
                      "or doctor: this report describes form, not health.")


@dataclass(frozen=True)
class Threshold:
    """One tunable number of a rule (overridable by the user).

    Attributes
    ----------
    name : str
        Key in the rule's threshold section; the unit is in the name.
    default : float
        Default value.
    basis : str
        Where the default comes from (and its confidence: Garmin zone, study, or heuristic).
    integer : bool
        The value is a count and must be a whole number.
    minimum : float or None
        Smallest accepted value (inclusive), if any.
    """

    name: str
    default: float
    basis: str
    integer: bool = False
    minimum: float | None = None


@dataclass(frozen=True)
class Rule:
    """One form pattern the report can flag.

    Attributes
    ----------
    code : str
        Stable identifier (JSON contract).
    title : str
        Short human name.
    metrics : tuple of str
        Per-step columns of :attr:`Analysis.steps` the rule reads (plus derived ones: cadence from
        ``step_time_ms``, vertical ratio from speed).
    placements : tuple of str
        Placements that can measure it (``waist``, ``shoe``).
    severities : tuple of str
        The severities this rule can raise.
    thresholds : tuple of Threshold
        Defaults, overridable via :func:`gaitlab.report.thresholds.load_thresholds`.
    persistence : str
        How long the pattern must hold (human-readable; the numbers are in :data:`GENERAL`).
    uses_baseline : bool
        Compares against the runner's own early-run baseline.
    concern : str
        What the pattern is associated with (ends every flag message).
    articles, research : tuple of str
        Keys of :data:`~gaitlab.report.sources.ARTICLES` and :data:`~gaitlab.report.sources.RESEARCH`.
    advice : str
        What to try, paraphrased from the articles; :data:`SEE_A_PROFESSIONAL` is appended.
    """

    code: str
    title: str
    metrics: tuple[str, ...]
    placements: tuple[str, ...]
    severities: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    persistence: str
    uses_baseline: bool
    concern: str
    articles: tuple[str, ...]
    research: tuple[str, ...]
    advice: str

    @property
    def full_advice(self) -> str:
        return f"{self.advice} {SEE_A_PROFESSIONAL}"

    def default(self, name: str) -> float:
        for th in self.thresholds:
            if th.name == name:
                return th.default
        raise KeyError(f"{self.code} has no threshold {name!r}")


_ABS = "the rolling 60-s median holds for >= 60 s of running and >= 100 steps"
_BASE = ("the rolling 60-s median stays beyond the runner's early-run baseline (by the threshold "
         "and by >= 2 SD of the baseline's spread) for >= 2 min of running after the baseline")

#: Settings shared by all rules (section ``general`` of a thresholds file).
GENERAL: tuple[Threshold, ...] = (
    Threshold("window_s", 60.0, "rolling window of the per-step medians [gaitlab]", minimum=5.0),
    Threshold("min_window_steps", 20, "fewest valid running steps for a window to count [gaitlab]",
              integer=True, minimum=3),
    Threshold("min_duration_s", 60.0, "a pattern must hold this long (running time) [H]",
              minimum=0.0),
    Threshold("min_steps", 100, "... and over at least this many steps [H]",
              integer=True, minimum=1),
    Threshold("max_step_gap_s", 3.0, "a pause longer than this between valid steps breaks a pattern "
              "[gaitlab]", minimum=0.5),
    Threshold("baseline_s", 600.0, "baseline = the first 10 min of running (Clermont 2019 method) ...",
              minimum=0.0),
    Threshold("baseline_fraction", 1 / 3, "... or this fraction of the running for shorter runs",
              minimum=0.0),
    Threshold("baseline_min_s", 180.0, "fewer baseline seconds than this: baseline rules not evaluated "
              "[gaitlab]", minimum=0.0),
    Threshold("baseline_n_sd", 2.0, "a change must also exceed this many SD of the baseline's "
              "spread [H]", minimum=0.0),
    Threshold("baseline_persist_s", 120.0, "baseline changes must hold this long "
              "[H]", minimum=0.0),
    Threshold("speed_match_pct", 10.0, "with a speed channel, windows whose speed differs from the "
              "baseline's by more than this are not compared [gaitlab]", minimum=0.0),
)


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule(
        code="low_cadence",
        title="Low cadence",
        metrics=("step_time_ms",),
        placements=("waist", "shoe"),
        severities=("info", "warn", "alert"),
        thresholds=(
            Threshold("info_below_spm", 170.0, "bottom of the 170-190 spm band the Baleaf article recommends"),
            Threshold("warn_below_spm", 164.0, "Garmin orange/red zones (< 30th percentile) [R]"),
            Threshold("alert_below_spm", 153.0, "Garmin red zone (< 5th percentile) [R]"),
            Threshold("drop_pct", 5.0, "5 % below your own early-run cadence (at matched speed when a "
                      "speed is known) [H]"),
        ),
        persistence=_ABS,
        uses_baseline=False,
        concern=("A low step rate usually means longer steps, which research has associated with more "
                 "braking and higher impact loads; small cadence increases lowered them."),
        articles=("baleaf",),
        research=("garmin_zones", "heiderscheit2011", "mercer2005"),
        advice=("Raise cadence gradually: set a metronome or playlist about 5 steps per minute above "
                "your current rate at the same pace, and settle there for a week or two before the "
                "next small step. The articles suggest ending up somewhere in the 170-190 range; "
                "180 is an observation from elite racers, not a target for everyone."),
    ),
    Rule(
        code="pogo_bounce",
        title="Bouncy, 'pogo stick' running",
        metrics=("vo_cm",),
        placements=("waist",),
        severities=("warn", "alert"),
        thresholds=(
            Threshold("vo_warn_cm", 9.7, "Garmin orange zone starts above 9.7 cm [R]"),
            Threshold("vo_alert_cm", 11.5, "Garmin red zone [R]"),
            Threshold("vr_warn_pct", 8.6, "Garmin orange vertical-ratio zone [V]"),
            Threshold("vr_alert_pct", 10.1, "Garmin red vertical-ratio zone [R]"),
        ),
        persistence=_ABS,
        uses_baseline=False,
        concern=("Large up-and-down motion is associated with a higher energy cost, and a pogo-like "
                 "stride (long flight, short contact) with higher peak vertical loads at landing."),
        articles=("clinic",),
        research=("garmin_zones", "folland2017", "tseh2008"),
        advice=("Think 'forward, not up': lean slightly forward from the ankles and let momentum carry "
                "you, with quicker and lighter steps. A small cadence increase usually lowers bounce too."),
    ),
    Rule(
        code="hard_landing",
        title="Harder landings than your usual",
        metrics=("impact_g", "loading_rate_gps"),
        placements=("waist", "shoe"),
        severities=("warn",),
        thresholds=(
            Threshold("rise_pct", 15.0, "+15 % vs the runner's own baseline [H]", minimum=0.0),
        ),
        persistence=_BASE,
        uses_baseline=True,
        concern=("A harder vertical landing is associated with more shock reaching the lower back; "
                 "reduced shock absorption has been linked with low back pain in small studies."),
        articles=("clinic", "first_state_spine", "enertor"),
        research=("baseline_rise", "voloshin1982", "hamill2009", "ogon2001"),
        advice=("Aim for softer, quieter landings, with the foot touching down closer under your body "
                "and rolling through rather than stamping. Check that your shoes still cushion well; "
                "cushioned insoles are another option. A change of surface or a downhill can also "
                "explain harder landings."),
    ),
    Rule(
        code="long_ground_contact",
        title="Long ground contact",
        metrics=("gct_ms", "step_time_ms"),
        placements=("waist", "shoe"),
        severities=("warn", "alert"),
        thresholds=(
            Threshold("gct_warn_ms", 277.0, "Garmin orange zone starts at 278 ms [V]"),
            Threshold("gct_alert_ms", 308.0, "Garmin red zone (> 308 ms) [V]"),
            Threshold("duty_factor_warn", 0.40, "contact / stride time above 0.40 is named as supporting "
                      "evidence when the contact time is beyond its limit; it never raises the flag alone "
                      "(a high duty factor with contact time in Garmin's blue/green zone comes from a quick "
                      "cadence, not long contact) [H]", minimum=0.0),
        ),
        persistence=f"{_ABS}; only the contact time raises the flag (duty factor is supporting evidence)",
        uses_baseline=False,
        concern=("Contact this long is uncommon among Garmin's runners (their bottom 30 %) and is "
                 "associated with a less springy stride; it also grows with slower pace and with "
                 "fatigue, so compare runs at similar speeds."),
        articles=("baleaf",),
        research=("garmin_zones", "van_oeveren2024", "meyer2021"),
        advice=("Quicker, shorter steps and a slightly higher cadence usually shorten contact. "
                "Compare runs at similar paces: contact time is longer at easy paces."),
    ),
    Rule(
        code="asymmetry",
        title="Left-right imbalance",
        metrics=("gct_ms", "step_time_ms", "impact_g", "side"),
        placements=("waist", "shoe"),
        severities=("warn", "alert"),
        thresholds=(
            Threshold("gct_si_warn_pct", SYMMETRY_WARN_PCT["gct_ms"], "GCT balance outside 49.3-50.7 % (Garmin orange) [V]",
                      minimum=0.0),
            Threshold("gct_si_alert_pct", 8.8, "GCT balance outside 47.8-52.2 % (Garmin red) [V]",
                      minimum=0.0),
            Threshold("step_time_si_warn_pct", SYMMETRY_WARN_PCT["step_time_ms"], "step-time symmetry index [H]", minimum=0.0),
            Threshold("impact_si_warn_pct", SYMMETRY_WARN_PCT["impact_g"], "landing-impact symmetry index [H]",
                      minimum=0.0),
            Threshold("persist_s", 120.0, "asymmetry must hold >= 2 min (and >= 100 steps per side)",
                      minimum=0.0),
        ),
        persistence="the rolling 60-s left/right medians differ for >= 2 min and >= 100 steps per side",
        uses_baseline=False,
        concern=("An uneven stride is associated with extra work for the spine as it compensates, and "
                 "with a higher energy cost. Small imbalances are normal: most runners show some."),
        articles=("enertor",),
        research=("garmin_balance", "girard2024", "hanley2018", "beck2018", "lee_sutter2010"),
        advice=("Notice whether you lean to one side or swing one arm more than the other; single-leg "
                "strength and hip mobility work on both sides can help. Hills, cambered roads and "
                "tight bends shift the balance too, so check it on flat, straight routes."),
    ),
    Rule(
        code="fatigue_drift",
        title="Form fading late in the run",
        metrics=("gct_ms", "step_time_ms", "vo_cm", "side", "pelvic_tilt_deg"),
        placements=("waist", "shoe"),
        severities=("warn",),
        thresholds=(
            Threshold("min_metrics", 2, ">= 2 metrics beyond the baseline at once (after the composite deviation of Clermont et al. 2019) [H]",
                      integer=True, minimum=1),
            Threshold("gct_rise_pct", 2.0, "smallest contact-time rise that counts [H]", minimum=0.0),
            Threshold("cadence_drop_pct", 1.5, "smallest cadence drop that counts [H]", minimum=0.0),
            Threshold("vo_rise_pct", 4.0, "smallest bounce rise that counts [H]", minimum=0.0),
            Threshold("step_time_cv_rise_pct", 1.0, "smallest rise of step-time variability "
                      "(percentage points; regularity falling) [H]", minimum=0.0),
            Threshold("gct_si_rise_pct", 2.0, "smallest rise of GCT asymmetry (points) [H]", minimum=0.0),
            Threshold("tilt_rise_deg", 2.0, "smallest rise of forward pelvic tilt [H]", minimum=0.0),
        ),
        persistence=_BASE,
        uses_baseline=True,
        concern=("As the core and hip muscles tire, the articles describe the lower back taking over "
                 "more of the work; in studies, fatigue was associated with longer contact, a less "
                 "regular stride and a change of trunk posture."),
        articles=("baleaf", "tightness"),
        research=("clermont2019", "schutte2015", "meyer2021", "koblbauer2014"),
        advice=("Strength-endurance work for the core, hips and glutes two or three times a week helps "
                "hold form when tired. Pace the early part of the run, fuel long runs, and consider "
                "shortening long runs until your form holds to the end."),
    ),
    Rule(
        code="posture",
        title="Leaning back or changing posture",
        metrics=("pelvic_tilt_deg",),
        placements=("waist",),
        severities=("warn",),
        thresholds=(
            Threshold("lean_back_below_deg", 0.0, "pelvic tilt behind vertical (leaning back) [H]"),
            Threshold("change_deg", 4.0, "a change of >= 4 deg within the run (Koblbauer 2014) [V/H]",
                      minimum=0.0),
        ),
        persistence=f"leaning back: {_ABS}; change: {_BASE}",
        uses_baseline=True,
        concern=("The articles favour a slight forward lean, hinging at the hip; a change of posture "
                 "during a run is associated with tiring trunk muscles, and a tilting pelvis with "
                 "limited hip mobility."),
        articles=("first_state_spine", "clinic", "enertor", "tightness"),
        research=("koblbauer2014", "hart2009", "schache2000", "bramah2018"),
        advice=("Run tall with a slight forward lean from the hips, letting momentum carry you forward "
                "rather than down. Hip-flexor, quadriceps and glute mobility work (dynamic stretching "
                "after a run works well) may help if your pelvis tilts more as the run goes on."),
    ),
    Rule(
        code="pelvic_drop",
        title="Pelvic drop",
        metrics=("pelvic_drop_deg", "side"),
        placements=("waist",),
        severities=("warn",),
        thresholds=(
            Threshold("lr_diff_deg", 2.0, "left-right difference > 2 deg [H]", minimum=0.0),
            Threshold("rise_deg", 2.0, "rise >= 2 deg vs the runner's own baseline [H]", minimum=0.0),
        ),
        persistence=f"left-right: {_ABS}; rise: {_BASE}",
        uses_baseline=True,
        concern=("More side-to-side pelvic drop is associated with weaker hip control; injured runners "
                 "showed more pelvic drop than uninjured ones in a cross-sectional study."),
        articles=("enertor", "first_state_spine"),
        research=("bramah2018",),
        advice=("Hip-abductor (glute) strengthening and single-leg balance exercises are the usual way "
                "to improve pelvic control; a coach or physiotherapist can check your technique."),
    ),
    Rule(
        code="braking",
        title="More braking per step (over-striding)",
        metrics=("braking_mps",),
        # Waist only: braking_mps is the speed the body (pelvis) loses per step. A shoe sensor's
        # braking_g is the foot's own deceleration at landing, set mostly by strike pattern, shoe and
        # surface (the foot stops at every contact however far ahead it lands), so it does not measure
        # over-striding; on shoes the report says "not measurable with a shoe sensor".
        placements=("waist",),
        severities=("warn",),
        thresholds=(
            Threshold("rise_pct", 15.0, "+15 % vs the runner's own baseline [H]", minimum=0.0),
        ),
        persistence=_BASE,
        uses_baseline=True,
        concern=("Losing more speed at each landing is associated with over-striding (the foot landing "
                 "ahead of the body) and with a higher energy cost."),
        articles=("baleaf", "clinic"),
        research=("baseline_rise", "heiderscheit2011", "folland2017"),
        advice=("Let the foot land closer under your body, with a slightly quicker step; keep your "
                "momentum going forward rather than into the ground."),
    ),
)}


def _check_registry() -> None:
    # A typo in a source key should fail at import (and in CI), not when a flag is rendered.
    for rule in RULES.values():
        unknown = [k for k in rule.articles if k not in ARTICLES] + [k for k in rule.research if k not in RESEARCH]
        if unknown:
            raise KeyError(f"rule {rule.code}: unknown source keys {unknown}")
        bad = [s for s in rule.severities if s not in SEVERITIES]
        if bad:
            raise KeyError(f"rule {rule.code}: unknown severities {bad}")


_check_registry()


def rules_markdown() -> str:
    """The per-rule reference (for ``docs/report.md``), generated from :data:`RULES`.

    Returns
    -------
    str
        Markdown: one section per rule with its metric, thresholds, persistence, sources and advice.
    """
    out: list[str] = []
    for rule in RULES.values():
        out.append(f"### `{rule.code}`: {rule.title}\n")
        out.append(f"*Why:* {rule.concern}\n")
        out.append(f"*Measured from:* {', '.join(f'`{m}`' for m in rule.metrics)} "
                   f"(placements: {', '.join(rule.placements)}; severities: {', '.join(rule.severities)}).\n")
        out.append(f"*Persistence:* {rule.persistence}.\n")
        out.append("| threshold | default | basis |\n|---|---|---|")
        for th in rule.thresholds:
            value = f"{int(th.default)}" if th.integer else f"{th.default:g}"
            out.append(f"| `{rule.code}.{th.name}` | {value} | {th.basis} |")
        out.append("")
        out.append("*Articles:* " + "; ".join(str(ARTICLES[k]) for k in rule.articles) + "\n")
        out.append("*Research:* " + "; ".join(f"{RESEARCH[k].citation} ({RESEARCH[k].finding})"
                                              for k in rule.research) + "\n")
        out.append(f"*Advice shown:* {rule.full_advice}\n")
    return "\n".join(out)
