"""One module per ``gaitlab`` subcommand: ``register(subparsers)`` and ``run(args) -> int``.

Modules here import only argparse at module level; heavy imports go inside ``run``.
"""
