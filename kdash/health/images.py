"""Image reference parsing that gets the edge cases right.

`registry:5000/app` has a port, not a tag (Popeye's split on ":" misses this); `app@sha256:...`
is pinned by digest whatever its tag says.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImageRef:
    repository: str
    tag: str = ""
    digest: str = ""

    @property
    def pinned(self) -> bool:
        """A digest, or a tag other than `latest`: every replica runs the same build."""
        return bool(self.digest) or (bool(self.tag) and self.tag != "latest")


def parse_image(image: str) -> ImageRef:
    """Split `[registry[:port]/]path[:tag][@digest]`; the tag lives only in the last path segment."""
    name, _, digest = image.strip().partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return ImageRef(name[:colon], name[colon + 1 :], digest)
    return ImageRef(name, "", digest)
