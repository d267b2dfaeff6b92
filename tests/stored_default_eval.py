"""The W3C update runner of the conformance kit, reading the *stored* default graph.

With the union default graph, a query's default graph holds every named graph too, so the kit
(which reads it with ``CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }``) cannot tell a right write
from a wrong one there. This wrapper reads it with the Graph Store Protocol's ``GET ?default``
instead, which returns the graph that updates without ``GRAPH`` write; everything else is the
kit's own code. Usage: the kit's (``--endpoint … --update … --gsp …``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

KIT = Path(
    os.environ.get(
        "BENELUX_KG_CONFORMANCE_KIT", Path(__file__).resolve().parents[2] / "shared" / "conformance"
    )
)


def _load_kit():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "sparql_update_eval", KIT / "sparql_update_eval.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["sparql_update_eval"] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    kit = _load_kit()

    def read_default(self, base: str):  # type: ignore[no-untyped-def]
        response = self._gsp("GET", None)
        self._ok(response, "reading the stored default graph (GET /store?default)")
        return kit.Graph().parse(data=response.content, format="turtle", publicID=base)

    kit.Endpoint.read_default = read_default
    return kit.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
