"""``avovastaus.model``: the theme model's public names, kept where users first found them (the code lives in :mod:`avovastaus.themes.model`)."""

from avovastaus.themes.model import Features, ThemeModel, model_from_config

__all__ = ["Features", "ThemeModel", "model_from_config"]
