"""Background work that must not run in a request: each job commits per batch, resumes after a kill, and is started by a CLI command."""
