"""lrtsim: plan, simulate and publish the service of a light-rail line."""

from lrtsim.errors import LrtsimError

__all__ = ["LrtsimError"]
__version__ = "0.1.0"
