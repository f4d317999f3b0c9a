__version__ = "2024.2.0"
