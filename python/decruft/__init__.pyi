"""Type stubs for decruft (the native classes live in decruft._decruft)."""

import os
from collections.abc import Iterable, Sequence
from typing import Literal, TypedDict

__version__: str
OPTIONS: list[str]
"""Keyword options accepted by Cleaner and ProfileBuilder: the CLI's flags with '-' written '_'."""

_Path = str | os.PathLike[str]
_Doc = str | bytes

class DecruftError(ValueError):
    """A document could not be cleaned (binary, a line over max_line, strict decoding)."""

class ProfileError(DecruftError):
    """A profile is damaged, of another format version, or learned with other options."""

class Stats(TypedDict):
    """The CLI's --stats=json keys plus documents*, chars_in, chars_out."""

    files: int
    files_failed: int
    bytes_in: int
    bytes_out: int
    lines_in: int
    lines_kept: int
    lines_removed: dict[str, int]
    spans_removed: dict[str, int]
    encodings: dict[str, int]
    replacement_chars: int
    lossy_files: int
    mojibake_repaired: int
    entities_decoded: int
    tags_removed: int
    seconds: float
    mb_per_s: float
    documents: int
    documents_failed: int
    documents_emptied: int
    chars_in: int
    chars_out: int

class Profile:
    """A learned corpus profile. Immutable; pickles as its canonical bytes."""

    def __init__(self) -> None:
        """An empty profile: the identity of merge."""
    def merge(self, other: Profile) -> Profile:
        """A new profile: self and other merged (exact, order-independent)."""
    def to_bytes(self) -> bytes:
        """The canonical bytes (the profile file format)."""
    @staticmethod
    def from_bytes(data: bytes) -> Profile:
        """Reads a profile; raises ProfileError if damaged."""
    def save(self, path: _Path) -> None:
        """Writes the profile file atomically."""
    @staticmethod
    def load(path: _Path) -> Profile:
        """Reads a profile file; ProfileError if damaged, OSError if unreadable."""
    @staticmethod
    def merge_files(inputs: Sequence[_Path], output: _Path, shard: tuple[int, int] | None = None) -> tuple[int, int]:
        """Streaming k-way merge of profile files (decruft learn --merge [--shard I/N]); returns (documents, entries)."""
    def fingerprint(self) -> int:
        """A 64-bit hash of the canonical bytes."""
    @property
    def documents(self) -> int:
        """Documents learned from."""
    @property
    def options(self) -> int:
        """Fingerprint of the options it was learned with."""
    def __len__(self) -> int: ...

def merge_profiles(profiles: Sequence[Profile]) -> Profile:
    """Merges many profiles in a balanced tree."""

def learn(docs: Iterable[_Doc], **options: object) -> Profile:
    """Learns a Profile from an iterable of documents."""

class ProfileBuilder:
    """Learns a corpus profile from documents: the CLI's first pass."""

    def __init__(
        self,
        *,
        rules: _Path | Sequence[_Path] | None = ...,
        no_builtin_rules: bool = ...,
        no_repeat: bool = ...,
        repeat_min: int = ...,
        no_strip: bool = ...,
        encoding: str | None = ...,
        tld: str | None = ...,
        strict: bool = ...,
        no_mojibake: bool = ...,
        no_entities: bool = ...,
        keep_tags: bool = ...,
        nfkc: bool = ...,
        no_unicode_normalisation: bool = ...,
        ascii_quotes: bool = ...,
        window: int | str = ...,
        max_line: int | str = ...,
        min_docs: int = ...,
        min_share: float = ...,
        threads: int = ...,
    ) -> None: ...
    def add_batch(self, docs: Iterable[_Doc]) -> int:
        """Learns documents; returns how many were learned (failed ones add nothing)."""
    def finish(self) -> Profile:
        """The learned profile; the builder starts over empty."""
    @property
    def documents(self) -> int: ...

class Cleaner:
    """Cleans scraped web text: the CLI's pipeline, in memory."""

    def __init__(
        self,
        profile: Profile | _Path | None = None,
        *,
        rules: _Path | Sequence[_Path] | None = ...,
        no_builtin_rules: bool = ...,
        no_repeat: bool = ...,
        repeat_min: int = ...,
        no_strip: bool = ...,
        encoding: str | None = ...,
        tld: str | None = ...,
        strict: bool = ...,
        no_mojibake: bool = ...,
        no_entities: bool = ...,
        keep_tags: bool = ...,
        nfkc: bool = ...,
        no_unicode_normalisation: bool = ...,
        ascii_quotes: bool = ...,
        window: int | str = ...,
        max_line: int | str = ...,
        min_docs: int = ...,
        min_share: float = ...,
        threads: int = ...,
    ) -> None: ...
    def clean(self, text: _Doc) -> str:
        """Cleans one document; raises DecruftError if it cannot be cleaned."""
    def clean_batch(
        self, docs: Iterable[_Doc], *, on_error: Literal["raise", "none"] = "raise"
    ) -> tuple[list[str | None], Stats]:
        """Cleans documents; returns (cleaned, stats)."""
    def explain_batch(
        self, docs: Iterable[str], *, on_error: Literal["raise", "none"] = "raise"
    ) -> tuple[list[list[tuple[int, int, str]] | None], Stats]:
        """Removed lines and spans per document as (start, end, reason) in code points."""
    def rules(self) -> list[tuple[str, str, str]]:
        """The rules in effect as (name, kind, pattern)."""
    @property
    def threads(self) -> int: ...
    @property
    def profile_lines(self) -> int: ...
