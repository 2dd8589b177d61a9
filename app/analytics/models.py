from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime


class NetworkFigures(Base):
    """Measures computed on a network, shared by every worker (`app.analytics.figures`).

    Keyed by the network's content fingerprint, not by the data version: equal content, equal
    measures. A row without `figures` is a claim: one worker is computing them, the others
    wait for it, and take over when the claim is older than `figures.CLAIM_EXPIRES_AFTER`.
    """

    __tablename__ = "network_figures"

    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    # What was computed: "centrality", or "blocs <resolution> <seed>".
    measure: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The data version of the network they were first computed on (later versions with the
    # same content share them).
    data_version: Mapped[int] = mapped_column(Integer)
    claim: Mapped[str] = mapped_column(String(32))  # the claimant's token
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    figures: Mapped[str | None] = mapped_column(Text)  # JSON; null while claimed
    computed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
