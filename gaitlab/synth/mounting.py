"""Waist sensors off the sacrum: a hip belt at the side of the pelvis, a phone in a trouser pocket.

The runner (and so the truth) is the same as for :func:`gaitlab.synth.simulate_waist`; only the
point the sensor rides changes. A sensor rigidly attached at ``r`` (body frame, m) from the sacrum
on a pelvis turning at ``w`` (body frame) reads, besides the sacrum's specific force, the relative
acceleration of a point on a rotating rigid body (both expressed in the body frame, whose time
derivative of ``w`` is the same as the inertial one)::

    f_sensor = f_sacrum + dw/dt x r + w x (w x r)

With ``r`` to the side, the pelvic roll moves the sensor up on one step and down on the next (the
mounting bias of per-side timing and amplitude). The near leg's impacts also reach a sensor over
the hip more directly than the far leg's: the impact transient of near-side steps is scaled by
``near_impact_gain`` (a real hip-belt run: 4.3 vs 2.8 g, a gain of ~1.5).

A phone in a front trouser pocket is modelled the same way (off the midline, forward and a little
below the sacrum's level) with a phone's clock: host timestamps with jitter. Its thigh swing is not
modelled (the phone is assumed held against the hip by the pocket): :mod:`gaitlab.gait.mounting`
classes a swinging thigh separately.

Examples
--------
>>> from gaitlab.synth.mounting import simulate_mounted_waist
>>> run = simulate_mounted_waist(20.0, fs=100.0, site="hip_belt_left", seed=1)   # doctest: +SKIP
>>> run.truth.summary["cadence_spm"] > 0                                          # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from .scenario import G_MPS2, Timing

__all__ = ["SensorSite", "SITES", "OffsetSensorModel", "simulate_mounted_waist"]

#: Central-difference step for the angular acceleration (s).
_H_S = 1e-4


@dataclass(frozen=True)
class SensorSite:
    """Where the sensor sits relative to the sacrum.

    Attributes
    ----------
    offset_m : (float, float, float)
        Position from the sacral sensor site, body frame (x forward, y left, z up), m.
    near_impact_gain : float
        Factor on the impact transient of the steps on the sensor's side (1 = none).
    device_axes : 3 x 3 tuple, optional
        The device's x, y, z axes in body coordinates (rows), as a flat device sits on that part of
        the body (its face, z, along the surface normal); None = the body axes.
    """

    offset_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    near_impact_gain: float = 1.0
    device_axes: tuple[tuple[float, float, float], ...] | None = None

    @property
    def near_side(self) -> int:
        """+1 when the sensor is on the left, -1 on the right, 0 on the midline."""
        y = self.offset_m[1]
        return 0 if abs(y) < 0.02 else int(np.sign(y))


#: Named sites: a hip belt over the left/right hip (15 cm to the side, 5 cm forward of the sacral
#: plane), a phone in a left/right front trouser pocket (12 cm to the side, 10 cm forward, 10 cm
#: lower), and the sacrum itself.
#: Device axes (rows: the device's x, y, z in body coordinates x fwd, y left, z up): a belt device
#: over the left hip faces left (x up, y forward, z left), over the right hip right (x up, y back,
#: z right); a phone upright in a front pocket faces forwards (x left, y up, z forward).
_LEFT_HIP = ((0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0))
_RIGHT_HIP = ((0.0, 0.0, 1.0), (-1.0, 0.0, 0.0), (0.0, -1.0, 0.0))
_FRONT_POCKET = ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0))

SITES: dict[str, SensorSite] = {
    "sacrum": SensorSite(),
    "hip_belt_left": SensorSite((0.05, 0.15, 0.0), 1.5, _LEFT_HIP),
    "hip_belt_right": SensorSite((0.05, -0.15, 0.0), 1.5, _RIGHT_HIP),
    "pocket_left": SensorSite((0.10, 0.12, -0.10), 1.3, _FRONT_POCKET),
    "pocket_right": SensorSite((0.10, -0.12, -0.10), 1.3, _FRONT_POCKET),
}


class OffsetSensorModel:
    """The body-frame signal of a sensor at :class:`SensorSite` on the pelvis of a WaistModel."""

    def __init__(self, model: Any, site: SensorSite) -> None:
        self.model = model
        self.site = site
        self.r = np.asarray(site.offset_m, dtype=np.float64)

    def lever_g(self, t_s: np.ndarray) -> np.ndarray:
        """``dw/dt x r + w x (w x r)`` in the body frame (g), shape (n, 3)."""
        t_s = np.asarray(t_s, dtype=np.float64)
        w = np.deg2rad(self.model.angular_velocity_body(t_s))
        dw = np.deg2rad(self.model.angular_velocity_body(t_s + _H_S)
                        - self.model.angular_velocity_body(t_s - _H_S)) / (2 * _H_S)
        r = np.broadcast_to(self.r, w.shape)
        return (np.cross(dw, r) + np.cross(w, np.cross(w, r))) / G_MPS2

    def specific_force_body(self, t_s: np.ndarray) -> np.ndarray:
        """What an upright-mounted ideal sensor at the site reads (g), shape (n, 3)."""
        t_s = np.asarray(t_s, dtype=np.float64)
        f = self.model.specific_force_body(t_s) + self.lever_g(t_s)
        gain = self.site.near_impact_gain
        side = self.site.near_side
        if gain != 1.0 and side != 0 and self.model.schedule.n_steps:
            k, _ = self.model._step_of(t_s)
            near = self.model.schedule.side[k] == side
            dz, dy = self.model._transients(t_s)
            extra = (gain - 1.0) * np.where(near, 1.0, 0.0) / G_MPS2
            f[:, 2] += extra * dz
            f[:, 1] += extra * dy
        return f

    def angular_velocity_body(self, t_s: np.ndarray) -> np.ndarray:
        """The pelvis' angular velocity (deg/s): the same at every point of a rigid body."""
        return self.model.angular_velocity_body(t_s)


