"""The local review page (``office-agent review``): a session over a batch and its corrections file
(:mod:`~office_agent.review.session`), a Starlette app over it (:mod:`~office_agent.review.app`), and a server
bound to 127.0.0.1 (:mod:`~office_agent.review.server`)."""

from office_agent.review.session import Filters, ReviewSession

__all__ = ["Filters", "ReviewSession"]
