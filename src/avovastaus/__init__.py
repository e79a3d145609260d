"""avovastaus: Finnish open-ended survey answers into reviewed, quantified themes."""

__version__ = "0.1.0"
