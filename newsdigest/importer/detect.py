"""Language identification with py3langid, whose model ships inside the package: nothing is
downloaded. The model is loaded once per run by the caller and passed around explicitly."""
from __future__ import annotations

from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from .lexicon import language_name

# Below this share of the probability the text is too short or too mixed to call.
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Detected:
    lang: str
    confidence: float


class Detector:
    def __init__(self) -> None:
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(self, text: str) -> Detected:
        lang, probability = self._identifier.classify(text)
        return Detected(lang, round(float(probability), 3))


def check_language(found: Detected, supported: tuple[str, ...]) -> str | None:
    """None when `found` can be imported, else the reason it cannot."""
    names = " or ".join(f"{language_name(code)} ({code})" for code in supported)
    if found.lang not in supported:
        return (f"the text is in {language_name(found.lang)} ({found.lang}), not {names}; "
                "only those languages can be imported.")
    if found.confidence < MIN_CONFIDENCE:
        return (f"cannot tell its language for sure (best guess {language_name(found.lang)}, "
                f"{found.confidence:.0%} confident); is there enough article text in it?")
    return None
