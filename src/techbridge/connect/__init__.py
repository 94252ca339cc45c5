"""对接 requests: request → thread → accept (opens a transfer case) / decline."""
