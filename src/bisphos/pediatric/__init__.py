"""The pediatric protocol ``nl-pediatric-iv-bp-2024``: intravenous bisphosphonates in children.

Source: the Dutch national guideline "Bisfosfonaten infusie bij kinderen met osteoporose",
6th version, May 2024. Rule ids ``P-...`` refer to the project's rule catalogue.
"""
