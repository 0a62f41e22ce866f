"""The demo study and synthetic participants and observations (``seed_demo``, ``quickstart``).

Its own app above enrollment and observations, so that neither ``trialsite`` nor a domain app
needs to know the demo exists. Entry points: :mod:`observations.demo.study` (study, arms,
sites, users, participants) and :mod:`observations.demo.daily` (observations).
"""
