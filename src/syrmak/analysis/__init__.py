"""Survey analyses: pure functions over a questionnaire and a response frame that
return frozen results (see docs/analysis.md)."""

from syrmak.analysis.design import Design
from syrmak.analysis.likert import likert
from syrmak.analysis.results import (
    Banner,
    BannerGroup,
    Crosstab,
    Frequencies,
    Likert,
    MultipleResponse,
    RankFrequencies,
    Result,
)
from syrmak.analysis.tables import (
    banner,
    crosstab,
    frequencies,
    multiple_response,
    rank_frequencies,
)
from syrmak.analysis.where import mask as where_mask

__all__ = [
    "Banner",
    "BannerGroup",
    "Crosstab",
    "Design",
    "Frequencies",
    "Likert",
    "MultipleResponse",
    "RankFrequencies",
    "Result",
    "banner",
    "crosstab",
    "frequencies",
    "likert",
    "multiple_response",
    "rank_frequencies",
    "where_mask",
]
