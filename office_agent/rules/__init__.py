"""Expense-policy rules: the rules file (:mod:`.model`) and the checks it drives (:mod:`.check`)."""

from office_agent.rules.check import Flag, check_policy
from office_agent.rules.model import Rules, load_rules

__all__ = ["Flag", "Rules", "check_policy", "load_rules"]
