"""Reading guides: one reader per form, all giving the same blocks (office_agent.policy_models)."""