def simulate_mounted_waist(duration_s: float = 60.0, fs: float = 100.0, *, site: str | SensorSite = "hip_belt_left",
                           seed: int = 0, phone_timing: bool | None = None, mounting: str = "upright",
                           noise: str = "clean", gyro: bool = False, gaps: int = 0,
                           **gait: Any):
    """A synthetic run recorded by a waist-class sensor off the sacrum, with the runner's exact truth.

    Parameters
    ----------
    duration_s, fs, seed, mounting, noise, gyro, gaps
        As for :func:`gaitlab.synth.simulate_waist`.
    site : str or SensorSite
        One of :data:`SITES` or a custom site.
    phone_timing : bool, optional
        Host timestamps with 2 ms jitter, as a phone writes them (default: for pocket sites).
    **gait
        Gait options of :func:`gaitlab.synth.make_scenario` (``cadence_spm``, ``gct_ms``,
        ``asymmetry_pct``, ``walking``, ``motion`` as ``waist_motion``...).

    Returns
    -------
    SynthRun
        ``truth`` is the runner's (sides, contact times and impacts at the sacrum);
        ``truth.params['sensor_site']`` records the site.
    """
    from .api import make_scenario, render_waist

    if isinstance(site, str):
        try:
            site_obj = SITES[site]
        except KeyError:
            raise InputError(f"site must be one of {sorted(SITES)} or a SensorSite, found {site!r}") from None
    else:
        site_obj = site
    if "motion" in gait:
        gait["waist_motion"] = gait.pop("motion")
    sc = make_scenario(duration_s, seed=seed, **gait)
    if phone_timing is None:
        phone_timing = isinstance(site, str) and site.startswith("pocket")
    timing = Timing(jitter_ms=2.0) if phone_timing else None
    run = render_waist(sc, fs, mounting=mounting, noise=noise, gyro=gyro, gaps=gaps, timing=timing,
                       sensor_site=lambda m: OffsetSensorModel(m, site_obj))
    run.truth.params["sensor_site"] = {"offset_m": list(site_obj.offset_m),
                                       "near_impact_gain": site_obj.near_impact_gain,
                                       "device_axes": site_obj.device_axes}
    if site_obj.device_axes is not None:
        # the device's own axes: f_device = D f_body (rows of D are the device axes in body coords)
        from dataclasses import replace

        from ..recording import Recording

        d = np.asarray(site_obj.device_axes, dtype=np.float64)
        rec = run.recording
        rec = Recording(rec.t, rec.acc @ d.T, None if rec.gyr is None else rec.gyr @ d.T, fs=rec.fs,
                        placement=rec.placement, extra=dict(rec.extra), meta=dict(rec.meta))
        run = replace(run, recording=rec)
    return run
