"""The adult oncology protocol ``nl-oncology-bone-2016``: bone-targeted drugs in cancer care.

Source: the Dutch slide deck "Medicamenteuze opties bij botmetastasen", 20 December 2016, with the
product labels where the deck says "adjust to renal function". Rule ids ``O-...`` refer to the
project's rule catalogue.
"""
