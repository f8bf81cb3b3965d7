"""Small rotation helpers (plain numpy): z-y-x Euler angles, their rates, random rotations."""

from __future__ import annotations

import numpy as np

__all__ = ["euler_zyx_matrices", "rotate_to_body", "euler_zyx_rates_to_body", "random_rotation", "euler_deg_matrix"]


def euler_zyx_matrices(angles_rad: np.ndarray) -> np.ndarray:
    """Rotation matrices ``R = Rz(yaw) Ry(pitch) Rx(roll)`` (body to world), shape (n, 3, 3).

    Parameters
    ----------
    angles_rad : ndarray, shape (n, 3)
        Columns roll (about x), pitch (about y), yaw (about z), in radians.
    """
    a = np.asarray(angles_rad, dtype=np.float64).reshape(-1, 3)
    cr, sr = np.cos(a[:, 0]), np.sin(a[:, 0])
    cp, sp = np.cos(a[:, 1]), np.sin(a[:, 1])
    cy, sy = np.cos(a[:, 2]), np.sin(a[:, 2])
    R = np.empty((a.shape[0], 3, 3))
    R[:, 0, 0] = cy * cp
    R[:, 0, 1] = cy * sp * sr - sy * cr
    R[:, 0, 2] = cy * sp * cr + sy * sr
    R[:, 1, 0] = sy * cp
    R[:, 1, 1] = sy * sp * sr + cy * cr
    R[:, 1, 2] = sy * sp * cr - cy * sr
    R[:, 2, 0] = -sp
    R[:, 2, 1] = cp * sr
    R[:, 2, 2] = cp * cr
    return R


def rotate_to_body(angles_rad: np.ndarray, v_world: np.ndarray) -> np.ndarray:
    """``R^T v`` for ``R = Rz(yaw) Ry(pitch) Rx(roll)``, row-wise, without forming the matrices.

    Applies the inverse rotations in reverse order: yaw, then pitch, then roll.
    """
    x, y, z = v_world[:, 0], v_world[:, 1], v_world[:, 2]
    r, p, yw = angles_rad[:, 0], angles_rad[:, 1], angles_rad[:, 2]
    cy, sy = np.cos(yw), np.sin(yw)
    x1, y1 = cy * x + sy * y, -sy * x + cy * y
    cp, sp = np.cos(p), np.sin(p)
    x2, z2 = cp * x1 - sp * z, sp * x1 + cp * z
    cr, sr = np.cos(r), np.sin(r)
    y3, z3 = cr * y1 + sr * z2, -sr * y1 + cr * z2
    return np.stack([x2, y3, z3], axis=1)


def euler_zyx_rates_to_body(angles_rad: np.ndarray, rates_rad_s: np.ndarray) -> np.ndarray:
    """Body-frame angular velocity (rad/s) from z-y-x Euler angles and their time derivatives.

    ``w_body = [r' - y' sin p,  p' cos r + y' cos p sin r,  -p' sin r + y' cos p cos r]``.
    """
    r, p = angles_rad[:, 0], angles_rad[:, 1]
    dr, dp, dy = rates_rad_s[:, 0], rates_rad_s[:, 1], rates_rad_s[:, 2]
    return np.stack([
        dr - dy * np.sin(p),
        dp * np.cos(r) + dy * np.cos(p) * np.sin(r),
        -dp * np.sin(r) + dy * np.cos(p) * np.cos(r),
    ], axis=1)


def euler_deg_matrix(euler_zyx_deg: tuple[float, float, float]) -> np.ndarray:
    """One rotation matrix from intrinsic z-y-x angles ``(yaw, pitch, roll)`` in degrees."""
    yaw, pitch, roll = np.deg2rad(np.asarray(euler_zyx_deg, dtype=np.float64))
    return euler_zyx_matrices(np.array([[roll, pitch, yaw]]))[0]


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A uniformly distributed rotation matrix (unit quaternion from 4 normals, Shoemake 1992)."""
    q = rng.standard_normal(4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])
