"""Tests for the package version."""

from __future__ import annotations

from importlib.metadata import version

import buyer_protection


def test_version_comes_from_the_installed_metadata() -> None:
    """__version__ is the version the installed distribution declares."""
    assert buyer_protection.__version__ == version("buyer-protection")


def test_version_is_a_real_version_string() -> None:
    """__version__ is a non-empty str, not the placeholder of an uninstalled tree."""
    assert isinstance(buyer_protection.__version__, str)
    assert buyer_protection.__version__
    assert buyer_protection.__version__ != "0+unknown"
    assert "__version__" in buyer_protection.__all__
