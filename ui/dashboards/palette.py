"""Colours of the Dashboards: the Okabe-Ito palette, told apart with the common
colour-vision deficiencies and readable on light and dark backgrounds."""

from __future__ import annotations

#: Okabe & Ito (2008), "Color Universal Design"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"

SERIES = {
    "none": BLUISH_GREEN,
    "low": SKY_BLUE,
    "medium": YELLOW,
    "high": ORANGE,
    "severe": VERMILLION,
    "unknown": GREY,
    "requests": BLUE,
    "approve": BLUISH_GREEN,
    "reject": VERMILLION,
    "inflow": BLUE,
    "outflow": ORANGE,
}
#: figure tones on tiles: text colours that read on light and dark windows alike
TONES = {"bad": VERMILLION, "warn": "#B07800"}


def colour(key: str) -> str:
    return SERIES.get(key, REDDISH_PURPLE)
