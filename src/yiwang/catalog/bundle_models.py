"""Bundles (一件事): a stable identity and its versions, a third kind of versioned catalog document.

`BundleVersion` shares `VersionFields` and the four-eyes workflow with item and
implementation versions (catalog.services.versions); its elements come from
`catalog.bundledoc.BUNDLE_VERSION`. Cases pin the bundle version they were filed under.
"""

from typing import Any

from django.db import models

from yiwang.accounts.models import Region
from yiwang.catalog.bundledoc import BUNDLE_VERSION

# catalog.models imports this module at its end, once VersionFields exists.
from yiwang.catalog.models import VersionFields, _version_meta


class Bundle(models.Model):
    """The stable identity of a bundle (一件事) across its versions, owned by one region."""

    code = models.SlugField("一件事编码", max_length=60, unique=True)
    name = models.CharField("一件事名称", max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="bundles", verbose_name="所属区划")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


_BundleElements: Any = BUNDLE_VERSION.columns(__name__)


class BundleVersion(VersionFields, _BundleElements):
    """One version of a bundle: members, merged form, merged materials, delivery (bundledoc)."""

    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="versions", verbose_name="一件事")

    Meta = _version_meta("bundle_version", "bundle", "一件事版本", index="bundle_version_status")

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"
