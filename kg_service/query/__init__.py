"""The query layer: the contract every store implements, policy, engines, runner."""
