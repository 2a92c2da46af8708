"""decruft: clean scraped web text, as a library and as a step of datatrove,
Spark and Ray pipelines.

The native core is Rust (``decruft._decruft``); this package re-exports it
and adds the engine adapters, each importing its engine only when used:

* ``decruft.datatrove``: ``DecruftLearn``, ``DecruftMergeProfiles``,
  ``DecruftFilter``;
* ``decruft.spark``: ``learn_profile(df, column)``, ``clean(df, profile, column)``;
* ``decruft.ray``: ``learn_profile(ds, column)``, ``clean(ds, profile, column)``.

Options are the CLI's, with ``-`` written ``_`` (``no_repeat=True``,
``repeat_min=3``, ``min_docs=5``, ...), plus ``threads`` (default 1: the
engines parallelise across tasks).

>>> import decruft
>>> decruft.Cleaner().clean("Storm hits coast\\n\\nAdvertisement\\n\\nHomes   were flooded.\\n")
'Storm hits coast\\n\\nHomes were flooded.\\n'
"""

from ._decruft import (
    OPTIONS,
    Cleaner,
    DecruftError,
    Profile,
    ProfileBuilder,
    ProfileError,
    __version__,
    merge_profiles,
)

__all__ = [
    "OPTIONS",
    "Cleaner",
    "DecruftError",
    "Profile",
    "ProfileBuilder",
    "ProfileError",
    "__version__",
    "learn",
    "merge_profiles",
]


def learn(docs, **options):
    """Learns a ``Profile`` from an iterable of documents (the CLI's first
    pass), feeding ``ProfileBuilder`` in batches of 1,000."""
    builder = ProfileBuilder(**options)
    batch = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == 1000:
            builder.add_batch(batch)
            batch = []
    if batch:
        builder.add_batch(batch)
    return builder.finish()
