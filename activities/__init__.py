"""Every side effect of the workflows, as thin classes with injected dependencies."""
