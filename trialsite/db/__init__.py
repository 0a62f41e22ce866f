"""PostgreSQL with two roles: the app connects as a role that owns nothing; migrations run as the owner.

Use as ``ENGINE: "trialsite.db"``. See :mod:`trialsite.db.base`.
"""
