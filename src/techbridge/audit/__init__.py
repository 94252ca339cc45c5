"""The audit log: who, when and what of every write, import, merge and role change; read by admins."""
