"""Our mock as a standalone uvicorn process, with the `MockConfig` knobs a benchmark needs.

The benchmarks need knobs the default command may not expose (task duration, retention,
credits, rate limit), so they start the same ASGI app (`evolink_mock.app.create_app`)
under uvicorn here, the way the mock's own standalone command does: one process, one
worker, 127.0.0.1, request logging off.
"""

from __future__ import annotations

import argparse
import typing

import uvicorn
from evolink_mock.app import create_app
from evolink_mock.config import MockConfig


def _knobs() -> dict[str, type]:
    hints = typing.get_type_hints(MockConfig)
    return {name: hints[name] for name in hints if hints[name] in (int, float)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    for name, kind in _knobs().items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None)
    args = vars(parser.parse_args(argv))
    port = args.pop("port")
    config = MockConfig(**{k: v for k, v in args.items() if v is not None})
    uvicorn.run(
        create_app(config),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
