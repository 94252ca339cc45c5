"""techbridge (科创桥): the platform that lets a province's science and technology lead its industry."""

__version__ = "0.1.0"
