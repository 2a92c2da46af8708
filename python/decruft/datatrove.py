"""decruft as datatrove pipeline steps: learn → merge → clean.

::

    learn:  JsonlReader(IN) → DecruftLearn(PROFILES)          tasks=N
    merge:  DecruftMergeProfiles(PROFILES, "all.profile")      tasks=1
    clean:  JsonlReader(IN) → DecruftFilter("all.profile") → JsonlWriter(OUT)

Every step holds only paths and options and builds its Rust objects on
first use in the task that runs it, so pipelines pickle (pickle, dill,
cloudpickle) for the Slurm and Ray executors. Importing this module imports
datatrove; ``import decruft`` alone never does.
"""

from __future__ import annotations

import os

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter

from . import Cleaner, Profile, ProfileBuilder, merge_profiles

__all__ = ["DecruftLearn", "DecruftMergeProfiles", "DecruftFilter"]

PROFILE_SUFFIX = ".profile"


class _Lazy:
    """Drops built Rust objects from the pickled state."""

    _lazy: tuple[str, ...] = ()

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in self._lazy:
            state[name] = None
        return state


class DecruftLearn(_Lazy, PipelineStep):
    """Passes documents through unchanged and learns a profile of them; at the
    end of the task writes ``{rank:05d}.profile`` to ``output_folder``.

    ``options`` are the Cleaner's (those that shape learning must be the
    ones ``DecruftFilter`` gets)."""

    name = "🧹 decruft learn"
    type = "📊 - STATS"

    def __init__(self, output_folder: DataFolderLike, batch_size: int = 1000, **options):
        super().__init__()
        ProfileBuilder(**options)  # fail now on a bad option, not in a task
        self.output_folder = output_folder
        self.batch_size = batch_size
        self.options = options

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        builder = ProfileBuilder(**self.options)
        batch: list[str] = []
        for doc in data or ():
            batch.append(doc.text)
            if len(batch) >= self.batch_size:
                with self.track_time("batch"):
                    builder.add_batch(batch)
                batch = []
            yield doc
        if batch:
            builder.add_batch(batch)
        profile = builder.finish()
        self.stat_update("documents_learned", value=profile.documents)
        self.stat_update("profile_lines", value=len(profile))
        folder = get_datafolder(self.output_folder)
        with folder.open(f"{rank:05d}{PROFILE_SUFFIX}", "wb") as f:
            f.write(profile.to_bytes())


class DecruftMergeProfiles(PipelineStep):
    """Merges every ``*.profile`` in ``input_folder`` into ``output_file``.

    Run it as one task (``tasks=1``); other ranks only pass data through. On
    a local file system it streams a k-way merge in memory bounded by the
    number of inputs (``decruft learn --merge``); elsewhere (fsspec URLs) it
    merges in memory."""

    name = "🧹 decruft merge profiles"
    type = "📊 - STATS"

    def __init__(self, input_folder: DataFolderLike, output_file: str):
        super().__init__()
        self.input_folder = input_folder
        self.output_file = output_file

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        if rank != 0:
            return
        folder = get_datafolder(self.input_folder)
        names = sorted(n for n in folder.list_files() if n.endswith(PROFILE_SUFFIX))
        if not names:
            raise FileNotFoundError(f"no *{PROFILE_SUFFIX} files in {self.input_folder}")
        local = "://" not in str(self.output_file) and all(
            os.path.exists(folder.resolve_paths(n)) for n in names
        )
        if local:
            docs, lines = Profile.merge_files([folder.resolve_paths(n) for n in names], self.output_file)
        else:
            parts = []
            for n in names:
                with folder.open(n, "rb") as f:
                    parts.append(Profile.from_bytes(f.read()))
            merged = merge_profiles(parts)
            out_dir, out_name = os.path.split(self.output_file)
            with get_datafolder(out_dir or ".").open(out_name, "wb") as f:
                f.write(merged.to_bytes())
            docs, lines = merged.documents, len(merged)
        self.stat_update("profiles_merged", value=len(names))
        self.stat_update("documents", value=docs)
        self.stat_update("profile_lines", value=lines)


def _read_profile(profile):
    """A Profile, a local path (loaded by the Cleaner in bounded memory) or
    an fsspec URL (read into memory)."""
    if profile is None or isinstance(profile, Profile):
        return profile
    path = os.fspath(profile)
    if "://" in path:
        import fsspec

        with fsspec.open(path, "rb") as f:
            return Profile.from_bytes(f.read())
    return path


class DecruftFilter(_Lazy, BaseFilter):
    """Cleans ``doc.text`` in place; drops documents that cleaning emptied
    (reason ``decruft_empty``) or that cannot be cleaned (``decruft_failed``).

    Per-reason counts go into datatrove's stats as ``lines_removed/<reason>``
    and ``spans_removed/<reason>`` (the CLI's ``--stats=json`` keys), plus
    ``chars_in``/``chars_out``. ``profile`` is a ``Profile``, a path or an
    fsspec URL; ``options`` are the Cleaner's (``threads`` defaults to 1)."""

    name = "🧹 decruft"
    _lazy = ("_cleaner",)

    def __init__(self, profile=None, batch_size: int = 1000, exclusion_writer=None, **options):
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        Cleaner(**options)  # fail now on a bad option, not in a task
        if isinstance(profile, Profile):
            profile = profile  # pickles as bytes
        elif profile is not None:
            profile = os.fspath(profile)
        self.profile = profile
        self.options = options
        self._cleaner = None

    def cleaner(self) -> Cleaner:
        if self._cleaner is None:
            self._cleaner = Cleaner(_read_profile(self.profile), **self.options)
        return self._cleaner

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        cleaned, stats = self.cleaner().clean_batch([d.text for d in batch], on_error="none")
        results: list[bool | tuple[bool, str]] = []
        for doc, text in zip(batch, cleaned):
            if text is None:
                results.append((False, "decruft_failed"))
                continue
            doc.text = text
            results.append((False, "decruft_empty") if not text else True)
        for group in ("lines_removed", "spans_removed"):
            for reason, n in stats[group].items():
                self.stat_update(f"{group}/{reason}", value=n, unit="batch")
        self.stat_update("chars_in", value=stats["chars_in"], unit="batch")
        self.stat_update("chars_out", value=stats["chars_out"], unit="batch")
        return results
