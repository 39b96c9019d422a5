"""Images uploaded to a shop the platform's way (Shopee media_space, TikTok images/upload, Lazada
image/upload): what the platform answered, by the master image's URL and by its content's SHA-256, so a
re-publish or another product with the same image uploads nothing again."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base, TenantScoped


class ImageUpload(TenantScoped, Base):
    __tablename__ = "image_uploads"
    __table_args__ = (
        Index(
            "uq_image_uploads_channel_account_id_source_url", "channel_account_id", "source_url", unique=True
        ),
        Index("ix_image_uploads_channel_account_id_content_sha256", "channel_account_id", "content_sha256"),
    )
    channel_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE")
    )
    source_url: Mapped[str] = mapped_column(Text)  # the master's image
    content_sha256: Mapped[str] = mapped_column(String(64))
    image_id: Mapped[str] = mapped_column(Text)  # what a create or update names (Shopee id, TikTok uri, URL)
    url: Mapped[str] = mapped_column(Text, default="")  # where the platform serves it
