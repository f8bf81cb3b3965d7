"""Report thresholds: defaults from the rules, overrides from a dict or a TOML file, clear errors."""

from __future__ import annotations

import pytest

from gaitlab.errors import InputError
from gaitlab.report import RULES, evaluate, load_thresholds
from gaitlab.report.thresholds import SECTIONS

from .test_report_support import make_analysis


def warn_codes(flags):
    return {f["code"] for f in flags if f["severity"] in ("warn", "alert")}


def test_defaults_come_from_the_rule_definitions():
    th = load_thresholds()
    for code, rule in RULES.items():
        for spec in rule.thresholds:
            assert th.get_value(code, spec.name) == spec.default
    assert th["low_cadence.warn_below_spm"] == 164.0
    assert th["long_ground_contact.gct_warn_ms"] == 277.0
    assert th["asymmetry.gct_si_warn_pct"] == 3.2
    assert th["general.min_duration_s"] == 60.0 and th["general.baseline_s"] == 600.0


@pytest.mark.parametrize("override", [
    {"low_cadence": {"warn_below_spm": 180.0, "info_below_spm": 185.0}},
    {"low_cadence.warn_below_spm": 180.0, "low_cadence.info_below_spm": 185.0},
])
def test_dict_override_changes_the_verdict(override):
    a = make_analysis()  # 178 spm: fine by default
    assert warn_codes(evaluate(a)) == set()
    flags = evaluate(a, thresholds=override)
    assert warn_codes(flags) == {"low_cadence"}
    (flag,) = [f for f in flags if f["code"] == "low_cadence"]
    assert flag["evidence"]["threshold"] == 180.0


def test_toml_override(tmp_path):
    path = tmp_path / "thresholds.toml"
    path.write_text("[general]\nmin_duration_s = 30\n\n[long_ground_contact]\ngct_warn_ms = 220\n"
                    "gct_alert_ms = 400\n", encoding="utf-8")
    th = load_thresholds(path)
    assert th["general.min_duration_s"] == 30.0 and th["long_ground_contact.gct_warn_ms"] == 220.0
    assert th.overridden == {"general.min_duration_s", "long_ground_contact.gct_warn_ms",
                             "long_ground_contact.gct_alert_ms"}
    assert warn_codes(evaluate(make_analysis(), thresholds=str(path))) == {"long_ground_contact"}


def test_persistence_is_tunable():
    from .test_report_support import step_in

    a = make_analysis(gct_ms=step_in(100.0, 145.0, 230.0, 320.0))  # 45 s
    assert warn_codes(evaluate(a)) == set()
    assert warn_codes(evaluate(a, thresholds={"general": {"min_duration_s": 30, "min_steps": 50}})) == \
        {"long_ground_contact"}


def test_unknown_key_lists_the_valid_keys():
    with pytest.raises(InputError) as exc:
        load_thresholds({"low_cadence": {"warn_below": 160}})
    msg = str(exc.value)
    assert "low_cadence.warn_below" in msg
    for spec in RULES["low_cadence"].thresholds:
        assert spec.name in msg


def test_unknown_section_lists_the_sections():
    with pytest.raises(InputError) as exc:
        load_thresholds({"low_cadense": {"warn_below_spm": 160}})
    assert "low_cadense" in str(exc.value)
    for section in SECTIONS:
        assert section in str(exc.value)


def test_unknown_key_in_toml_names_the_file(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text("[pogo_bounce]\nvo_warn = 9\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_thresholds(path)
    assert str(path) in str(exc.value) and "vo_warn_cm" in str(exc.value)


@pytest.mark.parametrize("text, expect", [
    ("[low_cadence\nwarn_below_spm = 1", "not valid TOML"),
    ("[low_cadence]\nwarn_below_spm = 'fast'", "must be a number"),
    ("[low_cadence]\nwarn_below_spm = nan", "must be finite"),
    ("[general]\nmin_steps = 10.5", "whole number"),
    ("[general]\nwindow_s = 1", "must be >= 5"),
    ("[low_cadence]\nalert_below_spm = 170", "must be below or equal"),
    ("[long_ground_contact]\ngct_warn_ms = 320", "must be above or equal"),
    ("min_steps = 10", "inside a section"),
])
def test_bad_values_are_clear_errors(tmp_path, text, expect):
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expect):
        load_thresholds(path)


def test_missing_file_and_wrong_type():
    with pytest.raises(InputError, match="cannot read"):
        load_thresholds("/nonexistent/thresholds.toml")
    with pytest.raises(InputError, match="mapping or a TOML file"):
        load_thresholds(42)  # type: ignore[arg-type]


def test_thresholds_are_immutable():
    th = load_thresholds({"pogo_bounce": {"vo_warn_cm": 9.0}})
    with pytest.raises(TypeError):
        th["pogo_bounce.vo_warn_cm"] = 1.0  # type: ignore[index]
    assert load_thresholds(th) is th
