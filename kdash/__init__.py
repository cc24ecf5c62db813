"""kdash: a live Kubernetes dashboard for the terminal."""

__version__ = "0.1.0"
