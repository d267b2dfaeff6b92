"""SHACL validation with pySHACL (the core; its HTTP routes are in ``web/routes``)."""

from kg_service.validation.core import Validation, validate

__all__ = ["Validation", "validate"]
