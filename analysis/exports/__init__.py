"""The coordinator's dataset export: columns and codebook, writers per format, de-identification, bundles.

Entry points: :func:`analysis.exports.services.export_bundle` (the page and the
``export_dataset`` command both call it) and :func:`analysis.exports.services.check_export_allowed`.
See docs/export.md.
"""
