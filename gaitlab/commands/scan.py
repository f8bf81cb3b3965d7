"""``gaitlab scan``: list supported BLE sensors nearby (matched on service UUIDs and names).

    gaitlab scan --timeout 10
    gaitlab scan --emulate polar-h10 movesense gaitlab     # hardware-free demo on a virtual radio
"""

from __future__ import annotations

import argparse

EMULATE_CHOICES = ("polar-h10", "movesense", "gaitlab", "footpod")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("scan", help="list supported BLE sensors nearby", description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--timeout", type=float, default=5.0, metavar="S", help="scan for S seconds (default 5)")
    p.add_argument("--all", action="store_true", help="also list devices no profile recognises")
    p.add_argument("--emulate", nargs="+", choices=EMULATE_CHOICES, metavar="KIND",
                   help=f"scan a virtual radio with these emulated sensors ({', '.join(EMULATE_CHOICES)})")
    p.set_defaults(run=run)


async def _scan(args: argparse.Namespace) -> list:
    from ..stream import scan

    if not args.emulate:
        return await scan(args.timeout, all_devices=args.all)
    from ..testing import EMULATORS, VirtualRadio, transport_signal

    radio = VirtualRadio()
    t, acc, gyr = transport_signal(2.0, 100.0, gyro=True)
    sensors = []
    for i, kind in enumerate(dict.fromkeys(args.emulate)):
        sensor = EMULATORS[kind](radio, t, acc, gyr, address=f"D9:00:00:00:00:{i + 1:02X}")
        await sensor.start()
        sensors.append(sensor)
    try:
        return await scan(min(args.timeout, 1.0), scanner_backend=radio.scanner_backend, all_devices=args.all)
    finally:
        for sensor in sensors:
            await sensor.close()


def run(args: argparse.Namespace) -> int:
    import asyncio

    found = asyncio.run(_scan(args))
    if not found:
        print("no supported sensors found")
        return 0
    print(f"{'name':<26} {'address':<20} {'rssi':>5}  profiles")
    for f in found:
        rssi = "" if f.rssi is None else str(f.rssi)
        print(f"{(f.name or '?'):<26} {f.address:<20} {rssi:>5}  {', '.join(f.profiles) or '-'}")
    return 0
