"""Settings: defaults, environment, overrides, and the token never shown."""

from pathlib import Path

import pytest

from kg_service.settings import Settings


def test_defaults_are_safe():
    s = Settings.load({})
    assert s.host == "127.0.0.1"
    assert s.writes_enabled is False
    assert s.query_timeout == 30.0
    assert s.service_allowlist == ()


def test_environment_then_overrides():
    env = {"BENELUX_KG_PORT": "9001", "BENELUX_KG_HOST": "0.0.0.0"}
    s = Settings.load(env, port=9002)
    assert (s.host, s.port) == ("0.0.0.0", 9002)


def test_types_are_coerced():
    env = {
        "BENELUX_KG_QUERY_TIMEOUT": "2.5",
        "BENELUX_KG_UNION_DEFAULT_GRAPH": "off",
        "BENELUX_KG_SERVICE_ALLOWLIST": "http://a/sparql, http://b/sparql",
        "BENELUX_KG_BUILD_DIR": "/tmp/x",
    }
    s = Settings.load(env)
    assert s.query_timeout == 2.5
    assert s.union_default_graph is False
    assert s.service_allowlist == ("http://a/sparql", "http://b/sparql")
    assert s.build_path == Path("/tmp/x")


def test_bad_boolean_is_a_clear_error():
    with pytest.raises(ValueError, match="BENELUX_KG_ALLOW_LOAD"):
        Settings.load({"BENELUX_KG_ALLOW_LOAD": "maybe"})


def test_token_never_in_repr():
    s = Settings.load({"BENELUX_KG_UPDATE_TOKEN": "s3cret"})
    assert s.writes_enabled
    assert "s3cret" not in repr(s)
